"""Two-factor (TOTP): enrolment, verification, and the gate that enforces it per role."""

from __future__ import annotations

import re
import time
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from efh.accounts.models import Role

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign-in")
SIGN_OUT = reverse("accounts:sign-out")
HOME = reverse("pages:home")
ENROL = reverse("accounts:two-factor")
VERIFY = reverse("accounts:two-factor-verify")
EXTEND = reverse("accounts:session-extend")


def code_for(device: TOTPDevice, at: float | None = None) -> str:
    """The code an authenticator app holding the device's key shows at ``at`` (now)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() if at is None else at
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


@pytest.fixture
def mfa_role() -> Role:
    return Role.objects.create(code="mfa-role", name="Careful role", requires_mfa=True)


@pytest.fixture
def signed_in(client, make_user, password):
    """``signed_in(**user fields)`` -> the user, signed in with the password alone."""

    def go(**fields):
        user = make_user(username="asmith", **fields)
        response = client.post(SIGN_IN, {"username": "asmith", "password": password})
        assert response.status_code == 302
        return user

    return go


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


# --- the gate ----------------------------------------------------------------------------


def test_no_mfa_role_and_no_device_goes_straight_in(client, signed_in):
    signed_in(role=Role.objects.create(code="plain", name="Plain"))
    assert client.get(HOME).status_code == 200


def test_role_requiring_mfa_is_sent_to_enrol_first(client, signed_in, mfa_role):
    signed_in(role=mfa_role)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{ENROL}?next=%2F"
    # Every other page too, whatever it is.
    response = client.get(reverse("people:search") + "?q=ada")
    assert response["Location"] == f"{ENROL}?next=%2Fpeople%2Fsearch%2F%3Fq%3Dada"


def test_an_extra_role_requiring_mfa_counts(client, signed_in, mfa_role):
    user = signed_in(role=Role.objects.create(code="plain", name="Plain"))
    user.extra_roles.add(mfa_role)
    assert client.get(HOME)["Location"].startswith(ENROL)


def test_a_confirmed_device_means_verify_even_when_the_role_does_not_require_it(client, signed_in):
    user = signed_in()
    confirmed_device(user)
    response = client.get(HOME)
    assert response["Location"] == f"{VERIFY}?next=%2F"


def test_an_unconfirmed_device_alone_does_not_ask_for_a_code(client, signed_in):
    user = signed_in()
    TOTPDevice.objects.create(user=user, name="half set up", confirmed=False)
    assert client.get(HOME).status_code == 200


def test_the_gate_leaves_sign_out_two_factor_pages_and_keep_alive_open(client, signed_in, mfa_role):
    signed_in(role=mfa_role)
    assert client.get(ENROL).status_code == 200
    assert client.post(EXTEND).status_code == 200
    response = client.post(SIGN_OUT)
    assert response["Location"] == SIGN_IN


def test_the_gate_redirects_a_post_without_next(client, signed_in, mfa_role):
    signed_in(role=mfa_role)
    response = client.post(HOME)
    assert response["Location"] == ENROL


def test_the_gate_tells_htmx_to_redirect_the_whole_page(client, signed_in, mfa_role):
    signed_in(role=mfa_role)
    response = client.get(HOME, headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == f"{ENROL}?next=%2F"


def test_anonymous_users_are_not_gated(client):
    assert client.get(ENROL)["Location"] == f"{SIGN_IN}?next={ENROL}"
    assert client.get(VERIFY)["Location"] == f"{SIGN_IN}?next={VERIFY}"


# --- enrolment -----------------------------------------------------------------------------


def test_enrol_page_shows_a_qr_code_and_the_key_as_text(client, signed_in, mfa_role):
    user = signed_in(role=mfa_role)
    html = client.get(f"{ENROL}?next=/").content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed
    assert '<svg role="img" aria-label="QR code for your authenticator app' in html
    assert "<path" in html
    shown = re.search(r'id="two-factor-secret">([A-Z2-7 ]+)</code>', html).group(1)
    assert b32decode(shown.replace(" ", "")) == device.bin_key
    assert "Your role needs a code" in html
    assert 'autocomplete="one-time-code"' in html
    assert 'inputmode="numeric"' in html
    # A reload shows the same key: the one already scanned stays valid.
    again = client.get(ENROL).content.decode()
    assert shown in again
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_enrol_with_a_correct_code_confirms_and_verifies(client, signed_in, mfa_role):
    user = signed_in(role=mfa_role)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL, {"code": code_for(device), "next": "/people/search/"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Two-factor authentication is set up" in html
    assert 'href="/people/search/"' in html
    device.refresh_from_db()
    assert device.confirmed
    # Verified for this session: the gate lets the user through.
    assert client.get(HOME).status_code == 200
    # Visiting the page again says it is on; the role requires it, so no turning it off.
    html = client.get(ENROL).content.decode()
    assert "Two-factor authentication is on" in html
    assert "Turn off" not in html


def test_enrol_refuses_an_offsite_next(client, signed_in):
    user = signed_in()
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    response = client.post(ENROL, {"code": code_for(device), "next": "https://evil.example/"})
    assert 'href="/"' in response.content.decode()
    assert "evil.example" not in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter the 6-digit code from your authenticator app"),
        ("12345", "The code must be 6 digits"),
        ("abcdef", "The code must be 6 digits"),
        ("1" * 21, "The code must be 6 digits"),
    ],
)
def test_enrol_with_a_malformed_code(client, signed_in, typed, message):
    user = signed_in()
    client.get(ENROL)
    response = client.post(ENROL, {"code": typed, "next": "/"})
    html = response.content.decode()
    assert "<title>Error: Set up two-factor authentication" in html
    assert f'<a href="#id_code">{message}</a>' in html
    assert "govuk-input--error" in html
    assert not TOTPDevice.objects.get(user=user).confirmed


def test_enrol_with_a_wrong_code(client, signed_in, mfa_role):
    user = signed_in(role=mfa_role)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    html = client.post(ENROL, {"code": wrong, "next": "/"}).content.decode()
    assert "The code is not correct" in html
    # What was typed is kept.
    assert f'value="{wrong}"' in html
    device.refresh_from_db()
    assert not device.confirmed
    assert device.throttling_failure_count == 1
    assert client.get(HOME)["Location"].startswith(ENROL)


def test_voluntary_enrolment_then_turning_it_off(client, signed_in, password):
    user = signed_in()
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    assert "You can protect your account" in client.get(ENROL).content.decode()
    client.post(ENROL, {"code": code_for(device), "next": "/"})
    html = client.get(ENROL).content.decode()
    assert "Turn off two-factor authentication" in html

    response = client.post(ENROL, {"action": "turn-off"}, follow=True)
    assert "Two-factor authentication is turned off." in response.content.decode()
    assert not TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_a_required_role_cannot_turn_it_off(client, signed_in, mfa_role):
    user = signed_in(role=mfa_role)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user)
    client.post(ENROL, {"code": code_for(device), "next": "/"})
    client.post(ENROL, {"action": "turn-off"})
    assert TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def test_enrol_page_of_an_unverified_user_with_a_device_goes_to_verify(client, signed_in):
    user = signed_in()
    confirmed_device(user)
    assert client.get(ENROL)["Location"] == f"{VERIFY}?next=%2Faccount%2Ftwo-factor%2F"


# --- verification at sign-in ---------------------------------------------------------------


def test_verify_with_the_right_code_lets_the_user_in(client, signed_in):
    user = signed_in()
    device = confirmed_device(user)
    page = client.get(f"{VERIFY}?next=/people/search/")
    assert "Enter your code" in page.content.decode()
    session_before = client.session.session_key
    response = client.post(VERIFY, {"code": code_for(device), "next": "/people/search/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/search/"
    assert client.session.session_key != session_before
    assert client.get(HOME).status_code == 200
    # Already verified: the verify page sends the user on.
    assert client.get(VERIFY)["Location"] == HOME


def test_verify_with_a_wrong_code_then_throttled(client, signed_in):
    user = signed_in()
    device = confirmed_device(user)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
    html = client.post(VERIFY, {"code": wrong, "next": "/"}).content.decode()
    assert "<title>Error: Enter your code" in html
    assert '<a href="#id_code">The code is not correct' in html
    # Straight away again, even with the right code: django-otp's throttle says wait.
    html = client.post(VERIFY, {"code": code_for(device), "next": "/"}).content.decode()
    assert "Too many wrong codes: wait 1 second, then enter the code your app shows" in html
    assert client.get(HOME)["Location"].startswith(VERIFY)


def test_a_code_cannot_be_used_twice(client, signed_in, password):
    user = signed_in()
    device = confirmed_device(user)
    code = code_for(device)
    assert client.post(VERIFY, {"code": code, "next": "/"}).status_code == 302
    client.post(SIGN_OUT)
    client.post(SIGN_IN, {"username": "asmith", "password": password})
    html = client.post(VERIFY, {"code": code, "next": "/"}).content.decode()
    assert "The code is not correct" in html


def test_verification_lasts_for_the_session_only(client, signed_in, password):
    user = signed_in()
    device = confirmed_device(user)
    client.post(VERIFY, {"code": code_for(device), "next": "/"})
    client.post(SIGN_OUT)
    client.post(SIGN_IN, {"username": "asmith", "password": password})
    assert client.get(HOME)["Location"].startswith(VERIFY)
    # A later code than the one already used (each code works once).
    response = client.post(VERIFY, {"code": next_code(device), "next": "/"})
    assert response["Location"] == "/"


def test_verify_without_a_device_goes_to_enrol(client, signed_in):
    signed_in()
    assert client.get(VERIFY)["Location"] == ENROL


def test_a_signed_in_user_on_another_client_is_not_verified_by_this_one(
    client, signed_in, password
):
    user = signed_in()
    device = confirmed_device(user)
    client.post(VERIFY, {"code": code_for(device), "next": "/"})
    other = Client()
    other.post(SIGN_IN, {"username": "asmith", "password": password})
    assert other.get(HOME)["Location"].startswith(VERIFY)


# --- the demo and the command ----------------------------------------------------------------


def test_demo_accounts_sign_in_with_the_password_alone(client, demo):
    from efh.accounts.services import DEMO_PASSWORD_SUFFIX

    def demo_password(username: str) -> str:
        return username.replace(".", "-") + DEMO_PASSWORD_SUFFIX

    assert not Role.objects.filter(requires_mfa=True).exists()
    for username in ("police.officer", "admin", "auditor"):
        client.post(SIGN_IN, {"username": username, "password": demo_password(username)})
        assert client.get(HOME).status_code == 200
        client.post(SIGN_OUT)


def test_efh_mfa_switches_a_role_on_and_off_and_resets_a_user(make_user):
    role = Role.objects.create(code="screener-x", name="Screener X")
    user = make_user(role=role)
    out = StringIO()
    call_command("mfa", "require", "screener-x", stdout=out)
    role.refresh_from_db()
    assert role.requires_mfa
    assert "screener-x: two-factor required" in out.getvalue()
    call_command("mfa", "status", stdout=out)
    assert re.search(r"screener-x\s+required", out.getvalue())

    confirmed_device(user)
    call_command("mfa", "reset", user.username, stdout=out)
    assert not TOTPDevice.objects.filter(user=user).exists()

    call_command("mfa", "optional", "screener-x", stdout=out)
    role.refresh_from_db()
    assert not role.requires_mfa


def test_efh_mfa_refuses_unknown_names(make_user):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no role nope"):
        call_command("mfa", "require", "nope", stdout=StringIO())
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("mfa", "reset", "nobody", stdout=StringIO())
    with pytest.raises(CommandError, match="name at least one role"):
        call_command("mfa", "require", stdout=StringIO())
