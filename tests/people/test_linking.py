"""Merge, unmerge and review decisions (``people.services.linking``): a merge moves records and
what hangs off the person, an unmerge puts back exactly that, bulk merges take a fixed number
of queries, decisions are remembered and "different people" is never overridden."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contexts.world import World, build_world
from contexts.world import record as world_record
from efh.concerns.models import ConcernDraft, Event, EventPerson, PhilomenaProfile
from efh.contexts.models import Association
from efh.core.models import AccessLogEntry
from efh.people.models import (
    BreakGlassAccess,
    Involvement,
    InvolvementKind,
    LawfulBasis,
    LinkDecision,
    LinkRun,
    LinkRunKind,
    Merge,
    Person,
    PersonRecord,
    ReviewPair,
    SharingDecision,
    SharingScope,
    SpecialCategoryCondition,
)
from efh.people.selectors.linking import (
    RunRow,
    compare_field,
    contributions,
    different_pairs,
    next_pair_id,
    not_sure_pairs,
    open_pairs,
    survivor_of,
    unmerge_blocker,
)
from efh.people.services import (
    MergeError,
    MergePlan,
    UnmergeBlocked,
    link_decide,
    merge_undo,
    persons_merge,
    persons_merge_many,
)

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def _hangers(person: Person, user: Any, *, philomena: bool = True) -> None:
    """Rows that hang off the person itself: one of each kind."""
    Involvement.objects.create(
        person=person, user=user, kind=InvolvementKind.ALLOCATED, started_at=NOW
    )
    SharingDecision.objects.create(
        person=person,
        shared_by=user,
        to_user=user,
        scope=SharingScope.CHRONOLOGY,
        purpose="Strategy meeting",
        lawful_basis=LawfulBasis.PUBLIC_TASK,
        condition=SpecialCategoryCondition.SAFEGUARDING,
        decided_at=NOW,
    )
    BreakGlassAccess.objects.create(
        person=person,
        user=user,
        reason="Found late at night with a missing child",
        opened_at=NOW,
        expires_at=NOW + timedelta(hours=2),
        log_seq=1,
    )
    ConcernDraft.objects.create(user=user, person=person, data={"summary": ["draft"]})
    if philomena:
        PhilomenaProfile.objects.create(
            person=person, description="Red coat", updated_at=NOW, updated_by=user
        )


def snapshot(*people: Person) -> dict[int, dict[str, set[int]]]:
    """Everything a person's record page is made of, by person: records, the chronology's
    events and missing episodes (through the records), associations and person-level rows."""
    from efh.concerns.models import MissingEpisode

    found = {}
    for person in people:
        records = set(PersonRecord.objects.filter(person=person).values_list("pk", flat=True))
        found[person.pk] = {
            "records": records,
            "events": set(
                EventPerson.objects.filter(record__person=person).values_list("event_id", flat=True)
            ),
            "episodes": set(
                MissingEpisode.objects.filter(record__person=person).values_list("pk", flat=True)
            ),
            "associations": set(
                Association.objects.filter(record__person=person).values_list("pk", flat=True)
            ),
            **{
                name: set(model.objects.filter(person=person).values_list("pk", flat=True))
                for name, model in [
                    ("involvements", Involvement),
                    ("sharing", SharingDecision),
                    ("glass", BreakGlassAccess),
                    ("drafts", ConcernDraft),
                    ("philomena", PhilomenaProfile),
                ]
            },
        }
    return found


@pytest.fixture
def world(demo: Any) -> World:
    return build_world()


@pytest.fixture
def reviewer(demo: Any) -> Any:
    return demo["data.quality"]


def test_merge_then_unmerge_restores_exactly(world: World, demo: Any, reviewer: Any) -> None:
    officer = demo["police.officer"]
    # A second person for Ada: health's record, with its own event and an association.
    other = Person.objects.create()
    health = world_record(other, "health", "Adah", "Lovelock", date_of_birth=None)
    ae = Event.objects.get(pk=world.ae.pk)
    EventPerson.objects.filter(event=ae).update(record=health)
    _hangers(other, officer)
    _hangers(world.ada, officer, philomena=False)
    before = snapshot(world.ada, other)
    assert before[other.pk]["events"] == {ae.pk} and before[other.pk]["philomena"]

    merge = persons_merge(
        actor=reviewer,
        survivor=world.ada,
        absorbed=other,
        reason="Same child: health spells her name Adah",
        evidence=(world.ada_police.pk, health.pk),
    )
    after = snapshot(world.ada, other)
    for kind, ids in before[other.pk].items():
        assert after[world.ada.pk][kind] == before[world.ada.pk][kind] | ids, kind
        assert after[other.pk][kind] == set(), kind
    other.refresh_from_db()
    assert other.merged_into_id == world.ada.pk
    assert merge.records == [health.pk]
    assert set(merge.moved) == {
        "involvement",
        "sharing_decision",
        "break_glass",
        "concern_draft",
        "philomena_profile",
    }
    assert survivor_of(other.pk) == world.ada.pk

    # A record that arrives for the survivor after the merge stays with it.
    late = world_record(world.ada, "education", "Ada", "Lovelock-Smith")
    merge_undo(actor=reviewer, merge=merge, reason="Different children: checked with the school")

    restored = snapshot(world.ada, other)
    assert restored[other.pk] == before[other.pk]
    assert restored[world.ada.pk] == {
        **before[world.ada.pk],
        "records": before[world.ada.pk]["records"] | {late.pk},
    }
    other.refresh_from_db()
    merge.refresh_from_db()
    assert other.merged_into_id is None and survivor_of(other.pk) is None
    assert merge.unmerged_by == reviewer and merge.unmerged_at is not None
    assert "school" in merge.unmerge_reason
    # The model is told never to link them again.
    pair = tuple(sorted((world.ada_police.pk, health.pk)))
    decision = LinkDecision.objects.get(record_a_id=pair[0], record_b_id=pair[1])
    assert decision.decision == "different" and decision.decided_by == reviewer
    assert pair in different_pairs()
    logged = AccessLogEntry.objects.filter(object_type="merge", object_id=str(merge.pk))
    assert logged.count() == 2
    assert {e.username for e in logged} == {"data.quality"}


def test_both_philomena_profiles_stay_where_they_are(demo: Any, make_person: Any) -> None:
    officer, reviewer = demo["police.officer"], demo["data.quality"]
    a, b = make_person(), make_person(source="health")
    for p in (a, b):
        PhilomenaProfile.objects.create(person=p, updated_at=NOW, updated_by=officer)
    merge = persons_merge(actor=reviewer, survivor=a, absorbed=b, reason="Same NHS number")
    kept = merge.moved["philomena_profile_kept_on_absorbed"]
    assert kept["id"] == PhilomenaProfile.objects.get(person=b).pk
    assert "philomena_profile" not in merge.moved
    merge_undo(actor=reviewer, merge=merge, reason="Different: twins")
    assert PhilomenaProfile.objects.filter(person=b).exists()


def test_unmerge_refused_while_a_later_merge_depends_on_it(
    demo: Any, make_person: Any, reviewer: Any
) -> None:
    a, b, c = make_person(), make_person(source="health"), make_person(source="education")
    first = persons_merge(actor=reviewer, survivor=b, absorbed=c, reason="Same school record")
    second = persons_merge(actor=reviewer, survivor=a, absorbed=b, reason="Same NHS number")
    with pytest.raises(UnmergeBlocked) as refused:
        merge_undo(actor=reviewer, merge=first, reason="Wrong")
    assert refused.value.first == second
    assert f"undo merge {second.pk} first" in refused.value.messages[0]
    assert Merge.objects.get(pk=first.pk).unmerged_at is None  # nothing changed
    assert set(PersonRecord.objects.filter(person=a).values_list("person_id", flat=True)) == {a.pk}
    assert PersonRecord.objects.filter(person=a).count() == 3

    merge_undo(actor=reviewer, merge=second, reason="Different children")
    merge_undo(actor=reviewer, merge=first, reason="Different children too")
    for p in (a, b, c):
        assert PersonRecord.objects.filter(person=p).count() == 1
    with pytest.raises(MergeError, match="already been undone"):
        merge_undo(actor=reviewer, merge=first, reason="Again")


def test_unmerge_refused_when_a_record_has_moved_on(
    demo: Any, make_person: Any, reviewer: Any
) -> None:
    a, b, c = make_person(), make_person(source="health"), make_person()
    merge = persons_merge(actor=reviewer, survivor=a, absorbed=b, reason="Same")
    PersonRecord.objects.filter(person=a, source="health").update(person=c)
    blocker = unmerge_blocker(merge)
    assert blocker is not None and "has since moved to person" in blocker.message
    with pytest.raises(UnmergeBlocked):
        merge_undo(actor=reviewer, merge=merge, reason="Different")


def test_merges_are_refused_when_they_cannot_be_made(
    demo: Any, make_person: Any, reviewer: Any
) -> None:
    a, b, c = make_person(), make_person(), make_person()
    with pytest.raises(MergeError, match="flatten"):
        persons_merge_many(
            plans=[MergePlan(a.pk, b.pk), MergePlan(b.pk, c.pk)], run=None, actor=None, reason=""
        )
    persons_merge(actor=reviewer, survivor=a, absorbed=b, reason="Same")
    with pytest.raises(MergeError, match="already been merged"):
        persons_merge(actor=reviewer, survivor=b, absorbed=c, reason="Same")
    with pytest.raises(MergeError, match="reason"):
        persons_merge(actor=reviewer, survivor=a, absorbed=c, reason=" ")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        persons_merge(actor=demo["police.officer"], survivor=a, absorbed=c, reason="Same")


def _pairs_of_people(make_person: Any, n: int, user: Any) -> list[MergePlan]:
    plans = []
    for i in range(n):
        s = make_person(given_name=f"Bulk{i}")
        a = make_person(source="health", given_name=f"Bulk{i}")
        make_person(source="education", person=a)
        Involvement.objects.create(person=a, user=user, kind="involved", started_at=NOW)
        if i % 2:
            PhilomenaProfile.objects.create(person=a, updated_at=NOW, updated_by=user)
        ra, rb = (
            PersonRecord.objects.filter(person=p).values_list("pk", flat=True)[0] for p in (s, a)
        )
        ReviewPair.objects.create(
            record_a_id=min(ra, rb),
            record_b_id=max(ra, rb),
            match_weight=3.0,
            match_probability=0.9,
            created_at=NOW,
        )
        plans.append(MergePlan(s.pk, a.pk, (ra, rb), 12.5))
    return plans


def test_bulk_merge_takes_the_same_number_of_queries_whatever_the_number_of_plans(
    demo: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    officer = demo["police.officer"]
    counts = []
    # The first merge also starts the access log's chain (one more query): not counted.
    for n in (1, 3, 40):
        plans = _pairs_of_people(make_person, n, officer)
        run = LinkRun.objects.create(
            kind=LinkRunKind.FULL, started_by="test", started_at=NOW, heartbeat_at=NOW
        )
        logged = AccessLogEntry.objects.count()
        with CaptureQueriesContext(connection) as queries:
            merges = persons_merge_many(plans=plans, run=run, actor=None, reason="link run")
        counts.append(len(queries))
        assert len(merges) == n and all(m.pk for m in merges)
        assert AccessLogEntry.objects.count() == logged + 1  # one entry for the run
        entry = AccessLogEntry.objects.order_by("-seq").first()
        assert entry.detail["merges"] == n and entry.object_type == "link_run"
        for plan, merge in zip(plans, merges, strict=True):
            assert merge.run == run and len(merge.records) == 2
            assert PersonRecord.objects.filter(person_id=plan.survivor_id).count() == 3
            assert Involvement.objects.filter(person_id=plan.survivor_id).count() == 1
        assert not ReviewPair.objects.filter(resolved_at__isnull=True).exists()
    assert counts[1] == counts[2]
    plans = _pairs_of_people(make_person, 60, officer)
    with django_assert_max_num_queries(30):
        persons_merge_many(plans=plans, run=None, actor=None, reason="bulk")


@pytest.mark.parametrize("how", ["persons_merge_many", "persons_merge_run"])
def test_a_large_batch_of_merges_is_written_in_bulk_and_undone_exactly(
    how: str, demo: Any, make_person: Any, reviewer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches of BATCH plans or more are written with COPY (PostgreSQL) or executemany, and a
    link run's merges set-based on PostgreSQL: the same merges as the small path."""
    from efh.people.services import linking

    monkeypatch.setattr(linking, "BATCH", 4)
    plans = _pairs_of_people(make_person, 9, demo["police.officer"])
    run = LinkRun.objects.create(
        kind=LinkRunKind.FULL, started_by="test", started_at=NOW, heartbeat_at=NOW
    )
    logged = AccessLogEntry.objects.count()
    if how == "persons_merge_run":
        totals = linking.persons_merge_run(plans=plans, run=run, reason="link run")
        assert totals.merges == 9 and totals.records == 18
        by_absorbed = {m.absorbed_id: m for m in Merge.objects.filter(run=run)}
        merges = [by_absorbed[p.absorbed_id] for p in plans]
    else:
        merges = persons_merge_many(plans=plans, run=run, actor=None, reason="link run")
    assert AccessLogEntry.objects.count() == logged + 1

    stored = {m.pk: m for m in Merge.objects.filter(run=run)}
    assert sorted(stored) == sorted(m.pk for m in merges)
    for plan, merge in zip(plans, merges, strict=True):
        row = stored[merge.pk]
        assert row.evidence_a_id == plan.evidence[0] and row.match_weight == plan.match_weight
        assert (row.survivor_id, row.absorbed_id) == (plan.survivor_id, plan.absorbed_id)
        assert len(row.records) == 2 and row.moved.get("involvement")
        assert row.reason == "link run" and row.unmerged_at is None
        assert Person.objects.get(pk=plan.absorbed_id).merged_into_id == plan.survivor_id
    undone = stored[merges[4].pk]
    merge_undo(actor=reviewer, merge=undone, reason="Different children")
    assert sorted(
        PersonRecord.objects.filter(person_id=undone.absorbed_id).values_list("pk", flat=True)
    ) == sorted(undone.records)


