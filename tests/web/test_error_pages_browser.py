"""The 403 (and the refused-form), 404 and 500 pages in a real browser, at desktop width and on a 375-pixel phone:
axe-core finds no violations, nothing overflows, and the policy is kept. Screenshots of each go
to var/test-artifacts/error-pages/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import path
from playwright.sync_api import expect

from efh.config.urls import handler500
from efh.config.urls import urlpatterns as service_urlpatterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "error-pages"


def _boom(request: Any) -> Any:
    raise RuntimeError("something failed")


# This module is also the URLconf of these tests: the service's URLs plus one that fails.
urlpatterns = [*service_urlpatterns, path("boom/", _boom)]
__all__ = ["handler500", "urlpatterns"]


def _check(page: Any, assert_accessible: Any, heading: str, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (375, "375px")):
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        assert_accessible(page)
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)


@pytest.mark.urls(__name__)
def test_error_pages(
    page: Any, live_server: Any, demo: Any, sign_in: Any, assert_accessible: Any
) -> None:
    page.goto(f"{live_server.url}/no-such-page/")
    _check(page, assert_accessible, "Page not found", "404-signed-out")

    # A sign-in form whose CSRF cookie is gone (a page left open past the session's end).
    page.goto(f"{live_server.url}/sign-in/")
    page.context.clear_cookies()
    page.get_by_label("Username", exact=True).fill("school.dsl")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    _check(page, assert_accessible, "Sorry, your form could not be sent", "403-csrf")

    sign_in(page, live_server, demo["analyst"])
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
    _check(page, assert_accessible, "You cannot open this page", "403")
    page.get_by_role("link", name="Go to the home page").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    response = page.goto(f"{live_server.url}/intelligence/peer-groups/no-such-code/")
    assert response.status == 404
    _check(page, assert_accessible, "Page not found", "404")

    response = page.goto(f"{live_server.url}/boom/")
    assert response.status == 500
    _check(page, assert_accessible, "Sorry, there is a problem with the service", "500")
    # The page's one inline script ran (it has the nonce): GOV.UK Frontend's js-enabled class.
    assert page.evaluate("() => document.body.classList.contains('js-enabled')")
