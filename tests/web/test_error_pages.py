"""The service's own 403, 404 and 500 pages (templates/403.html, 404.html, 500.html in efh.web),
in every area, with DEBUG off as `make demo` and production serve."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.urls import path

from efh.config.urls import handler500
from efh.config.urls import urlpatterns as service_urlpatterns
from efh.web.errors import server_error


def _boom(request: Any) -> Any:
    raise OperationalError("the database went away")


# This module is also the URLconf of the 500 tests: the service's URLs plus one that fails.
urlpatterns = [*service_urlpatterns, path("boom/", _boom)]
__all__ = ["handler500", "urlpatterns"]

# (signed in as, URL): one refused page in each area, for the roles without it.
REFUSED = [
    ("police.officer", "/intelligence/"),  # insight
    ("police.officer", "/intelligence/hotspots/"),
    ("analyst", "/audit/"),  # the auditors' screens
    ("admin", "/audit/"),
    ("admin", "/intelligence/"),
    ("admin", "/people/links/review/"),  # record links
    ("auditor", "/concerns/new/"),  # recording a concern
    ("admin", "/places/locations/1/"),  # place pages
]


@pytest.mark.django_db
@pytest.mark.parametrize(("username", "url"), REFUSED)
def test_refused_pages_are_the_styled_403(client, demo, username, url):
    client.force_login(demo[username])
    response = client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert [t.name for t in response.templates][:2] == ["403.html", "web/base.html"]
    assert '<h1 class="govuk-heading-l">You cannot open this page</h1>' in html
    assert "Sign out" in html  # the page has the signed-in header
    assert "403 Forbidden" not in html


@pytest.mark.django_db
def test_refused_page_does_not_show_the_exception_message(client, demo):
    client.force_login(demo["analyst"])
    html = client.get("/audit/").content.decode()
    assert "Only auditors" not in html


@pytest.mark.django_db
def test_need_to_know_page_is_unchanged(client, demo, make_person):
    person = make_person(source="health")
    client.force_login(demo["police.officer"])
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 403
    assert response.templates[0].name == "people/need_to_know.html"
    assert "Known to 1 agency: ask the front door." in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_mistyped_url_is_the_styled_404(client, demo, signed_in, settings):
    assert settings.DEBUG is False
    if signed_in:
        client.force_login(demo["school.dsl"])
    response = client.get("/peopel/search/")
    assert response.status_code == 404
    html = response.content.decode()
    assert '<h1 class="govuk-heading-l">Page not found</h1>' in html
    assert "If you typed the web address, check it is correct." in html
    assert "URLconf" not in html  # never Django's debug page with the URL list


@pytest.mark.django_db
def test_a_missing_record_is_the_styled_404(client, demo):
    client.force_login(demo["screener"])
    response = client.get("/people/999999/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_needs_no_database_and_no_user():
    # No database fixture here: any query would fail the test.
    request = RequestFactory().get("/anything/")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "Safeguarding adolescents from extra-familial harm" in html  # the service's name
    assert "call 999" in html
    assert "Sign out" not in html


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_a_failure_while_signed_in_is_the_styled_500(client, demo):
    client.raise_request_exception = False
    client.force_login(demo["school.dsl"])
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "the database went away" not in html
    assert "Traceback" not in html
    # The page's one inline script carries the nonce of the response's policy.
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in html


@pytest.mark.django_db
def test_a_form_without_its_csrf_token_gets_the_styled_page(demo):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/sign-in/", {"username": "school.dsl", "password": "x"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Sorry, your form could not be sent" in html
    assert "Go back, reload the page and send the form again." in html
    assert "CSRF cookie not set" not in html  # never Django's reason
