"""The front door: intake into the queue, taking a child, screening with the tool and deciding
the route (issue 12)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from efh.casework.models import (
    Case,
    CaseState,
    PanelReferral,
    QueueItem,
    Route,
    Screening,
    ScreeningState,
    StrategyDiscussion,
)
from efh.casework.selectors.queue import prefills, queue_counts, queue_page
from efh.casework.services import screening as services
from efh.casework.services.intake import intake_pull
from efh.casework.services.screening import Draft, ScreeningTaken
from efh.casework.tool import questions
from efh.core.models import AccessLogEntry
from factories import (
    EventFactory,
    EventPersonFactory,
    MissingEpisodeFactory,
    PersonRecordFactory,
)

pytestmark = pytest.mark.django_db


def _concern(record: Any, *, kind: str = "concern", role: str = "subject", **fields: Any) -> Any:
    event = EventFactory(source=record.source, kind=kind, **fields)
    EventPersonFactory(event=event, record=record, role=role)
    return event


def _child(**fields: Any) -> Any:
    fields.setdefault("date_of_birth", date(2010, 5, 1))
    fields.setdefault("is_child", True)
    return PersonRecordFactory(source="police", **fields)


def _all_answered(screening: Screening, answer: str = "no") -> dict[str, dict[str, str]]:
    return {q["code"]: {"answer": answer, "note": ""} for q in questions(screening.tool.definition)}


def _draft(screening: Screening, **fields: Any) -> Draft:
    values: dict[str, Any] = {
        "answers": _all_answered(screening),
        "level": "medium",
        "level_reason": "Older associates and new money",
        "routes": [Route.STRATEGY],
        "route_reason": "Risk of criminal exploitation",
        "danger_statement": "We are worried she will be harmed carrying drugs",
        "safety_goal": "She is at home and in school every day",
    }
    values.update(fields)
    return Draft(**values)


def test_intake_queues_concerns_and_referrals_about_children_once(demo: dict[str, Any]) -> None:
    child = _child()
    adult = PersonRecordFactory(source="police", is_child=False)
    concern = _concern(child, recorded_at=datetime(2026, 8, 28, 15, 0, tzinfo=UTC))
    referral = _concern(child, kind="referral")
    _concern(child, kind="arrest")  # not for the front door
    _concern(adult)  # not a child
    suspect = _concern(_child(), role="suspect")  # a child posing risk, not at risk here
    assert intake_pull() == 2
    assert intake_pull() == 0
    items = QueueItem.objects.order_by("event_id")
    assert [i.event_id for i in items] == [concern.pk, referral.pk]
    assert not QueueItem.objects.filter(event=suspect).exists()
    # Friday 28 August 2026, 16:00 in London: due at the end of Tuesday 1 September (Monday 31
    # August is the summer bank holiday).
    first = items[0]
    assert first.due_at == datetime(2026, 9, 1, 22, 59, 59, tzinfo=UTC)


def test_front_door_from_keeps_history_out(demo: dict[str, Any], settings: Any) -> None:
    settings.FRONT_DOOR_FROM = "2026-01-01"
    child = _child()
    _concern(
        child,
        occurred_at=datetime(2025, 6, 1, tzinfo=UTC),
        recorded_at=datetime(2025, 6, 2, tzinfo=UTC),
    )
    new = _concern(
        child,
        occurred_at=datetime(2026, 2, 1, tzinfo=UTC),
        recorded_at=datetime(2026, 2, 1, 9, tzinfo=UTC),
    )
    intake_pull()
    assert list(QueueItem.objects.values_list("event_id", flat=True)) == [new.pk]


def test_queue_groups_a_childs_concerns_and_orders_by_due(demo: dict[str, Any]) -> None:
    first, second = _child(), _child()
    _concern(first, recorded_at=datetime(2026, 3, 3, 9, tzinfo=UTC))
    _concern(first, recorded_at=datetime(2026, 3, 4, 9, tzinfo=UTC))
    _concern(second, recorded_at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    intake_pull()
    page = queue_page(at=datetime(2026, 3, 4, 12, tzinfo=UTC))
    assert [c.person_id for c in page.children] == [second.person_id, first.person_id]
    assert page.children[1].count == 2
    assert page.total == 2
    assert page.overdue == 1  # the second child's concern was due at the end of 3 March
    assert queue_counts(datetime(2026, 3, 4, 12, tzinfo=UTC)) == (2, 1)


def test_two_screeners_taking_one_child_one_is_told_who_has_it(demo: dict[str, Any]) -> None:
    child = _child()
    _concern(child)
    intake_pull()
    screener = demo["screener"]
    other = demo["screener"].__class__.objects.create_user(
        "screener.two", role=screener.role, agency=screener.agency, first_name="Second"
    )
    screening = services.screening_take(actor=screener, person_id=child.person_id)
    assert services.screening_take(actor=screener, person_id=child.person_id) == screening
    with pytest.raises(ScreeningTaken, match="is screening this child"):
        services.screening_take(actor=other, person_id=child.person_id)
    assert QueueItem.objects.get().screening == screening
    # The other screener may carry it on (the first is away): the answers are kept.
    services.screening_save(
        actor=screener,
        screening=screening,
        draft=Draft(answers={}, level_reason="Started"),
        revision=None,
    )
    taken = services.screening_take_over(actor=other, screening=screening)
    assert taken.taken_by == other and taken.level_reason == "Started"
    with pytest.raises(ScreeningTaken, match="is screening this child"):
        services.screening_save(
            actor=screener, screening=screening, draft=Draft(answers={}), revision=None
        )


def test_prefills_come_from_the_record_with_their_source(demo: dict[str, Any]) -> None:
    from efh.core.clock import now

    child = _child()
    MissingEpisodeFactory(record=child, went_missing_at=now())
    found = prefills(child.person_id, now())
    assert found["missing_90d"].answer == "yes"
    assert "1 missing episode in the last 90 days" in found["missing_90d"].source
    _concern(child)
    intake_pull()
    screening = services.screening_take(actor=demo["screener"], person_id=child.person_id)
    assert screening.prefilled["missing_recent"]["answer"] == "yes"


def test_deciding_needs_every_answer_a_reason_and_the_rules(demo: dict[str, Any]) -> None:
    young = _child(date_of_birth=date(2016, 1, 1))  # under 13
    _concern(young)
    intake_pull()
    screener = demo["screener"]
    screening = services.screening_take(actor=screener, person_id=young.person_id)
    with pytest.raises(ValidationError) as caught:
        services.screening_decide(
            actor=screener,
            screening=screening,
            draft=Draft(answers={}, routes=[]),
            revision=None,
        )
    errors = caught.value.message_dict
    assert any(k.startswith("answer-") for k in errors)
    assert {"level", "level_reason", "routes", "route_reason"} <= set(errors)
    # What was typed is kept: the draft is saved before the decision is checked.
    screening.refresh_from_db()
    low = _draft(screening, level="low", lead_agency_id=screener.agency_id)
    with pytest.raises(ValidationError) as caught:
        services.screening_decide(actor=screener, screening=screening, draft=low, revision=None)
    assert "A child under 13 is never graded low" in caught.value.message_dict["level"][0]
    screening.refresh_from_db()
    assert screening.level == "low" and screening.state == ScreeningState.IN_PROGRESS
    nfa = _draft(screening, level="medium", routes=[Route.NFA, Route.STRATEGY])
    with pytest.raises(ValidationError) as caught:
        services.screening_decide(actor=screener, screening=screening, draft=nfa, revision=None)
    assert "No further action cannot go with" in caught.value.message_dict["routes"][0]
    assert "signposting" in caught.value.message_dict


def test_a_learning_disability_forbids_low_too(demo: dict[str, Any]) -> None:
    child = _child()
    _concern(child)
    intake_pull()
    screener = demo["screener"]
    screening = services.screening_take(actor=screener, person_id=child.person_id)
    answers = _all_answered(screening)
    answers["send"] = {"answer": "yes", "note": ""}
    draft = _draft(
        screening, answers=answers, level="low", routes=[Route.NFA], signposting="Youth club"
    )
    with pytest.raises(ValidationError) as caught:
        services.screening_decide(actor=screener, screening=screening, draft=draft, revision=None)
    assert "learning disability" in caught.value.message_dict["level"][0]


def test_a_case_route_opens_a_case_schedules_strategy_and_lists_for_panel(
    demo: dict[str, Any],
) -> None:
    child = _child()
    _concern(child)
    _concern(child, kind="referral")
    intake_pull()
    screener = demo["screener"]
    screening = services.screening_take(actor=screener, person_id=child.person_id)
    csc = demo["social.worker"].agency
    draft = _draft(screening, routes=[Route.STRATEGY, Route.PANEL], lead_agency_id=csc.pk)
    decided = services.screening_decide(
        actor=screener, screening=screening, draft=draft, revision=screening.revision
    )
    case = Case.objects.get(person_id=child.person_id)
    assert decided.state == ScreeningState.DECIDED and decided.case == case
    assert case.state == CaseState.STRATEGY and case.lead_agency == csc
    assert case.level == "medium"
    assert StrategyDiscussion.objects.filter(case=case, held_on__isnull=True).count() == 1
    assert PanelReferral.objects.filter(case=case, screening=decided).exists()
    assert not QueueItem.objects.filter(screened_at__isnull=True).exists()
    assert case.next_due_what == "Strategy discussion"
    # A new concern about the child joins the open case at its next screening.
    _concern(child)
    intake_pull()
    again = services.screening_take(actor=screener, person_id=child.person_id)
    services.screening_decide(
        actor=screener,
        screening=again,
        draft=_draft(again, level="high", routes=[Route.ASSESSMENT]),
        revision=None,
    )
    assert Case.objects.filter(person_id=child.person_id).count() == 1
    case.refresh_from_db()
    assert case.level == "high"
    logged = AccessLogEntry.objects.filter(object_type="screening", object_id=str(child.person_id))
    assert logged.filter(action="update").exists()


def test_nfa_records_signposting_and_opens_no_case(demo: dict[str, Any]) -> None:
    child = _child()
    _concern(child)
    intake_pull()
    screener = demo["screener"]
    screening = services.screening_take(actor=screener, person_id=child.person_id)
    draft = _draft(
        screening, level="none", routes=[Route.NFA], signposting="Youth club on Tuesdays"
    )
    decided = services.screening_decide(
        actor=screener, screening=screening, draft=draft, revision=None
    )
    assert decided.case is None and decided.signposting == "Youth club on Tuesdays"
    assert not Case.objects.exists()


def test_a_stale_save_is_refused_and_nothing_is_overwritten(demo: dict[str, Any]) -> None:
    child = _child()
    _concern(child)
    intake_pull()
    screener = demo["screener"]
    screening = services.screening_take(actor=screener, person_id=child.person_id)
    first = services.screening_save(
        actor=screener,
        screening=screening,
        draft=Draft(answers={}, level_reason="First"),
        revision=screening.revision,
    )
    with pytest.raises(services.StaleEdit):
        services.screening_save(
            actor=screener,
            screening=screening,
            draft=Draft(answers={}, level_reason="Second"),
            revision=screening.revision,
        )
    first.refresh_from_db()
    assert first.level_reason == "First"


def test_release_puts_the_child_back_in_the_queue(demo: dict[str, Any]) -> None:
    child = _child()
    _concern(child)
    intake_pull()
    screener = demo["screener"]
    screening = services.screening_take(actor=screener, person_id=child.person_id)
    services.screening_release(actor=screener, screening=screening)
    assert not Screening.objects.exists()
    assert QueueItem.objects.get().screening is None


def test_the_screening_page_decides_with_errors_shown_and_typed_text_kept(
    demo: dict[str, Any],
) -> None:
    child = _child(given_name="Robin", family_name="Quayle")
    _concern(child, summary="Seen getting into cars", child_words="I owe them")
    client = Client()
    client.force_login(demo["screener"])
    queue = client.get(reverse("casework:queue"))
    assert queue.status_code == 200 and b"Robin Quayle" in queue.content
    taken = client.post(reverse("casework:take", args=[child.person_id]))
    screening = Screening.objects.get()
    assert taken["Location"] == reverse("casework:screening", args=[screening.pk])
    page = client.get(taken["Location"])
    assert b"Seen getting into cars" in page.content
    assert "The child said: “I owe them”" in page.content.decode()
    bad = client.post(
        taken["Location"],
        {"action": "decide", "revision": screening.revision, "level_reason": "Kept text"},
    )
    assert bad.status_code == 400
    assert b"There is a problem" in bad.content and b"Kept text" in bad.content
    screening.refresh_from_db()
    data: dict[str, Any] = {
        f"answer-{q['code']}": "unknown" for q in questions(screening.tool.definition)
    }
    data.update(
        {
            "action": "decide",
            "revision": screening.revision,
            "level": "none",
            "level_reason": "Nothing points to exploitation",
            "routes": [Route.NFA],
            "route_reason": "Universal services",
            "signposting": "School nurse",
        }
    )
    done = client.post(taken["Location"], data)
    assert done.status_code == 302
    assert client.get(done["Location"]).content.count(b"School nurse") >= 1
    # The autosave endpoint answers JSON with the new revision.
    _concern(child)
    client.get(reverse("casework:queue"))
    client.post(reverse("casework:take", args=[child.person_id]))
    second = Screening.objects.get(state=ScreeningState.IN_PROGRESS)
    saved = client.post(
        reverse("casework:screening", args=[second.pk]),
        {"action": "save", "revision": second.revision, "child_words": "I'm fine"},
        HTTP_ACCEPT="application/json",
    )
    assert saved.json()["revision"] == second.revision + 1
    stale = client.post(
        reverse("casework:screening", args=[second.pk]),
        {"action": "save", "revision": second.revision, "child_words": "Older"},
        HTTP_ACCEPT="application/json",
    )
    assert stale.status_code == 409