def _review_pair(make_person: Any, weight: float = 2.0) -> ReviewPair:
    a = make_person(given_name="Jo", family_name="Bloggs")
    b = make_person(source="health", given_name="Joanne", family_name="Bloggs")
    ra, rb = (p.records.get().pk for p in (a, b))
    return ReviewPair.objects.create(
        record_a_id=ra,
        record_b_id=rb,
        match_weight=weight,
        match_probability=0.8,
        created_at=NOW,
        comparison=[
            {
                "field": "dob",
                "label": "Date of birth",
                "level": "exact",
                "weight": 6.1,
                "words": "Same date",
            },
            {
                "field": "given",
                "label": "Given name",
                "level": "else",
                "weight": -3.2,
                "words": "Different",
            },
        ],
    )


def test_same_person_merges_and_resolves_the_pair(
    demo: Any, make_person: Any, reviewer: Any
) -> None:
    pair = _review_pair(make_person)
    other = _review_pair(make_person, weight=1.0)
    assert list(open_pairs()) == [pair, other]
    assert next_pair_id() == pair.pk
    ra = PersonRecord.objects.get(pk=pair.record_a_id)
    rb = PersonRecord.objects.get(pk=pair.record_b_id)
    decision = link_decide(
        actor=reviewer, record_a_id=rb.pk, record_b_id=ra.pk, decision="same", note="Same DOB"
    )
    assert (decision.record_a_id, decision.record_b_id) == (ra.pk, rb.pk)
    ra.refresh_from_db()
    rb.refresh_from_db()
    assert ra.person_id == rb.person_id == min(ra.person_id, rb.person_id)
    merge = Merge.objects.get()
    assert (merge.evidence_a_id, merge.evidence_b_id) == (ra.pk, rb.pk)
    assert merge.decided_by == reviewer and merge.reason == "Same DOB"
    pair.refresh_from_db()
    assert pair.resolved_at is not None
    assert list(open_pairs()) == [other] and next_pair_id(after=other) is None
    kinds = list(AccessLogEntry.objects.order_by("seq").values_list("object_type", flat=True))
    assert kinds[-2:] == ["link_decision", "merge"]


