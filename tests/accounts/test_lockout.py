"""Sign-in lockout (django-axes): 5 failures lock a username for 15 minutes."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign-in")
HOME = reverse("pages:home")
LOCKED = (
    "Your account is locked after 5 failed attempts. Try again in 15 minutes or ask your "
    "administrator to unlock it."
)
WRONG = "Enter a correct username and password"


def _try(client, username: str, password: str):
    return client.post(SIGN_IN, {"username": username, "password": password})


def _fail(client, username: str, times: int) -> list:
    return [_try(client, username, "not the password") for _ in range(times)]


def test_four_failures_do_not_lock(client, make_user, password):
    make_user(username="asmith")
    for response in _fail(client, "asmith", 4):
        assert response.status_code == 200
        assert WRONG in response.content.decode()
        assert LOCKED not in response.content.decode()
    response = _try(client, "asmith", password)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_the_fifth_failure_locks_with_a_clear_error(client, make_user):
    make_user(username="asmith")
    *_, fifth = _fail(client, "asmith", 5)
    html = fifth.content.decode()
    assert fifth.status_code == 429
    assert "<title>Error: Sign in" in html
    assert f'<a href="#id_username">{LOCKED}</a>' in html
    assert WRONG not in html
    # Still the sign-in page, with what was typed (never the password).
    assert 'value="asmith"' in html
    assert "not the password" not in html


def test_the_correct_password_is_refused_while_locked(client, make_user, password):
    make_user(username="asmith")
    _fail(client, "asmith", 5)
    response = _try(client, "asmith", password)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_try_while_locked_does_not_restart_the_cool_off(client, make_user, password):
    make_user(username="asmith")
    _fail(client, "asmith", 5)
    locked_at = AccessAttempt.objects.get(username="asmith").attempt_time
    _try(client, "asmith", password)
    _try(client, "asmith", "guess")
    attempt = AccessAttempt.objects.get(username="asmith")
    assert attempt.attempt_time == locked_at
    assert attempt.failures_since_start == 5


def test_unlocked_after_the_cool_off(client, make_user, password):
    make_user(username="asmith")
    _fail(client, "asmith", 5)
    # Travel 15 minutes on: the failures are older than the cool-off.
    AccessAttempt.objects.filter(username="asmith").update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=15, seconds=1)
    )
    response = _try(client, "asmith", password)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_still_locked_just_before_the_cool_off_ends(client, make_user, password):
    make_user(username="asmith")
    _fail(client, "asmith", 5)
    AccessAttempt.objects.filter(username="asmith").update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=14)
    )
    assert _try(client, "asmith", password).status_code == 429


def test_the_lock_is_by_username_not_by_address(client, make_user, password):
    """Another user in the same office (same IP address) can still sign in."""
    make_user(username="asmith")
    make_user(username="bjones")
    _fail(client, "asmith", 5)
    response = _try(client, "bjones", password)
    assert response.status_code == 302


def test_an_unknown_username_locks_the_same_way(client, make_user):
    """No enumeration: an account that does not exist behaves like one that does."""
    make_user(username="asmith")
    known = [r.content.decode() for r in _fail(client, "asmith", 5)]
    unknown = [r.content.decode() for r in _fail(client, "nobody-by-this-name", 5)]
    for real, made_up in zip(known[:4], unknown[:4], strict=True):
        assert WRONG in real and WRONG in made_up
        assert LOCKED not in real and LOCKED not in made_up
    assert LOCKED in known[4] and LOCKED in unknown[4]


def test_a_success_clears_earlier_failures(client, make_user, password):
    make_user(username="asmith")
    _fail(client, "asmith", 4)
    assert _try(client, "asmith", password).status_code == 302
    client.post(reverse("accounts:sign-out"))
    # Four more failures do not lock: the count started again.
    assert all(r.status_code == 200 for r in _fail(client, "asmith", 4))


@pytest.mark.parametrize("settings_failures", [3])
def test_the_limit_and_cool_off_come_from_settings(client, make_user, settings, settings_failures):
    settings.EFH_LOCKOUT_FAILURES = settings.AXES_FAILURE_LIMIT = settings_failures
    settings.EFH_LOCKOUT_MINUTES = 30
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    make_user(username="asmith")
    *_, third = _fail(client, "asmith", 3)
    assert third.status_code == 429
    assert "locked after 3 failed attempts. Try again in 30 minutes" in third.content.decode()


def test_efh_unlock_lifts_the_lock(client, make_user, password):
    make_user(username="asmith")
    _fail(client, "asmith", 5)
    out = StringIO()
    call_command("unlock", "asmith", stdout=out)
    assert out.getvalue() == "asmith: unlocked\n"
    assert _try(client, "asmith", password).status_code == 302


def test_efh_unlock_of_an_unlocked_user_says_so(make_user):
    out = StringIO()
    call_command("unlock", "nobody", stdout=out)
    assert "was not locked" in out.getvalue()
