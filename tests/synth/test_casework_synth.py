"""``efh synth_casework``: casework history for an imported synthetic borough (a 2,500-child
borough, dated up to a fixed day so that the figures do not move with the clock)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Max

from efh.casework.models import (
    Action,
    Allocation,
    Case,
    CaseState,
    ClosureRequest,
    ClosureStatus,
    NrmReferral,
    NrmState,
    PanelReferral,
    Plan,
    PlanVersion,
    QueueItem,
    Review,
    Screening,
    ScreeningState,
    StrategyDiscussion,
    Transition,
)
from efh.casework.selectors.queue import child_age
from efh.casework.services.case import case_due_update
from efh.casework.states import MOVES
from efh.casework.tool import ANSWERS, forbidden_levels, questions
from efh.contexts.services import wards_load
from efh.core.calendar import Calendar
from efh.core.models import AccessLogEntry
from efh.ingest.services import delivery_import
from efh.synth.casework import CaseworkExists, make_casework
from efh.synth.generator import generate

AS_OF = date(2026, 10, 31)
TODAY = date(2026, 11, 19)  # a Thursday, three weeks after the borough's last event
CHILDREN = 2500


@pytest.fixture(scope="module")
def small_borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("casework") / "borough"
    generate(out, children=CHILDREN, seed=4, as_of=AS_OF)
    return out


@pytest.fixture
def imported(demo: dict[str, Any], small_borough: Path) -> dict[str, Any]:
    wards_load()
    delivery_import(path=small_borough)
    return demo


@pytest.fixture
def made(imported: dict[str, Any]) -> dict[str, int]:
    return make_casework(seed=3, today=TODAY)


def snapshot() -> dict[str, list[tuple]]:
    """The casework by natural keys (never primary keys, which a second run does not reuse)."""
    return {name: sorted(rows, key=repr) for name, rows in _rows().items()}


def _rows() -> dict[str, Any]:
    return {
        "screenings": list(
            Screening.objects.values_list(
                "person_id", "taken_at", "decided_at", "level", "routes", "answers", "state",
                "taken_by__username", "case__opened_at",
            )
        ),
        "cases": list(
            Case.objects.values_list(
                "person_id", "opened_at", "state", "next_due_on", "next_due_what",
                "allocated_worker__username", "closed_at", "level",
            )
        ),
        "transitions": list(
            Transition.objects.values_list(
                "case__person_id", "case__opened_at", "action", "to_state", "at", "by__username"
            )
        ),
        "queue": list(
            QueueItem.objects.values_list(
                "event_id", "person_id", "arrived_at", "due_at", "screened_at",
                "screening__taken_at",
            )
        ),
        "plans": list(
            Plan.objects.values_list("case__person_id", "created_at", "next_review_due", "kind")
        ),
        "reviews": list(Review.objects.values_list("plan__case__person_id", "held_on", "outcome")),
        "actions": list(
            Action.objects.values_list("case__person_id", "due_on", "what", "completed_at")
        ),
        "nrm": list(
            NrmReferral.objects.values_list("case__person_id", "state", "submitted_on", "rg_due_on")
        ),
        "closures": list(
            ClosureRequest.objects.values_list("case__person_id", "requested_at", "status")
        ),
    }  # fmt: skip


def test_the_same_seed_makes_the_same_casework(made: dict[str, int]) -> None:
    first = snapshot()
    again = make_casework(seed=3, today=TODAY, replace=True)
    assert again == {**made, "staff accounts made": 0}
    assert snapshot() == first
    make_casework(seed=4, today=TODAY, replace=True)
    assert snapshot()["screenings"] != first["screenings"]


def test_a_second_run_is_refused_and_changes_nothing(made: dict[str, int]) -> None:
    before = (Screening.objects.count(), Case.objects.count(), QueueItem.objects.count())
    with pytest.raises(CaseworkExists, match="--replace"):
        make_casework(seed=3, today=TODAY)
    with pytest.raises(CommandError, match="already holds casework"):
        call_command("synth_casework", "--seed", "3", "--today", TODAY.isoformat())
    out = StringIO()
    call_command("synth_casework", "--seed", "3", "--if-missing", stdout=out)
    assert "left as it is" in out.getvalue()
    assert (Screening.objects.count(), Case.objects.count(), QueueItem.objects.count()) == before


def test_the_command_writes_and_counts(imported: dict[str, Any]) -> None:
    out = StringIO()
    logged = AccessLogEntry.objects.count()
    call_command("synth_casework", "--seed", "3", "--today", TODAY.isoformat(), stdout=out)
    assert "screenings" in out.getvalue()
    assert Screening.objects.count() > 0
    # Generation is not anyone's work: nothing in the access log.
    assert AccessLogEntry.objects.count() == logged


def test_the_front_door(made: dict[str, int]) -> None:
    items = QueueItem.objects.count()
    screened = QueueItem.objects.filter(screened_at__isnull=False).count()
    assert items > 1000
    assert screened / items >= 0.97
    assert made["screenings"] >= 0.5 * items
    waiting = QueueItem.objects.filter(screened_at__isnull=True)
    assert waiting.exists()
    cal = Calendar()
    for item in QueueItem.objects.all()[:500]:
        assert item.due_at == cal.due_end_of_working_day(item.arrived_at, 1)
        if item.screened_at is not None:
            assert item.screened_at >= item.arrived_at
    # The tail: something overdue, at most one screening in progress per child (the database
    # holds to that), and every decided screening complete as screening_decide requires.
    noon = cal.end_of(TODAY) - timedelta(hours=10)
    assert waiting.filter(due_at__lt=noon).exists()
    tool = Screening.objects.first().tool.definition
    codes = [q["code"] for q in questions(tool)]
    levels = {lv["code"] for lv in tool["levels"]}
    for s in Screening.objects.filter(state=ScreeningState.DECIDED).iterator():
        assert s.decided_by_id and s.decided_at and s.level in levels
        assert s.level_reason and s.routes and s.route_reason
        assert all(s.answers[c]["answer"] in ANSWERS for c in codes)
        if "nfa" in s.routes:
            assert s.signposting
        assert s.taken_at <= s.decided_at
    assert Screening.objects.filter(state=ScreeningState.IN_PROGRESS).exists()
    assert set(Screening.objects.values_list("level", flat=True)) >= levels
    # No level a rule forbids (never "low" for a child under 13 or with SEND).
    for s in Screening.objects.filter(level="low").iterator():
        age = child_age(s.person_id, s.decided_at.date())
        assert "low" not in {r.level for r in forbidden_levels(tool, age=age, answers=s.answers)}


def test_cases_move_only_along_the_table(made: dict[str, int]) -> None:
    assert made["cases"] > 200
    states = set(Case.objects.values_list("state", flat=True))
    assert states == set(CaseState.values)
    visited = set(Transition.objects.values_list("to_state", flat=True))
    assert visited == set(CaseState.values)
    returned = {
        r.case_id: r.from_state
        for r in ClosureRequest.objects.filter(status=ClosureStatus.RETURNED)
    }
    by_case: dict[int, list[Transition]] = {}
    for t in Transition.objects.order_by("case_id", "at", "pk"):
        by_case.setdefault(t.case_id, []).append(t)
    for case in Case.objects.all():
        moves = by_case[case.pk]
        assert moves[0].action == "open" and moves[0].from_state == ""
        state = moves[0].to_state
        for t in moves[1:]:
            move = MOVES[t.action]
            assert t.from_state == state and state in move.sources, (case.pk, t.action, state)
            if t.action == "return_request":
                assert case.pk in returned
            else:
                assert t.to_state == move.target
            state = t.to_state
        assert state == case.state
        assert (case.closed_at is not None) == (case.state == CaseState.CLOSED)
        assert case.opened_at <= case.updated_at


def test_due_dates_and_overdue_work(made: dict[str, int]) -> None:
    cal = Calendar()
    open_cases = Case.objects.exclude(state=CaseState.CLOSED)
    # next_due_on is what case_due_update works out.
    stored = {c.pk: (c.next_due_on, c.next_due_what) for c in open_cases}
    for case in open_cases:
        case_due_update(case=case)
    assert {c.pk: (c.next_due_on, c.next_due_what) for c in open_cases} == stored
    assert sum(1 for c in open_cases if c.next_due_on) > 0.8 * len(open_cases)
    live = Plan.objects.filter(ended_at__isnull=True).exclude(case__state=CaseState.CLOSED)
    assert live.filter(next_review_due__lt=TODAY).exists()  # overdue reviews
    assert live.filter(next_review_due__gte=TODAY).exists()
    assert not Plan.objects.filter(case__state=CaseState.CLOSED, ended_at__isnull=True).exists()
    versions = dict(_versions())
    assert set(versions.values()) >= {1, 2, 3} and max(versions.values()) <= 3
    assert Action.objects.filter(
        completed_at__isnull=True, due_on__lt=TODAY, case__state__in=["plan", "review"]
    ).exists()
    for sd in StrategyDiscussion.objects.all():
        assert sd.due_on == cal.add_working_days(cal.local_date(sd.created_at), 2)
        if sd.section_47 and sd.held_on:
            assert sd.icpc_due_on == cal.add_working_days(sd.held_on, 15)
    assert StrategyDiscussion.objects.filter(section_47=True).exists()
    assert set(NrmReferral.objects.values_list("state", flat=True)) == set(NrmState.values)
    for nrm in NrmReferral.objects.all():
        if nrm.devolved:
            assert nrm.rg_due_on == nrm.submitted_on + timedelta(days=45)
        else:
            assert nrm.rg_due_on == cal.add_working_days(nrm.submitted_on, 5)
        if nrm.cg_earliest_on:
            assert nrm.cg_earliest_on >= nrm.rg_decided_on + timedelta(days=30)
    pending = ClosureRequest.objects.filter(status=ClosureStatus.PENDING)
    assert pending.exists()
    assert all(
        r.case.state in (CaseState.CLOSURE_REQUESTED, CaseState.STEP_DOWN_REQUESTED)
        for r in pending
    )
    assert PanelReferral.objects.filter(status="waiting", case__state=CaseState.PANEL).exists()


def _versions() -> list[tuple[int, int]]:
    counts: dict[int, int] = {}
    for plan_id in PlanVersion.objects.values_list("plan_id", flat=True):
        counts[plan_id] = counts.get(plan_id, 0) + 1
    return list(counts.items())


def test_the_demo_people_have_work(made: dict[str, int], imported: dict[str, Any]) -> None:
    worker, screener, manager = (
        imported["social.worker"],
        imported["screener"],
        imported["team.manager"],
    )
    mine = Case.objects.exclude(state=CaseState.CLOSED).filter(allocated_worker=worker)
    assert 5 <= mine.count() <= 60
    assert Screening.objects.filter(decided_by=screener).exists()
    assert ClosureRequest.objects.filter(decided_by=manager).exists()
    assert Case.objects.exclude(state=CaseState.CLOSED).filter(lead_agency=manager.agency).exists()


def test_nothing_happens_after_now(made: dict[str, int]) -> None:
    now = datetime.combine(TODAY, time(13, 30), tzinfo=ZoneInfo(settings.TIME_ZONE))
    now = now.astimezone(UTC)
    latest = {
        "screening": Screening.objects.aggregate(m=Max("updated_at"))["m"],
        "decided": Screening.objects.aggregate(m=Max("decided_at"))["m"],
        "transition": Transition.objects.aggregate(m=Max("at"))["m"],
        "allocation": Allocation.objects.aggregate(m=Max("started_at"))["m"],
        "action done": Action.objects.aggregate(m=Max("completed_at"))["m"],
        "review": Review.objects.aggregate(m=Max("recorded_at"))["m"],
        "strategy": StrategyDiscussion.objects.aggregate(m=Max("recorded_at"))["m"],
        "nrm": NrmReferral.objects.aggregate(m=Max("updated_at"))["m"],
        "closure": ClosureRequest.objects.aggregate(m=Max("decided_at"))["m"],
        "arrived": QueueItem.objects.aggregate(m=Max("arrived_at"))["m"],
        "case": Case.objects.aggregate(m=Max("updated_at"))["m"],
    }
    assert {k: v for k, v in latest.items() if v is None or v > now} == {}
    assert Review.objects.aggregate(m=Max("held_on"))["m"] <= TODAY
