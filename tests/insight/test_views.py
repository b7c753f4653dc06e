"""The intelligence pages through Django's test client: who may see them, pseudonyms and never
names on analysts' pages, reviews with their reasons and access-log entries, and the "Derived
intelligence" section of a record naming only children the user may open."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from efh.core.models import AccessAction, AccessLogEntry
from efh.insight.models import CandidateReview, ReviewStatus
from efh.people.policy import pseudonym

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def candidate_urls(picture: dict[str, Any]) -> list[str]:
    return [
        reverse("insight:peer-groups"),
        reverse("insight:peer-group", kwargs={"code": "PG-0001"}),
        reverse("insight:adults"),
        reverse("insight:adult", kwargs={"code": "AD-0001"}),
        reverse("insight:co-missing"),
        reverse("insight:co-missing-group", kwargs={"code": "CM-0001"}),
        reverse("insight:person", kwargs={"person_id": picture["ids"]["c1"]}),
    ]


AGGREGATE_URLS = ["insight:overview", "insight:hotspots", "insight:trends"]


def all_names(picture: dict[str, Any]) -> list[str]:
    return [part for given_family in picture["names"].values() for part in given_family]


def test_analyst_sees_every_page_with_pseudonyms_and_no_names(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["analyst"])
    for url in candidate_urls(picture) + [reverse(n) for n in AGGREGATE_URLS]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for name in all_names(picture):
            assert name not in html, (url, name)
    page = client.get(reverse("insight:peer-group", kwargs={"code": "PG-0001"})).content.decode()
    for key in ("c1", "c2", "c3", "c4"):
        assert pseudonym(picture["ids"][key]) in page
    assert "candidate for professional review" in page
    assert "Ridley Road Market" in page and "Child criminal exploitation" in page
    assert "Four children were involved in 5 events together" in page
    assert "Why this exists" in page and "From what inputs" in page and "When computed" in page
    assert 'id="network-data"' in page
    for word in ("risk score", "watch list", "target list"):
        assert word not in page.lower()


def test_manager_sees_aggregates_but_not_candidates(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["manager"])
    for name in AGGREGATE_URLS:
        assert client.get(reverse(name)).status_code == 200
    for url in candidate_urls(picture):
        assert client.get(url).status_code == 403, url
    overview = client.get(reverse("insight:overview")).content.decode()
    assert reverse("insight:peer-groups") not in overview


@pytest.mark.parametrize("role", ["police.officer", "panel.chair", "screener", "auditor", "admin"])
def test_casework_audit_and_admin_roles_are_refused(picture: dict[str, Any], role: str) -> None:
    client = client_for(picture["users"][role])
    for url in candidate_urls(picture) + [reverse(n) for n in AGGREGATE_URLS]:
        response = client.get(url)
        assert response.status_code == 403, (role, url)
        for name in all_names(picture):
            assert name.encode() not in response.content


def test_anonymous_is_sent_to_sign_in(picture: dict[str, Any]) -> None:
    for url in candidate_urls(picture) + [reverse(n) for n in AGGREGATE_URLS]:
        response = Client().get(url)
        assert response.status_code == 302
        assert reverse("accounts:sign-in") in response["Location"]


def test_navigation_offers_intelligence_to_analysts_and_managers(picture: dict[str, Any]) -> None:
    home = reverse("pages:home")
    url = reverse("insight:overview")
    for role, shown in [("analyst", True), ("manager", True), ("panel.chair", False)]:
        html = client_for(picture["users"][role]).get(home).content.decode()
        assert (f'href="{url}"' in html) is shown, role


def test_viewing_a_candidate_is_access_logged_with_the_people_shown(
    picture: dict[str, Any],
) -> None:
    client = client_for(picture["users"]["analyst"])
    before = AccessLogEntry.objects.count()
    client.get(reverse("insight:peer-group", kwargs={"code": "PG-0001"}))
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert AccessLogEntry.objects.count() == before + 1
    assert entry is not None
    assert entry.action == AccessAction.VIEW
    assert (entry.object_type, entry.object_id) == ("candidate", "PG-0001")
    assert entry.detail["kind"] == "peer_group"
    ids = picture["ids"]
    assert entry.detail["persons"] == sorted(ids[k] for k in ("c1", "c2", "c3", "c4"))
    client.get(reverse("insight:adults"))
    listing = AccessLogEntry.objects.order_by("-seq").first()
    assert listing is not None and listing.object_type == "candidate"
    assert listing.detail["kind"] == "adult" and listing.object_id == ""
    assert listing.detail["persons"] == [ids["adult"]]
    client.get(reverse("insight:person", kwargs={"person_id": ids["c2"]}))
    person = AccessLogEntry.objects.order_by("-seq").first()
    assert person is not None and person.object_type == "person_connections"
    assert ids["c2"] in person.detail["persons"]


@pytest.mark.parametrize(
    ("url_name", "code", "decision", "object_type"),
    [
        ("insight:peer-group", "PG-0001", "confirmed", "candidate"),
        ("insight:adult", "AD-0001", "dismissed", "candidate"),
        ("insight:co-missing-group", "CM-0001", "confirmed", "candidate"),
    ],
)
def test_review_is_stored_with_its_reason_and_logged(
    picture: dict[str, Any], url_name: str, code: str, decision: str, object_type: str
) -> None:
    analyst = picture["users"]["analyst"]
    client = client_for(analyst)
    url = reverse(url_name, kwargs={"code": code})
    response = client.post(url, {"decision": decision, "reason": "Discussed at MACE on 3 Nov"})
    assert response.status_code == 302
    review = CandidateReview.objects.get()
    assert (review.decision, review.reason, review.reviewed_by) == (
        decision,
        "Discussed at MACE on 3 Nov",
        analyst,
    )
    assert review.candidate.code == code
    assert review.candidate.review_status == decision
    assert review.members  # the people at the time
    entry = AccessLogEntry.objects.filter(action=AccessAction.UPDATE).get()
    assert (entry.object_type, entry.object_id, entry.reason) == (
        object_type,
        code,
        "Discussed at MACE on 3 Nov",
    )
    assert entry.detail["decision"] == decision
    page = client.get(response["Location"]).content.decode()
    assert "Review saved" in page and "Discussed at MACE on 3 Nov" in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_review_without_a_reason_is_refused_and_nothing_stored(
    picture: dict[str, Any], reason: str
) -> None:
    client = client_for(picture["users"]["analyst"])
    url = reverse("insight:peer-group", kwargs={"code": "PG-0001"})
    response = client.post(url, {"decision": "confirmed", "reason": reason})
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and "Enter the reason for your decision" in html
    assert "<title>Error: " in html
    assert not CandidateReview.objects.exists()
    picture["pg"].refresh_from_db()
    assert picture["pg"].review_status == ReviewStatus.CANDIDATE
    assert not AccessLogEntry.objects.filter(action=AccessAction.UPDATE).exists()


def test_a_review_without_a_decision_is_refused(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["analyst"])
    url = reverse("insight:peer-group", kwargs={"code": "PG-0001"})
    response = client.post(url, {"reason": "No idea"})
    assert response.status_code == 400
    assert b"Choose whether to confirm or dismiss this candidate" in response.content
    assert not CandidateReview.objects.exists()


def test_casework_roles_cannot_review(picture: dict[str, Any]) -> None:
    for role in ("police.officer", "panel.chair", "manager"):
        client = client_for(picture["users"][role])
        url = reverse("insight:peer-group", kwargs={"code": "PG-0001"})
        assert client.post(url, {"decision": "confirmed", "reason": "x"}).status_code == 403
    assert not CandidateReview.objects.exists()


def test_unknown_candidate_and_person_are_404(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["analyst"])
    assert client.get(reverse("insight:peer-group", kwargs={"code": "PG-9999"})).status_code == 404
    # A code of another kind is not found under this kind's address.
    assert client.get(reverse("insight:adult", kwargs={"code": "PG-0001"})).status_code == 404
    assert client.get(reverse("insight:person", kwargs={"person_id": 999999})).status_code == 404


def test_adults_list_shows_the_ordering_rule_and_counts_and_no_children(
    picture: dict[str, Any],
) -> None:
    html = client_for(picture["users"]["analyst"]).get(reverse("insight:adults")).content.decode()
    assert "Ordered by children linked directly, then through one other person" in html
    assert pseudonym(picture["ids"]["adult"]) in html
    assert "Linked directly to 2 children in 2 different peer groups" in html
    for key in ("c1", "c2", "c3", "c4"):  # adults only: no child on this list
        assert pseudonym(picture["ids"][key]) not in html


def test_list_filters_by_review_status(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["analyst"])
    url = reverse("insight:peer-groups")
    assert "PG-0001" in client.get(url + "?status=candidate").content.decode()
    assert "PG-0001" not in client.get(url + "?status=confirmed").content.decode()


def test_hotspots_table_filters_and_map_data(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["analyst"])
    html = client.get(reverse("insight:hotspots")).content.decode()
    assert "Ridley Road Market" in html and "Hackney Central station" in html
    assert "4.21" in html and "0.001" in html and "Dalston" in html
    assert 'id="hotspot-map-data"' in html
    only = client.get(reverse("insight:hotspots") + "?harm_type=cse").content.decode()
    assert "Hackney Central station" in only and "Ridley Road Market" not in only
    emerging = client.get(reverse("insight:hotspots") + "?status=emerging").content.decode()
    assert "Ridley Road Market" in emerging and "Hackney Central station" not in emerging


def test_trends_suppress_small_counts_and_chart_harm_by_month(picture: dict[str, Any]) -> None:
    html = client_for(picture["users"]["manager"]).get(reverse("insight:trends")).content.decode()
    assert "Events by harm type and month" in html
    assert "Child criminal exploitation" in html and "Oct 2026" in html
    assert "fewer than 5" in html
    assert "<svg" in html and "efh-chart__bar--suppressed" in html
    assert "Dalston" in html  # ward codes as names
    assert "October" in html and "1.35" in html  # seasonality


def test_overview_without_a_refresh_says_so(demo: dict[str, Any]) -> None:
    html = client_for(demo["analyst"]).get(reverse("insight:overview")).content.decode()
    assert "No refresh yet" in html and "efh refresh" in html


def test_overview_says_when_and_from_what(picture: dict[str, Any]) -> None:
    html = client_for(picture["users"]["analyst"]).get(reverse("insight:overview")).content.decode()
    assert "1 November 2026" in html and "12 events" in html
    assert "the 365 days up to the snapshot" in html


def test_record_section_names_only_children_the_practitioner_may_open(
    picture: dict[str, Any],
) -> None:
    ids = picture["ids"]
    client = client_for(picture["users"]["police.officer"])
    html = client.get(reverse("people:record", kwargs={"person_id": ids["c1"]})).content.decode()
    assert "Derived intelligence" in html
    assert "peer-group candidate (PG-0001) with 3 other children" in html
    assert "1 of them is a child whose record you can open" in html
    assert "Peregrine Vantongeren" in html  # a police child: openable
    for key in ("c2", "c4"):  # other agencies' children: not named, not linked
        assert picture["names"][key][0] not in html and picture["names"][key][1] not in html
        assert reverse("people:record", kwargs={"person_id": ids[key]}) not in html
    assert "group of children missing together (CM-0001) with 2 other children" in html
    assert reverse("insight:peer-groups") not in html


def test_panel_chair_sees_every_child_named(picture: dict[str, Any]) -> None:
    ids = picture["ids"]
    client = client_for(picture["users"]["panel.chair"])
    html = client.get(reverse("people:record", kwargs={"person_id": ids["c1"]})).content.decode()
    assert "3 of them are children whose records you can open" in html
    for key in ("c2", "c3", "c4"):
        assert " ".join(picture["names"][key]) in html


def test_adult_record_says_derived_as_linked_to_children(picture: dict[str, Any]) -> None:
    client = client_for(picture["users"]["police.officer"])
    url = reverse("people:record", kwargs={"person_id": picture["ids"]["adult"]})
    html = client.get(url).content.decode()
    assert "Derived as an adult linked to 3 children" in html
    assert "candidate for professional review" in html
    assert picture["names"]["c2"][0] not in html


def test_record_without_derived_items_has_no_section(
    picture: dict[str, Any], make_person: Any
) -> None:
    other = make_person(source="police", given_name="Solo", family_name="Nobody")
    client = client_for(picture["users"]["police.officer"])
    html = client.get(reverse("people:record", kwargs={"person_id": other.pk})).content.decode()
    assert "Derived intelligence" not in html


def test_pseudonymised_record_links_the_analyst_to_candidates(picture: dict[str, Any]) -> None:
    ids = picture["ids"]
    client = client_for(picture["users"]["analyst"])
    html = client.get(reverse("people:record", kwargs={"person_id": ids["c1"]})).content.decode()
    assert reverse("insight:peer-group", kwargs={"code": "PG-0001"}) in html
    assert reverse("insight:person", kwargs={"person_id": ids["c1"]}) in html
    manager = client_for(picture["users"]["manager"])
    html = manager.get(reverse("people:record", kwargs={"person_id": ids["c1"]})).content.decode()
    assert "PG-0001" not in html


@pytest.mark.parametrize("role", ["analyst", "manager"])
def test_home_page_links_analysts_and_managers_to_the_intelligence_picture(
    picture: dict[str, Any], role: str
) -> None:
    html = client_for(picture["users"][role]).get("/").content.decode()  # the home page
    assert f'href="{reverse("insight:overview")}">The intelligence picture</a>' in html
    assert "hotspots on a map and trends by harm type" in html
    assert "later release" not in html
    assert ("for professional review" in html) is (role == "analyst")