def test_not_sure_leaves_the_queue_for_a_second_reviewer(
    demo: Any, make_person: Any, reviewer: Any
) -> None:
    pair = _review_pair(make_person)
    link_decide(
        actor=reviewer,
        record_a_id=pair.record_a_id,
        record_b_id=pair.record_b_id,
        decision="not_sure",
        note="Could be twins",
    )
    assert list(open_pairs()) == []
    assert list(not_sure_pairs()) == [pair]
    # A second reviewer decides; the decision changes, not duplicates.
    link_decide(
        actor=demo["screener"],
        record_a_id=pair.record_a_id,
        record_b_id=pair.record_b_id,
        decision="different",
    )
    decision = LinkDecision.objects.get()
    assert decision.decision == "different" and decision.decided_by == demo["screener"]
    assert list(not_sure_pairs()) == []
    entry = AccessLogEntry.objects.filter(object_type="link_decision").order_by("-seq").first()
    assert entry.action == "update" and entry.detail["previous"] == "not_sure"


def test_different_is_never_overridden_by_the_model_but_a_person_may_change_it(
    demo: Any, make_person: Any, reviewer: Any
) -> None:
    pair = _review_pair(make_person)
    link_decide(
        actor=reviewer,
        record_a_id=pair.record_a_id,
        record_b_id=pair.record_b_id,
        decision="different",
    )
    pa = PersonRecord.objects.get(pk=pair.record_a_id).person_id
    pb = PersonRecord.objects.get(pk=pair.record_b_id).person_id
    assert pa != pb and (pair.record_a_id, pair.record_b_id) in different_pairs()
    with pytest.raises(MergeError, match="different people"):
        persons_merge_many(plans=[MergePlan(pa, pb)], run=None, actor=None, reason="model")
    assert not Merge.objects.exists()
    # The reviewer changes their mind: the decision changes and the two are merged.
    link_decide(
        actor=reviewer,
        record_a_id=pair.record_a_id,
        record_b_id=pair.record_b_id,
        decision="same",
    )
    assert Merge.objects.get().absorbed_id == max(pa, pb)
    assert different_pairs() == []


