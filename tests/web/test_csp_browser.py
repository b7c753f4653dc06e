"""Pages with scripts under the Content-Security-Policy, in a real browser: the concern form
(concern-form.js autosaves a draft; htmx finds a person and adds them), and the session timeout
warning (session-timeout.js opens its dialog) work, and the browser reports no violation. The
``page`` fixture fails any browser test with a violation; this shows that it catches one."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import path, reverse
from playwright.sync_api import expect

from efh.config.urls import urlpatterns as service_urlpatterns

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _wait_for(violations: list, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not violations and time.monotonic() < deadline:
        time.sleep(0.05)


def _careless(request: Any) -> HttpResponse:
    return HttpResponse(
        "<!DOCTYPE html><html lang='en'><head><title>Careless</title></head><body>"
        "<p style='color: red'>Styled inline</p><script>window.careless = 1</script></body></html>"
    )


# This module is also the URLconf of the first test: the service's URLs plus a careless page.
urlpatterns = [*service_urlpatterns, path("careless/", _careless)]


@pytest.mark.urls(__name__)
def test_inline_script_and_style_are_refused_and_reported(
    page: Any, live_server: Any, csp_violations: list
) -> None:
    page.goto(f"{live_server.url}/careless/")
    _wait_for(csp_violations)
    time.sleep(0.3)
    assert sorted(v["directive"] for v in csp_violations) == ["script-src-elem", "style-src-attr"]
    assert page.evaluate("() => window.careless") is None  # the script did not run
    csp_violations.clear()  # (else the page fixture fails this test)


def test_concern_form_works_under_the_policy(
    page: Any, live_server: Any, demo: Any, make_person: Any, sign_in: Any, csp_violations: list
) -> None:
    make_person(source="education", given_name="Ada", family_name="Lovelace")
    sign_in(page, live_server, demo["school.dsl"])
    page.goto(f"{live_server.url}{reverse('concerns:concern-new')}")
    page.locator("#summary").fill("Seen getting into a car with older males")
    page.locator("#concern-draft-status").get_by_text("Draft saved at").wait_for()
    page.locator("#person_query").fill("Lovelace")
    page.locator("#person_query").press("Enter")  # htmx swaps in the results
    page.get_by_role("button", name="Add Ada Lovelace").click()
    expect(page.locator("#people-0-role")).to_be_visible()
    assert csp_violations == []


def test_session_timeout_warning_works_under_the_policy(
    page: Any, live_server: Any, demo: Any, sign_in: Any, settings: Any, csp_violations: list
) -> None:
    settings.SESSION_COOKIE_AGE = 60
    settings.EFH_SESSION_WARNING_SECONDS = 57
    sign_in(page, live_server, demo["school.dsl"])
    dialog = page.get_by_role("dialog", name="You’re about to be signed out")  # noqa: RUF001
    dialog.wait_for(state="visible", timeout=8000)
    # Its look comes from the style sheet now (no style attribute): GOV.UK's thick black border.
    assert dialog.evaluate("e => getComputedStyle(e).borderTopWidth") == "5px"
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert csp_violations == []


def test_philomena_print_view_prints_only_the_profile(
    page: Any, live_server: Any, demo: Any, make_person: Any, sign_in: Any, assert_accessible: Any
) -> None:
    # Its print rules moved from a style element into application.css.
    child = make_person(source="education", given_name="Ada", family_name="Example")
    sign_in(page, live_server, demo["school.dsl"])
    page.goto(f"{live_server.url}{reverse('concerns:philomena-print', args=[child.pk])}")
    assert_accessible(page)
    header = page.locator(".govuk-template__header")
    expect(header).to_be_visible()
    page.emulate_media(media="print")
    expect(header).to_be_hidden()
    expect(page.locator(".govuk-footer")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
