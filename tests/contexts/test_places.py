"""The place pages (a location, an organisation) and the association policy."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from efh.contexts.models import Association
from efh.contexts.policy import PlaceLevel, associations_visible_to, place_access_level
from efh.core.models import AccessLogEntry

from .world import HOSTILE, World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(demo: Any) -> World:
    return build_world()


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text_of(response: Any) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def park_url(world: World) -> str:
    return reverse("places:location", args=[world.park.pk])


# --- The association policy ------------------------------------------------------------------


def test_handling_code_c_only_for_police(demo: Any, world: World) -> None:
    everything = Association.objects.all()
    c_codes = set(everything.filter(handling_code="C").values_list("pk", flat=True))
    assert len(c_codes) == 2
    police = set(
        associations_visible_to(demo["police.officer"], everything).values_list("pk", flat=True)
    )
    assert c_codes <= police
    for username in ("school.dsl", "screener", "panel.chair", "analyst", "health.nurse"):
        seen = set(associations_visible_to(demo[username], everything).values_list("pk", flat=True))
        assert not (seen & c_codes), username
        assert len(seen) == everything.count() - 2


def test_place_access_levels(demo: Any) -> None:
    assert place_access_level(demo["police.officer"]) == PlaceLevel.FULL
    assert place_access_level(demo["screener"]) == PlaceLevel.FULL
    assert place_access_level(demo["analyst"]) == PlaceLevel.PSEUDONYMISED
    assert place_access_level(demo["manager"]) == PlaceLevel.PSEUDONYMISED
    assert place_access_level(demo["auditor"]) is None
    assert place_access_level(demo["admin"]) is None


# --- Location page ---------------------------------------------------------------------------


def test_location_page_in_full(demo: Any, world: World) -> None:
    response = client_for(demo["police.officer"]).get(park_url(world))
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert "Mare Street Park" in text
    assert "Kind Park" in text and "Postcode E8 1AA" in text and "Ward Hackney Central" in text
    # what happened here: the incident (people labelled) and the missing episode found here
    assert "Incident" in text and "Missing from care" in text
    assert (
        f'href="{reverse("people:record", args=[world.ada.pk])}">Ada Lovelock-Smith</a> (victim)'
        in html
    )
    assert "Dev Stone</a> (suspect)" in html
    assert "Found here" not in text  # the role is not shown for the child found here ...
    assert "Child Ada Lovelock-Smith" in text  # ... the child is
    # hostile text is inert
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    # who is associated: children and adults apart, Dev's C-coded association visible to police
    section = text[text.index("Who is associated") :]
    children, adults = section.index("Children (2)"), section.index("Adults (1)")
    assert children < section.index("Ada Lovelock-Smith") < adults
    assert children < section.index("Cal Rowntree") < adults < section.index("Dev Stone")


def test_location_page_for_a_non_police_practitioner(demo: Any, world: World) -> None:
    response = client_for(demo["school.dsl"]).get(park_url(world))
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    # Ada is education's child (named); Cal and Dev are not (initials, no link)
    assert "Ada Lovelock-Smith" in text
    assert "C.R." in text and "Cal" not in text and "Rowntree" not in text
    assert re.search(r"D\.S\. \(initials only: [^)]*\) \(suspect\)", text) and "Dev" not in text
    assert reverse("people:record", args=[world.dev.pk]) not in html
    # Dev's association with the park is handling code C: hidden, so no adults listed
    assert "Adults (" not in text
    # education can open Ada, involved in the incident, so its summary is shown
    assert "&lt;script&gt;alert" in html


def test_event_summary_hidden_when_the_user_may_open_no_one_involved(
    demo: Any, world: World
) -> None:
    response = client_for(demo["youth.worker"]).get(park_url(world))
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert "Not shown: you cannot open the records of the people involved." in text
    assert "alert" not in html and "HYPERLINK" not in html
    assert "A.L.S." in text


def test_pseudonymised_place_page_names_no_one(demo: Any, world: World) -> None:
    response = client_for(demo["analyst"]).get(park_url(world))
    html, text = response.content.decode(), text_of(response)
    assert response.status_code == 200
    assert "Mare Street Park" in text and "pseudonymised view" in text
    for secret in ("Ada", "Lovelock", "Cal", "Dev", "A.L", "C.R.", "D.S.", "alert(", HOSTILE[:20]):
        assert secret not in html, secret
    assert reverse("people:record", args=[world.ada.pk]) not in html
    assert "People involved 2" in text  # the incident's people, as a count
    assert "Children 2" in text and "Adults 0" in text


def test_place_pages_are_refused_to_roles_without_casework_or_analysis(
    demo: Any, world: World
) -> None:
    assert client_for(demo["auditor"]).get(park_url(world)).status_code == 403
    assert client_for(demo["admin"]).get(park_url(world)).status_code == 403
    response = Client().get(park_url(world))
    assert response.status_code == 302


def test_unknown_place_is_404(demo: Any, world: World) -> None:
    client = client_for(demo["police.officer"])
    assert client.get(reverse("places:location", args=[99999])).status_code == 404
    assert client.get(reverse("places:organisation", args=[99999])).status_code == 404


def test_each_place_view_is_logged(demo: Any, world: World) -> None:
    before = AccessLogEntry.objects.count()
    client_for(demo["police.officer"]).get(park_url(world))
    client_for(demo["analyst"]).get(reverse("places:organisation", args=[world.school.pk]))
    entries = list(AccessLogEntry.objects.filter(seq__gt=before).order_by("seq"))
    assert [(e.username, e.object_type, e.object_id) for e in entries] == [
        ("police.officer", "location", str(world.park.pk)),
        ("analyst", "organisation", str(world.school.pk)),
    ]
    assert "people_involved" in entries[0].fields
    assert entries[1].detail["level"] == "pseudonymised"


# --- Organisation page -----------------------------------------------------------------------


def test_organisation_page(demo: Any, world: World) -> None:
    response = client_for(demo["school.dsl"]).get(
        reverse("places:organisation", args=[world.school.pk])
    )
    text = text_of(response)
    assert response.status_code == 200
    assert "Organisation" in text and "Example Academy" in text and "Kind School" in text
    assert "School exclusion" in text and "Excluded" in text
    assert re.search(r"Children \(1\) .*Ada Lovelock-Smith.*Attends", text)


def test_place_chronology_filters_and_query_count(
    demo: Any, world: World, django_assert_max_num_queries: Any
) -> None:
    client = client_for(demo["police.officer"])
    response = client.get(park_url(world) + "?agency=education")
    assert "Nothing in the chronology matches these filters." in text_of(response)
    client.get(park_url(world))
    with django_assert_max_num_queries(35):
        assert client.get(park_url(world)).status_code == 200
