"""The headers every response carries: the Content-Security-Policy (django-csp) and
``Cache-Control: no-store`` (efh.web.middleware.NoStoreMiddleware)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import path

from efh.config.urls import urlpatterns as service_urlpatterns

pytestmark = pytest.mark.django_db


def _csv(request: Any) -> HttpResponse:
    response = HttpResponse("person_id,name\n1,Test Child\n", content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="export.csv"'
    return response


def _cached_csv(request: Any) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter(["person_id\n", "1\n"]), content_type="text/csv")
    response["Cache-Control"] = "public, max-age=3600"
    return response


# This module is also the URLconf of the export tests: the service's URLs plus two exports.
urlpatterns = [
    *service_urlpatterns,
    path("export.csv", _csv),
    path("cached-export.csv", _cached_csv),
]


def _policy(response: Any) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def test_pages_have_a_strict_content_security_policy(client, demo):
    client.force_login(demo["school.dsl"])
    response = client.get("/people/search/")
    policy = _policy(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert policy["default-src"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]  # no tile server configured
    assert policy["style-src"] == ["'self'"]  # no inline styles at all
    (nonce,) = re.findall(r"'nonce-([^']+)'", " ".join(policy["script-src"]))
    assert policy["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    # GOV.UK Frontend's js-enabled script is the page's only inline script, and carries it.
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [f' nonce="{nonce}"']


def test_each_response_has_its_own_nonce(client):
    first = _policy(client.get("/sign-in/"))["script-src"]
    second = _policy(client.get("/sign-in/"))["script-src"]
    assert first != second


@pytest.mark.parametrize("signed_in", [False, True])
@pytest.mark.parametrize("url", ["/sign-in/", "/", "/people/search/", "/no-such-page/"])
def test_pages_are_never_stored(client, demo, url, signed_in):
    if signed_in:
        client.force_login(demo["school.dsl"])
    response = client.get(url)
    assert "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"


def test_a_child_record_is_never_stored(client, demo, make_person):
    person = make_person(source="education")
    client.force_login(demo["school.dsl"])
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


@pytest.mark.urls(__name__)
def test_exports_are_never_stored(client, demo):
    client.force_login(demo["analyst"])
    response = client.get("/export.csv")
    assert response["Content-Type"] == "text/csv"
    assert response["Cache-Control"] == "no-store"
    assert response["Pragma"] == "no-cache"


@pytest.mark.urls(__name__)
def test_no_store_overrides_a_view_that_allows_caching(client):
    response = client.get("/cached-export.csv")
    assert "no-store" in response["Cache-Control"].split(", ")
