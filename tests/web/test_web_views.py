from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from efh.accounts.models import Agency, Partnership, Role
from efh.core.models import Delivery

pytestmark = pytest.mark.django_db

SIGN_IN = reverse("accounts:sign-in")
HOME = reverse("pages:home")
SIGN_OUT = reverse("accounts:sign-out")


def _agency() -> Agency:
    partnership = Partnership.objects.create(name="Test Partnership", code="test")
    return Agency.objects.create(
        partnership=partnership, code="test-police", name="Test Police", sector="police"
    )


def _role() -> Role:
    role, _ = Role.objects.get_or_create(code="panel_chair", defaults={"name": "Panel chair"})
    return role


def test_anonymous_home_redirects_to_sign_in(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == f"{SIGN_IN}?next={HOME}"


def test_sign_in_page_is_a_govuk_form(client):
    response = client.get(SIGN_IN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="govuk-label" for="id_username">' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html
    assert 'id="main-content"' in html
    assert "govuk-error-summary" not in html
    assert "Sign out" not in html
    assert "AGPL-3.0-or-later" in html


@pytest.mark.parametrize("username", ["practitioner", "nobody-by-this-name"])
def test_bad_sign_in_shows_one_error_whether_or_not_the_user_exists(client, make_user, username):
    make_user(username="practitioner")
    response = client.post(SIGN_IN, {"username": username, "password": "wrong password"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Sign in" in html
    assert "govuk-error-summary" in html
    assert '<a href="#id_username">Enter a correct username and password</a>' in html
    assert html.count("Enter a correct username and password") == 1
    # The username is kept, the password never echoed.
    assert f'value="{username}"' in html
    assert "wrong password" not in html
    assert "_auth_user_id" not in client.session


def test_inactive_user_gets_the_same_error(client, make_user, password):
    make_user(username="leaver", is_active=False)
    response = client.post(SIGN_IN, {"username": "leaver", "password": password})
    assert "Enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_sign_in_shows_inline_errors(client):
    response = client.post(SIGN_IN, {"username": "", "password": ""})
    html = response.content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'id="id_username_error"' in html
    assert 'aria-describedby="id_username_error"' in html
    assert "govuk-input--error" in html
    assert 'aria-invalid="true"' in html


def test_good_sign_in_lands_on_home_with_name_role_and_agency(client, make_user, password):
    make_user(
        username="asmith", first_name="Ana", last_name="Smith", role=_role(), agency=_agency()
    )
    response = client.post(SIGN_IN, {"username": "asmith", "password": password}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain == [(HOME, 302)]
    assert "Signed in as Ana Smith, Panel chair at Test Police" in html
    assert "Sign out" in html
    assert "No data has been imported yet." in html


def test_sign_in_follows_next(client, make_user, password):
    make_user()
    response = client.post(
        f"{SIGN_IN}?next={HOME}", {"username": "practitioner", "password": password, "next": HOME}
    )
    assert response["Location"] == HOME


def test_sign_in_refuses_an_offsite_next(client, make_user, password):
    make_user()
    response = client.post(
        SIGN_IN,
        {"username": "practitioner", "password": password, "next": "https://evil.example/"},
    )
    assert response["Location"] == HOME


def test_home_copes_without_role_or_agency(client, make_user):
    client.force_login(make_user(username="jbloggs"))
    html = client.get(HOME).content.decode()
    assert "Signed in as jbloggs\n" in html


def test_home_with_agency_but_no_role(client, make_user):
    client.force_login(make_user(username="jb", first_name="Jo", agency=_agency()))
    assert "Signed in as Jo at Test Police\n" in client.get(HOME).content.decode()


def test_signed_in_user_visiting_sign_in_goes_home(client, make_user):
    client.force_login(make_user())
    response = client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_sign_out_needs_post(client, make_user):
    client.force_login(make_user())
    assert client.get(SIGN_OUT).status_code == 405
    assert "_auth_user_id" in client.session

    response = client.post(SIGN_OUT)
    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert "_auth_user_id" not in client.session


def test_sign_out_needs_a_csrf_token(make_user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    assert client.post(SIGN_OUT).status_code == 403
    assert "_auth_user_id" in client.session


def test_home_lists_the_five_latest_deliveries(client, make_user):
    for day in range(1, 8):
        delivery = Delivery.objects.create(
            fingerprint=f"{day:064d}",
            path=f"/deliveries/2025-11-0{day}",
            files={"persons.csv": 1000 * day, "events.csv": 234},
            counts={},
        )
        # received_at is auto_now_add: set it afterwards.
        Delivery.objects.filter(pk=delivery.pk).update(
            received_at=datetime(2025, 11, day, 9, 30, tzinfo=UTC)
        )
    client.force_login(make_user())
    html = client.get(HOME).content.decode()
    assert html.count('class="govuk-summary-list__row"') == 5
    assert "7 November 2025 at 9:30am" in html
    assert "7,234 rows in 2 files" in html
    assert "3 November 2025 at 9:30am" in html
    assert "2 November 2025" not in html
    assert "No data has been imported yet." not in html


def test_home_lists_drafts_and_logs_the_names_it_shows(demo, make_person, client) -> None:
    from efh.concerns.models import ConcernDraft
    from efh.core.models import AccessLogEntry

    officer = demo["police.officer"]
    child = make_person(source="police", given_name="Perpetua", family_name="Quell")
    ConcernDraft.objects.create(user=officer, person=child, data={"summary": ["half"]})
    client.force_login(officer)
    response = client.get(reverse("pages:home"))
    assert "Perpetua Quell" in response.content.decode()
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.object_type, entry.detail) == ("concern_drafts", {"people": [child.pk]})
