"""Sign-in journeys in a real browser, checked by axe-core: lockout, two-factor, timeout."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from efh.accounts.models import Role

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"

LOCKED = (
    "Your account is locked after 5 failed attempts. Try again in 15 minutes or ask your "
    "administrator to unlock it."
)


def code_for(device: TOTPDevice, at: float) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = at
    return f"{totp.token():06d}"


def next_code(device: TOTPDevice) -> str:
    """A code the device accepts now that is not the last one used (codes are single-use).

    django-otp allows one time step either side of (now + the drift it learned from earlier
    codes), and only steps after the last one used; this takes the earliest such step.
    """
    device.refresh_from_db()
    now_step = int((time.time() - device.t0) // device.step) + device.drift
    use = max(device.last_t + 1, now_step)
    assert use <= now_step + device.tolerance, "no unused step is acceptable yet"
    return code_for(device, device.t0 + use * device.step + device.step / 2)


def _sign_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def test_lockout_journey(live_server, page, make_user, password, assert_accessible):
    make_user(username="asmith")
    page.goto(f"{live_server.url}/sign-in/")
    for _ in range(4):
        _sign_in(page, "asmith", "not the password")
        summary = page.locator(".govuk-error-summary")
        assert "Enter a correct username and password" in summary.inner_text()
    _sign_in(page, "asmith", "still not the password")
    summary = page.locator(".govuk-error-summary")
    assert summary.inner_text().endswith(LOCKED)
    assert page.title().startswith("Error: Sign in")
    # The summary links to the username field, and GOV.UK Frontend focused it.
    assert page.evaluate("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("Username").input_value() == "asmith"
    assert_accessible(page)

    # The right password does not get in while the lock lasts.
    _sign_in(page, "asmith", password)
    assert LOCKED in page.locator(".govuk-error-summary").inner_text()
    assert page.url.startswith(f"{live_server.url}/sign-in/")


def test_two_factor_journey(live_server, page, make_user, password, assert_accessible):
    role = Role.objects.create(code="careful", name="Careful role", requires_mfa=True)
    user = make_user(username="asmith", first_name="Ana", last_name="Smith", role=role)
    page.goto(f"{live_server.url}/")
    _sign_in(page, "asmith", password)

    # The role requires two-factor: enrol before anything else.
    assert page.url == f"{live_server.url}/account/two-factor/?next=%2F"
    assert page.get_by_role("heading", name="Set up two-factor authentication").is_visible()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    page.get_by_text("I cannot scan the QR code").click()
    assert page.locator("#two-factor-secret").is_visible()
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # kept for people to look at
    page.screenshot(path=str(ARTIFACTS / "two-factor-enrol.png"), full_page=True)

    # A wrong code: a clear error, nothing confirmed.
    device = TOTPDevice.objects.get(user=user)
    right = code_for(device, time.time())
    page.get_by_label("Code from your authenticator app").fill(
        f"{(int(right) + 1) % 1_000_000:06d}"
    )
    page.get_by_role("button", name="Confirm and continue").click()
    assert "The code is not correct" in page.locator(".govuk-error-summary").inner_text()
    assert page.title().startswith("Error: Set up two-factor authentication")
    assert_accessible(page)

    time.sleep(1.1)  # django-otp's throttle after one wrong code
    page.get_by_label("Code from your authenticator app").fill(code_for(device, time.time()))
    page.get_by_role("button", name="Confirm and continue").click()
    # The click does not wait for the next page: wait for its heading (a cold browser is slow).
    page.get_by_role("heading", name="Two-factor authentication is set up").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Signed in as Ana Smith" in page.locator("main").inner_text()

    # Next sign-in: password, then the code.
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    _sign_in(page, "asmith", password)
    assert page.url == f"{live_server.url}/account/two-factor/verify/?next=%2F"
    assert page.get_by_role("heading", name="Enter your code").is_visible()
    assert_accessible(page)
    page.get_by_label("Code from your authenticator app").fill("12 34")
    page.get_by_role("button", name="Continue").click()
    assert "The code must be 6 digits" in page.locator(".govuk-error-summary").inner_text()
    assert_accessible(page)
    # Not the code used to enrol: each code works once.
    page.get_by_label("Code from your authenticator app").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "Signed in as Ana Smith" in page.locator("main").inner_text()


def test_timeout_warning(live_server, page, make_user, password, settings, assert_accessible):
    # A 60-second session that warns 56 seconds before the end: the dialog opens 4 seconds
    # after each page load or keep-alive, and leaves time for axe on a busy machine.
    settings.SESSION_COOKIE_AGE = 60
    settings.EFH_SESSION_WARNING_SECONDS = 56
    make_user(username="asmith", first_name="Ana", last_name="Smith")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server.url}/sign-in/")
    _sign_in(page, "asmith", password)
    page.wait_for_url(f"{live_server.url}/")

    dialog = page.get_by_role("dialog", name="You’re about to be signed out")  # noqa: RUF001
    assert dialog.is_hidden()
    dialog.wait_for(state="visible", timeout=8000)
    # Focus moved into the dialog; the countdown is read out through a live region.
    assert page.evaluate("document.activeElement.id") == "session-timeout-heading"
    assert "we will sign you out in" in dialog.inner_text()
    live = page.locator("[data-countdown-live]")
    assert live.get_attribute("aria-live") == "polite"
    assert live.inner_text().startswith("We will sign you out in")
    assert_accessible(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "timeout-warning.png"))

    # Stay signed in: the keep-alive refreshes the server's session and the dialog closes.
    with page.expect_response("**/account/session/extend/") as extended:
        dialog.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 200
    assert extended.value.json()["signed_in"] is True
    dialog.wait_for(state="hidden")
    # Escape is "stay signed in" too (GOV.UK pattern).
    dialog.wait_for(state="visible", timeout=8000)
    with page.expect_response("**/account/session/extend/") as extended:
        page.keyboard.press("Escape")
    assert extended.value.status == 200
    dialog.wait_for(state="hidden")
    # Still signed in.
    page.reload()
    assert page.url == f"{live_server.url}/"
    assert "Signed in as Ana Smith" in page.locator("main").inner_text()

    # "Sign out" in the dialog signs out at once, with no timed-out message.
    dialog.wait_for(state="visible", timeout=8000)
    dialog.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{live_server.url}/sign-in/")
    assert page.locator(".govuk-notification-banner").count() == 0

    # Now a 6-second session, to see it run out.
    settings.SESSION_COOKIE_AGE = 6
    settings.EFH_SESSION_WARNING_SECONDS = 4
    _sign_in(page, "asmith", password)
    page.wait_for_url(f"{live_server.url}/")
    dialog.wait_for(state="visible", timeout=8000)

    # Doing nothing: signed out, with the reason on the sign-in page.
    page.wait_for_url(f"{live_server.url}/sign-in/", timeout=15000)
    banner = page.locator(".govuk-notification-banner")
    assert "We signed you out because you did not do anything for 6 seconds." in (
        banner.inner_text()
    )
    assert_accessible(page)
    page.goto(f"{live_server.url}/")
    assert page.url.startswith(f"{live_server.url}/sign-in/")
    assert errors == []