def test_decisions_are_for_link_reviewers_only(demo: Any, make_person: Any) -> None:
    from django.core.exceptions import PermissionDenied, ValidationError

    pair = _review_pair(make_person)
    with pytest.raises(PermissionDenied):
        link_decide(
            actor=demo["police.officer"],
            record_a_id=pair.record_a_id,
            record_b_id=pair.record_b_id,
            decision="same",
        )
    with pytest.raises(ValidationError):
        link_decide(
            actor=demo["screener"],
            record_a_id=pair.record_a_id,
            record_b_id=pair.record_b_id,
            decision="maybe",
        )
    assert not LinkDecision.objects.exists()


def test_field_comparison_and_contributions_in_plain_words() -> None:
    assert compare_field("postcode", ["E8 1AA"], ["e81aa"]) == "agrees"
    assert compare_field("phone", ["+44 7700 900123"], ["07700 900123"]) == "agrees"
    assert compare_field("family_name", ["Smith"], ["Smyth"]) == "disagrees"
    assert compare_field("nhs_number", [], ["9434765919"]) == "missing"
    rows = contributions(
        [
            {"label": "Given name", "words": "Nickname", "weight": 1.5},
            {"label": "Date of birth", "words": "Different year", "weight": -6.0},
            {"label": "Sex", "words": "Missing", "weight": 0.0},
        ]
    )
    assert [c.label for c in rows] == ["Date of birth", "Given name", "Sex"]
    assert rows[0].strength == "Strong evidence that they are different"
    assert rows[0].factor == "64 times less likely to be one person"
    assert rows[1].strength == "Weak evidence that they are the same person"
    assert rows[2].direction == "neutral" and rows[2].factor == ""


