"""``efh export screenings | cases | plans | reviews | nrm-referrals``: one row per item with its
dates, due dates, state and the ids of the child and the case; formula-safe; logged."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from efh.casework.models import Review, ScreeningState
from efh.concerns.models import HarmType
from efh.core.models import AccessLogEntry
from factories import (
    CaseFactory,
    PlanFactory,
    PlanVersionFactory,
    QueueItemFactory,
    ScreeningFactory,
)

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://example.invalid","click")'


def export(what: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / f"{what}.csv"
    printed = StringIO()
    call_command("export", what, "--out", str(out), stdout=printed)
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert f"Wrote {len(rows):,} {what} rows to {out}" in printed.getvalue()
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_type, entry.object_id) == ("export", "export", what)
    assert entry.detail == {"rows": len(rows), "file": str(out)}
    if rows:
        assert entry.fields == list(rows[0])
    return rows


@pytest.fixture
def world(casework: dict[str, Any]) -> dict[str, Any]:
    """The casework world, with its screening decided late, harm types on the case, a second
    plan version whose goal starts with "=", and a review held a week late."""
    users = casework["users"]
    screening = casework["screening"]
    item = casework["item"]
    item.screening = screening
    item.arrived_at = datetime(2026, 8, 28, 15, 0, tzinfo=UTC)  # Friday, 16:00 in London
    item.due_at = datetime(2026, 9, 1, 22, 59, 59, tzinfo=UTC)  # end of Tuesday
    item.screened_at = datetime(2026, 9, 2, 9, 0, tzinfo=UTC)
    item.save()
    screening.state = ScreeningState.DECIDED
    screening.decided_by = users["screener"]
    screening.decided_at = item.screened_at
    screening.level = "medium"
    screening.routes = ["strategy", "nrm"]
    screening.route_reason = "Free text that stays on the platform"
    screening.save()
    case = casework["case"]
    case.harm_types.set(HarmType.objects.filter(code__in=["cce", "county_lines"]))
    case.next_due_on = date(2026, 1, 15)
    case.next_due_what = "Action: Visit the family"
    case.save()
    plan = casework["plan"]
    PlanVersionFactory(
        plan=plan,
        number=2,
        goals=[
            {"goal": FORMULA, "happen": "Weekly visits"},
            {"goal": "Back in school full time", "happen": "Mentor"},
        ],
        saved_at=datetime(2026, 2, 1, tzinfo=UTC),
        saved_by=users["social.worker"],
    )
    review = Review.objects.create(
        plan=plan,
        due_on=date(2026, 2, 12),
        held_on=date(2026, 2, 19),
        outcome="continue",
        what_changed="Attending school",
        recorded_by=users["social.worker"],
        recorded_at=datetime(2026, 2, 19, 16, tzinfo=UTC),
    )
    return {**casework, "review": review}


def test_screenings(world: dict[str, Any], tmp_path: Path) -> None:
    # A second screening, of another child, not yet decided and long overdue.
    other = QueueItemFactory(
        arrived_at=datetime(2026, 1, 5, 9, tzinfo=UTC),
        due_at=datetime(2026, 1, 6, 23, 59, 59, tzinfo=UTC),
    )
    waiting = ScreeningFactory(person=other.person, taken_by=world["users"]["screener"])
    other.screening = waiting
    other.save()

    rows = export("screenings", tmp_path)
    assert len(rows) == 2
    screening = world["screening"]
    first = next(r for r in rows if r["screening_id"] == str(screening.pk))
    assert first == {
        "screening_id": str(screening.pk),
        "person_id": str(world["person"].pk),
        "case_id": str(world["case"].pk),
        "state": "decided",
        "tool_version": "1",
        "arrived_at": "2026-08-28T16:00:00+01:00",
        "due_at": "2026-09-01T23:59:59+01:00",
        "taken_at": "2026-01-01T00:00:00+00:00",
        "taken_by": "screener",
        "decided_at": "2026-09-02T10:00:00+01:00",
        "decided_by": "screener",
        "overdue": "Y",  # decided the morning after it was due
        "level": "medium",
        "routes": "strategy;nrm",
        "concerns": "1",
    }
    second = next(r for r in rows if r["screening_id"] == str(waiting.pk))
    assert (second["state"], second["case_id"], second["decided_at"]) == ("in_progress", "", "")
    assert second["overdue"] == "Y"
    assert "Free text" not in (tmp_path / "screenings.csv").read_text(encoding="utf-8")


def test_cases(world: dict[str, Any], tmp_path: Path) -> None:
    closed = CaseFactory(
        state="closed",
        closed_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        closed_as="step_down",
        next_due_on=date(2026, 1, 1),
    )
    rows = export("cases", tmp_path)
    assert len(rows) == 2
    case = world["case"]
    row = next(r for r in rows if r["case_id"] == str(case.pk))
    assert row == {
        "case_id": str(case.pk),
        "person_id": str(world["person"].pk),
        "state": "plan",
        "lead_agency": "childrens-social-care",
        "lead_practitioner": "social.worker",
        "allocated_worker": "social.worker",
        "level": "medium",
        "harm_types": "cce;county_lines",
        "opened_at": "2026-01-01T00:00:00+00:00",
        "opened_by": "screener",
        "closed_at": "",
        "closed_as": "",
        "next_due_on": "2026-01-15",
        "next_due": "Action: Visit the family",
        "overdue": "Y",
    }
    done = next(r for r in rows if r["case_id"] == str(closed.pk))
    assert (done["state"], done["closed_at"], done["closed_as"]) == (
        "closed",
        "2026-03-01T12:00:00+00:00",
        "step_down",
    )
    assert (done["next_due_on"], done["overdue"]) == ("", "")  # nothing is due on a closed case


def test_plans_carry_the_latest_versions_goals_formula_safe(
    world: dict[str, Any], tmp_path: Path
) -> None:
    rows = export("plans", tmp_path)
    assert len(rows) == 1
    plan = world["plan"]
    assert rows[0] == {
        "plan_id": str(plan.pk),
        "case_id": str(world["case"].pk),
        "person_id": str(world["person"].pk),
        "kind": "safety",
        "version": "2",
        "goals": "'" + FORMULA + "; Back in school full time",
        "created_at": "2026-01-01T00:00:00+00:00",
        "version_saved_at": "2026-02-01T00:00:00+00:00",
        "review_weeks": "6",
        "next_review_due": "2026-02-12",
        "review_overdue": "Y",
        "reviews": "1",
        "ended_at": "",
    }
    text = (tmp_path / "plans.csv").read_text(encoding="utf-8")
    assert "Safe at school" not in text  # version 1's goal: only the latest version's
    assert ",=HYPERLINK" not in text and "'=HYPERLINK" in text


def test_a_plan_with_no_version_yet(world: dict[str, Any], tmp_path: Path) -> None:
    empty = PlanFactory(case=world["case"], created_by=world["users"]["social.worker"])
    empty.next_review_due = date(2099, 1, 1)
    empty.save()
    row = next(r for r in export("plans", tmp_path) if r["plan_id"] == str(empty.pk))
    assert (row["version"], row["goals"], row["review_overdue"]) == ("", "", "N")


def test_reviews(world: dict[str, Any], tmp_path: Path) -> None:
    on_time = Review.objects.create(
        plan=world["plan"],
        due_on=date(2026, 4, 2),
        held_on=date(2026, 3, 30),
        outcome="step_down",
        what_changed="Settled",
        recorded_by=world["users"]["social.worker"],
        recorded_at=datetime(2026, 3, 30, 10, tzinfo=UTC),
    )
    rows = export("reviews", tmp_path)
    assert len(rows) == 2
    late = next(r for r in rows if r["review_id"] == str(world["review"].pk))
    assert late == {
        "review_id": str(world["review"].pk),
        "plan_id": str(world["plan"].pk),
        "case_id": str(world["case"].pk),
        "person_id": str(world["person"].pk),
        "due_on": "2026-02-12",
        "held_on": "2026-02-19",
        "held_late": "Y",
        "days_late": "7",
        "outcome": "continue",
        "recorded_at": "2026-02-19T16:00:00+00:00",
        "recorded_by": "social.worker",
    }
    early = next(r for r in rows if r["review_id"] == str(on_time.pk))
    assert (early["held_late"], early["days_late"], early["outcome"]) == ("N", "0", "step_down")
    assert "Attending school" not in (tmp_path / "reviews.csv").read_text(encoding="utf-8")


def test_nrm_referrals(world: dict[str, Any], tmp_path: Path) -> None:
    nrm = world["nrm"]
    # A second referral decided, late, with conclusive grounds to come.
    decided = type(nrm).objects.create(
        case=world["case"],
        first_responder=nrm.first_responder,
        submitted_on=date(2026, 3, 2),
        devolved=False,
        state="awaiting_cg",
        rg_due_on=date(2026, 3, 9),
        rg_decided_on=date(2026, 3, 11),
        rg_positive=True,
        cg_earliest_on=date(2026, 3, 11) + timedelta(days=30),
        recorded_by=world["users"]["social.worker"],
        created_at=datetime(2026, 3, 2, tzinfo=UTC),
        updated_at=datetime(2026, 3, 11, 9, tzinfo=UTC),
    )
    rows = export("nrm-referrals", tmp_path)
    assert len(rows) == 2
    waiting = next(r for r in rows if r["nrm_id"] == str(nrm.pk))
    assert waiting == {
        "nrm_id": str(nrm.pk),
        "case_id": str(world["case"].pk),
        "person_id": str(world["person"].pk),
        "first_responder": "childrens-social-care",
        "submitted_on": "2026-01-02",
        "devolved": "Y",
        "state": "awaiting_rg",
        "rg_due_on": "2026-02-16",
        "rg_decided_on": "",
        "rg_positive": "",
        "rg_overdue": "Y",  # still awaited long after it was due
        "cg_earliest_on": "",
        "cg_decided_on": "",
        "cg_positive": "",
        "reconsideration_requested_on": "",
        "recorded_by": "social.worker",
        "updated_at": "2026-01-01T00:00:00+00:00",
    }
    row = next(r for r in rows if r["nrm_id"] == str(decided.pk))
    assert (row["devolved"], row["state"], row["rg_positive"], row["rg_overdue"]) == (
        "N",
        "awaiting_cg",
        "Y",
        "Y",  # decided two days after it was due
    )
    assert row["cg_earliest_on"] == "2026-04-10"


@pytest.mark.parametrize("what", ["screenings", "cases", "plans", "reviews", "nrm-referrals"])
def test_an_empty_export_has_its_header(seeded: None, what: str, tmp_path: Path) -> None:
    assert export(what, tmp_path) == []
    header = (tmp_path / f"{what}.csv").read_text(encoding="utf-8").splitlines()
    assert len(header) == 1
    assert "person_id" in header[0].split(",")


def test_an_unknown_export_names_the_casework_ones(seeded: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("export", "strategies", "--out", str(tmp_path / "x.csv"))
    for what in ("screenings", "cases", "plans", "reviews", "nrm-referrals"):
        assert what in str(raised.value)
