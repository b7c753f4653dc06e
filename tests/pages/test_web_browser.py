"""The sign-in and home pages in a real browser, checked by axe-core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from efh.core.models import Delivery

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
BUILT_CSS = REPO / "var" / "frontend" / "application.css"
ARTIFACTS = REPO / "var" / "test-artifacts"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

pytestmark = pytest.mark.browser


@pytest.fixture
def frontend_built() -> None:
    for path, step in ((AXE, "npm ci"), (BUILT_CSS, "npm run build")):
        if not path.exists():
            pytest.fail(f"{path.relative_to(REPO)} is missing: run `{step}` first")


def assert_accessible(page) -> None:
    # Evaluated through the DevTools protocol: a <script> tag would be refused by the page's
    # Content-Security-Policy, as any inline script without the page's nonce is.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in results["violations"]
    ]
    assert violations == [], f"axe-core on {page.url}:\n{json.dumps(violations, indent=2)}"


def test_sign_in_home_and_sign_out(live_server, page, frontend_built, make_user, password):
    make_user(username="asmith", first_name="Ana", last_name="Smith")
    # One delivery, so that axe checks the summary list too.
    Delivery.objects.create(
        fingerprint="0" * 64, path="/deliveries/1", files={"persons.csv": 1200}, counts={}
    )
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    css_statuses: list[int] = []
    page.on(
        "response",
        lambda r: css_statuses.append(r.status) if r.url.endswith("/application.css") else None,
    )

    page.goto(f"{live_server.url}/")
    assert page.url == f"{live_server.url}/sign-in/?next=/"
    assert page.title().startswith("Sign in")
    assert_accessible(page)

    # A wrong password: the error summary, which GOV.UK Frontend's JavaScript focuses.
    page.get_by_label("Username").fill("asmith")
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    assert "Enter a correct username and password" in summary.inner_text()
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert_accessible(page)

    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/")

    header = page.locator(".govuk-generic-header")
    assert header.is_visible()
    assert (
        page.locator(".govuk-service-navigation")
        .inner_text()
        .startswith("Safeguarding adolescents from extra-familial harm")
    )
    assert "Signed in as Ana Smith" in page.locator("main").inner_text()
    assert "1,200 rows in 1 file" in page.locator(".govuk-summary-list").inner_text()
    # The built CSS loaded and applied: GOV.UK Frontend's styles on the header and the body.
    assert css_statuses and set(css_statuses) <= {200, 304}
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(11, 12, 12)"
    assert "arial" in page.locator("h1").evaluate("e => getComputedStyle(e).fontFamily").lower()
    # GOV.UK Frontend's JavaScript ran (it marks the body and initialises components).
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.locator("[data-module='govuk-skip-link'][data-govuk-skip-link-init]").count() == 1
    assert_accessible(page)
    # Kept for people to look at (the page fixture adds one of any failure).
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    assert page.get_by_role("heading", name="Sign in").is_visible()
    page.screenshot(path=str(ARTIFACTS / "sign-in.png"), full_page=True)
    assert errors == []


def test_works_without_javascript(live_server, browser, frontend_built, make_user, password):
    make_user(username="asmith", first_name="Ana", last_name="Smith")
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/sign-in/")
        assert page.get_by_role("button", name="Show").is_hidden()
        page.get_by_label("Username").fill("asmith")
        page.get_by_label("Password", exact=True).fill("not the password")
        page.get_by_role("button", name="Sign in").click()
        assert "Enter a correct username and password" in page.locator("main").inner_text()

        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        assert "Signed in as Ana Smith" in page.locator("main").inner_text()
        assert not page.evaluate("document.body.classList.contains('js-enabled')")

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(f"{live_server.url}/sign-in/")
        page.goto(f"{live_server.url}/")
        assert page.url == f"{live_server.url}/sign-in/?next=/"
    finally:
        context.close()
