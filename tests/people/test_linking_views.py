"""The identity linkage screens: the review queue and one pair, deciding and moving on, merges
and unmerging, link runs with their progress, and the record page of a merged person. Only the
link-review capability opens them, and every page showing people's details is logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from efh.core.models import AccessLogEntry
from efh.intelligence.linkage import HELD_BACK
from efh.people.models import (
    Address,
    Alias,
    HeldBack,
    LinkDecision,
    LinkRun,
    Merge,
    Person,
    PersonRecord,
    ReviewPair,
)
from efh.people.services import persons_merge

NOW = datetime.now(tz=UTC)
COMPARISON = [
    {
        "field": "date_of_birth",
        "label": "Date of birth",
        "level": "exact",
        "weight": 6.4,
        "words": "The same date of birth",
    },
    {
        "field": "given_name",
        "label": "Given name",
        "level": "nickname",
        "weight": 1.2,
        "words": "A known nickname of the other",
    },
    {
        "field": "postcode",
        "label": "Postcode",
        "level": "else",
        "weight": -2.7,
        "words": "Different postcodes",
    },
]


def _pair(make_person: Any, given: str, weight: float, **b_fields: Any) -> ReviewPair:
    a = make_person(given_name=given, family_name="Okonkwo-Reyes", nhs_number="9434765919")
    b = make_person(
        source="health",
        given_name=given[:3] + "die",
        family_name="Okonkwo-Reyes",
        nhs_number="",
        **b_fields,
    )
    ra, rb = a.records.get(), b.records.get()
    Alias.objects.create(record=rb, name="Little O")
    Address.objects.create(record=ra, address="1 Mare Street", postcode="E8 1AA", valid_from=NOW)
    Address.objects.create(record=rb, address="9 Dalston Lane", postcode="E8 3AZ", valid_from=NOW)
    return ReviewPair.objects.create(
        record_a=ra,
        record_b=rb,
        match_weight=weight,
        match_probability=2**weight / (1 + 2**weight),
        comparison=COMPARISON,
        created_at=NOW,
    )


@pytest.fixture
def reviewer(demo: Any) -> Client:
    client = Client()
    client.force_login(demo["data.quality"])
    return client


def test_only_link_reviewers_open_the_screens(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    pair = _pair(make_person, "Theodora", 3.0)
    urls = [
        reverse("people:link-review"),
        reverse("people:link-pair", kwargs={"pk": pair.pk}),
        reverse("people:merges"),
        reverse("people:link-runs"),
    ]
    officer = Client()
    officer.force_login(demo["police.officer"])
    for url in urls:
        assert officer.get(url).status_code == 403
        assert reviewer.get(url).status_code == 200
        assert Client().get(url).status_code == 302
    home = reviewer.get(reverse("pages:home")).content.decode()
    assert f'href="{reverse("people:link-review")}"' in home
    assert "Record links" not in officer.get(reverse("pages:home")).content.decode()


def test_queue_lists_open_pairs_highest_weight_first_and_is_logged(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    low = _pair(make_person, "Ignatius", 1.5)
    high = _pair(make_person, "Theodora", 4.0)
    decided = _pair(make_person, "Wilhelmina", 5.0)
    LinkDecision.objects.create(
        record_a=decided.record_a,
        record_b=decided.record_b,
        decision="not_sure",
        decided_by=demo["screener"],
        decided_at=NOW,
        note="Twins?",
    )
    response = reviewer.get(reverse("people:link-review"))
    html = response.content.decode()
    assert html.index("Theodora") < html.index("Ignatius")
    assert "Wilhelmina" not in html
    assert "To review (2)" in html and "Not sure (1)" in html and "Decided (1)" in html
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.object_type == "link_review_queue" and entry.username == "data.quality"
    assert set(entry.detail["records"]) == {
        low.record_a_id,
        low.record_b_id,
        high.record_a_id,
        high.record_b_id,
    }

    not_sure = reviewer.get(reverse("people:link-review") + "?list=not_sure").content.decode()
    assert "Wilhelmina" in not_sure and "Twins?" in not_sure and "Theodora" not in not_sure
    done = reviewer.get(reverse("people:link-review") + "?list=decided").content.decode()
    assert "Not sure" in done and "Sam Example" in done  # who decided


def test_pair_side_by_side_with_contributions_in_plain_words(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    pair = _pair(make_person, "Theodora", 3.0)
    other = make_person(source="education", person=pair.record_a.person, given_name="Teddy")
    response = reviewer.get(reverse("people:link-pair", kwargs={"pk": pair.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    p = response.context["p"]
    states = {row.name: row.state for row in p.rows}
    assert states["family_name"] == "agrees"
    assert states["given_name"] == "disagrees"
    assert states["nhs_number"] == "missing"
    assert states["postcode"] == "disagrees"
    assert "Little O" in html and "1 Mare Street" in html
    assert "88.9%" in html  # 2**3 / (1 + 2**3)
    assert "Strong evidence that they are the same person (84 times more likely" in html
    assert "Moderate evidence that they are different" in html
    assert "Teddy" in html and other.pk == pair.record_a.person_id
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.object_type == "review_pair" and entry.object_id == str(pair.pk)
    assert entry.detail["records"] == [pair.record_a_id, pair.record_b_id]


def test_a_pair_held_back_from_linking_says_why(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    held = _pair(make_person, "Theodora", 9.0)
    held.held_back = "names_only"
    held.save()
    html = reviewer.get(reverse("people:link-pair", kwargs={"pk": held.pk})).content.decode()
    assert "Why they were not linked automatically" in html
    assert (
        "high enough to link these records automatically, but nothing but names and sex agree"
        in html
    )
    plain = _pair(make_person, "Augustin", 1.0)
    html = reviewer.get(reverse("people:link-pair", kwargs={"pk": plain.pk})).content.decode()
    assert "Why the model could not decide" in html and "high enough" not in html
    queue = reviewer.get(reverse("people:link-review")).content.decode()
    assert queue.count("high enough, but not linked automatically") == 1
    # The model's reasons are all worded on the screen.
    assert set(HELD_BACK) < set(HeldBack.values)


def test_deciding_goes_to_the_next_pair_then_back_to_the_queue(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    first = _pair(make_person, "Theodora", 4.0)
    second = _pair(make_person, "Ignatius", 2.0)
    url = reverse("people:link-pair", kwargs={"pk": first.pk})

    missing = reviewer.post(url, {"note": "no decision"})
    assert missing.status_code == 400
    assert "Choose whether these records are about the same person" in missing.content.decode()

    response = reviewer.post(url, {"decision": "same", "note": "Same NHS number"})
    next_url = reverse("people:link-pair", kwargs={"pk": second.pk})
    assert response.status_code == 302 and response["Location"] == f"{next_url}?decided={first.pk}"
    merge = Merge.objects.get()
    assert merge.reason == "Same NHS number"
    assert PersonRecord.objects.get(pk=first.record_b_id).person_id == merge.survivor_id
    page = reviewer.get(response["Location"]).content.decode()
    assert "Decision saved: same person; the two people are merged" in page

    response = reviewer.post(next_url, {"decision": "different"})
    assert response["Location"] == f"{reverse('people:link-review')}?decided={second.pk}"
    assert Merge.objects.count() == 1
    assert LinkDecision.objects.get(record_a=second.record_a).decision == "different"


def test_unmerge_from_the_merges_page(demo: Any, make_person: Any, reviewer: Client) -> None:
    a = make_person(given_name="Perpetua")
    b = make_person(source="health", given_name="Perpetua")
    c = make_person(source="education", given_name="Perpetua")
    first = persons_merge(actor=demo["screener"], survivor=b, absorbed=c, reason="Same school")
    second = persons_merge(actor=demo["screener"], survivor=a, absorbed=b, reason="Same NHS")
    listing = reviewer.get(reverse("people:merges") + f"?person={a.pk}").content.decode()
    assert reverse("people:merge-undo", kwargs={"pk": second.pk}) in listing
    assert "Same NHS" in listing

    undo_first = reverse("people:merge-undo", kwargs={"pk": first.pk})
    blocked = reviewer.get(undo_first).content.decode()
    assert f"undo merge {second.pk} first" in blocked
    assert reverse("people:merge-undo", kwargs={"pk": second.pk}) in blocked
    refused = reviewer.post(undo_first, {"reason": "Different"})
    assert refused.status_code == 400 and Merge.objects.get(pk=first.pk).unmerged_at is None

    undo = reverse("people:merge-undo", kwargs={"pk": second.pk})
    assert reviewer.post(undo, {"reason": ""}).status_code == 400
    response = reviewer.post(undo, {"reason": "Different children: checked with health"})
    assert response.status_code == 302
    assert f"undone={second.pk}" in response["Location"]
    assert Merge.objects.get(pk=second.pk).unmerged_at is not None
    assert PersonRecord.objects.filter(person=a).count() == 1
    entry = AccessLogEntry.objects.filter(object_type="merge", object_id=str(second.pk)).last()
    assert entry is not None and entry.detail["unmerged"] is True


def test_merge_two_people_from_the_merge_page(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    a = make_person(given_name="Bartholomew")
    b = make_person(source="health", given_name="Bart")
    url = reverse("people:merge-persons") + f"?a={b.pk}&b={a.pk}"
    page = reviewer.get(url)
    assert page.status_code == 200 and "Bartholomew" in page.content.decode()
    assert AccessLogEntry.objects.order_by("-seq").first().object_type == "merge"
    response = reviewer.post(url, {"reason": "Same PNC id"})
    assert response.status_code == 302
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id) == (a.pk, b.pk)
    again = reviewer.get(url).content.decode()
    assert "already been merged" in again
    assert reviewer.get(reverse("people:merge-persons") + "?a=1").status_code == 404


def test_link_runs_show_progress_and_refresh_while_running(demo: Any, reviewer: Client) -> None:
    # Now, not the module's import time: in a long suite that is minutes old, and a heartbeat
    # older than two minutes means the run was interrupted.
    now = datetime.now(tz=UTC)
    LinkRun.objects.create(
        kind="full",
        started_by="efh link",
        started_at=now - timedelta(hours=1),
        heartbeat_at=now - timedelta(minutes=50),
        stage="predicting",
        done=10,
        total=40,
    )
    url = reverse("people:link-runs")
    page = reviewer.get(url).content.decode()
    assert "Interrupted: nothing was changed" in page
    assert 'hx-trigger="every 2s"' not in page  # nothing is running
    running = LinkRun.objects.create(
        kind="incremental",
        started_by="efh link",
        started_at=now,
        heartbeat_at=now,
        stage="Comparing pairs",
        done=1500,
        total=6000,
        figures={"records": 12000, "pairs": 345678},
    )
    page = reviewer.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in page and ">Refresh<" in page
    assert '<progress class="efh-progress" max="6000" value="1500"' in page
    assert "1,500 of 6,000 (25%)" in page and "Pairs: 345,678" in page
    partial = reviewer.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="link-runs"') and "<html" not in partial
    assert f"Run {running.pk}" in partial


def test_a_merged_persons_record_leads_to_the_survivor(
    demo: Any, make_person: Any, reviewer: Client
) -> None:
    a = make_person(given_name="Ottilie")
    b = make_person(source="health", given_name="Ottilie")
    merge = persons_merge(actor=demo["screener"], survivor=a, absorbed=b, reason="Same NHS")
    screener = Client()
    screener.force_login(demo["screener"])
    response = screener.get(reverse("people:record", kwargs={"person_id": b.pk}))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:record", kwargs={"person_id": a.pk})
    page = screener.get(response["Location"]).content.decode()
    assert "Merged records" in page
    assert reverse("people:merge-undo", kwargs={"pk": merge.pk}) in page
    officer = Client()
    officer.force_login(demo["police.officer"])
    page = officer.get(reverse("people:record", kwargs={"person_id": a.pk})).content.decode()
    assert "Merged records" not in page
    assert Person.objects.get(pk=b.pk).merged_into_id == a.pk