def test_a_run_whose_heartbeat_stopped_is_interrupted() -> None:
    at = NOW
    stale = LinkRun(status="running", heartbeat_at=at - timedelta(minutes=3), done=5, total=10)
    live = LinkRun(status="running", heartbeat_at=at - timedelta(seconds=30), done=5, total=10)
    assert RunRow(stale, at).interrupted and RunRow(stale, at).status_label.startswith(
        "Interrupted: nothing was changed"
    )
    assert RunRow(live, at).running and RunRow(live, at).percent == 50


def test_merge_and_unmerge_show_at_once_in_search_and_on_the_record(
    demo: Any, make_person: Any, reviewer: Any, client: Any
) -> None:
    from datetime import date

    from django.urls import reverse
    from django.utils import timezone

    from efh.people.selectors.search import SearchTerms, people_search

    screener = demo["screener"]
    police = make_person(given_name="Kofi", family_name="Mensah", date_of_birth=date(2011, 5, 2))
    health = make_person(
        source="health", given_name="Kofi", family_name="Mensa", date_of_birth=date(2011, 5, 2)
    )

    def found() -> list[int]:
        lists = people_search(
            screener, SearchTerms(name="Kofi Mensah"), today=timezone.localdate()
        ).lists
        return sorted({f.person_id for group in lists.values() for f in group})

    assert found() == sorted([police.pk, health.pk])
    merge = persons_merge(actor=reviewer, survivor=police, absorbed=health, reason="Same boy")
    assert found() == [police.pk]
    client.force_login(screener)
    page = client.get(reverse("people:record", args=[police.pk]))
    assert page.status_code == 200 and b"Mensa" in page.content and b"Mensah" in page.content
    moved = client.get(reverse("people:record", args=[health.pk]))
    assert moved.status_code == 302 and moved.url == reverse("people:record", args=[police.pk])

    merge_undo(actor=reviewer, merge=merge, reason="Two boys after all")
    assert found() == sorted([police.pk, health.pk])
    assert client.get(reverse("people:record", args=[health.pk])).status_code == 200
