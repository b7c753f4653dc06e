"""Session expiry: the keep-alive view, the warning's markup, the timed-out sign-in message."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

EXTEND = reverse("accounts:session-extend")
HOME = reverse("pages:home")
SIGN_IN = reverse("accounts:sign-in")
SIGN_OUT = reverse("accounts:sign-out")


def test_extend_needs_a_signed_in_user(client):
    response = client.post(EXTEND)
    assert response.status_code == 401
    assert response.json() == {"signed_in": False}


def test_extend_is_post_only(client, make_user):
    client.force_login(make_user())
    assert client.get(EXTEND).status_code == 405


def test_extend_needs_a_csrf_token(make_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert client.post(EXTEND).status_code == 403


def test_extend_refreshes_the_session(client, make_user, settings):
    client.force_login(make_user())
    before = client.session.get_expiry_date()
    response = client.post(EXTEND)
    assert response.status_code == 200
    assert response.json() == {"signed_in": True, "expires_in": settings.SESSION_COOKIE_AGE}
    assert client.session.get_expiry_date() > before
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_signed_in_pages_carry_the_timeout_warning(client, make_user, settings):
    settings.SESSION_COOKIE_AGE = 1800
    settings.EFH_SESSION_WARNING_SECONDS = 120
    client.force_login(make_user())
    html = client.get(HOME).content.decode()
    dialog = re.search(r"<dialog[^>]*>", html, re.S).group(0)
    assert 'data-session-seconds="1800"' in dialog
    assert 'data-warning-seconds="120"' in dialog
    assert f'data-extend-url="{EXTEND}"' in dialog
    assert 'aria-labelledby="session-timeout-heading"' in dialog
    assert 'aria-live="polite"' in html
    assert "/static/session-timeout.js" in html
    # The dialog's sign-out form carries a real CSRF token.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html.split("<dialog")[1])
    assert token and len(token.group(1)) == 64


def test_the_warning_is_never_longer_than_the_session(client, make_user, settings):
    settings.SESSION_COOKIE_AGE = 60
    settings.EFH_SESSION_WARNING_SECONDS = 120
    client.force_login(make_user())
    assert 'data-warning-seconds="60"' in client.get(HOME).content.decode()


def test_signed_out_pages_have_no_warning(client):
    assert "<dialog" not in client.get(SIGN_IN).content.decode()


def test_timed_out_sign_out_says_why_on_the_sign_in_page(client, make_user):
    client.force_login(make_user())
    response = client.post(SIGN_OUT, {"reason": "timeout"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(SIGN_IN, 302)]
    assert "govuk-notification-banner" in html
    assert (
        "We signed you out because you did not do anything for 30 minutes. "
        "We do this to keep children’s information secure."  # noqa: RUF001
    ) in html
    assert "_auth_user_id" not in client.session
    # Shown once.
    assert "We signed you out" not in client.get(SIGN_IN).content.decode()


def test_an_ordinary_sign_out_has_no_message(client, make_user):
    client.force_login(make_user())
    html = client.post(SIGN_OUT, follow=True).content.decode()
    assert "govuk-notification-banner" not in html


def test_the_session_ends_on_the_server_when_idle(client, make_user, settings):
    """Without JavaScript the server still ends an idle session."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    client.force_login(make_user())
    assert client.get(HOME).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
