"""What ``efh export screenings | cases | plans | reviews | nrm-referrals`` writes: one row per
item with its dates, due dates, state and the ids of the child (``person_id``) and the case.
Header and rows, like ``efh.ingest.exports``; rows are streamed (``.iterator()``), so an export
of a whole borough's casework holds one chunk in memory.

Conventions of the exchange format (docs/exchange-format.md): dates ``YYYY-MM-DD``; timestamps
ISO 8601 in the partnership's local time with the offset (``2026-09-01T23:59:59+01:00``);
flags ``Y`` / ``N`` / empty (not known, or not yet); lists ``;``-separated. Staff are named by
username. No child's name is written, and the free text of casework (reasons, the child's and
the family's words, notes) stays on the platform; the plans export carries the latest version's
goals, which say what the plan is for. ``write_csv`` (``efh.core.csv``) makes every value safe
to open in a spreadsheet; ``efh export`` logs the export.

Overdue is as of the moment of the export: something due and not done by then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from django.db.models import Count, JSONField, Min, OuterRef, Subquery
from django.utils import timezone

from efh.casework.models import Case, NrmReferral, NrmState, Plan, PlanVersion, Review, Screening
from efh.core import clock

CHUNK = 2000

Rows = Iterable[tuple[Any, ...]]


def _at(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _flag(value: bool | None) -> str:
    return "" if value is None else ("Y" if value else "N")


def _today() -> date:
    return timezone.localdate(clock.now())


# -- screenings ----------------------------------------------------------------------------------

SCREENINGS = [
    "screening_id",
    "person_id",
    "case_id",
    "state",
    "tool_version",
    "arrived_at",
    "due_at",
    "taken_at",
    "taken_by",
    "decided_at",
    "decided_by",
    "overdue",
    "level",
    "routes",
    "concerns",
]


def screenings() -> tuple[list[str], Rows]:
    """Each screening at the front door: when its first concern arrived and when screening was
    due (the earliest of the concerns it covers), taken and decided, by whom, whether it was (or
    is) overdue, the level of concern and the routes decided."""
    now = clock.now()
    found = (
        Screening.objects.annotate(
            arrived=Min("items__arrived_at"), due=Min("items__due_at"), concerns=Count("items")
        )
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "case_id",
            "state",
            "tool__version",
            "arrived",
            "due",
            "taken_at",
            "taken_by__username",
            "decided_at",
            "decided_by__username",
            "level",
            "routes",
            "concerns",
        )
        .iterator(chunk_size=CHUNK)
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for (
            pk,
            person,
            case,
            state,
            version,
            arrived,
            due,
            taken_at,
            taken_by,
            decided_at,
            decided_by,
            level,
            routes,
            concerns,
        ) in found:
            overdue = None if due is None else (decided_at or now) > due
            yield (
                pk,
                person,
                case or "",
                state,
                version,
                _at(arrived),
                _at(due),
                _at(taken_at),
                taken_by or "",
                _at(decided_at),
                decided_by or "",
                _flag(overdue),
                level,
                ";".join(routes or []),
                concerns,
            )

    return SCREENINGS, rows()


# -- cases ---------------------------------------------------------------------------------------

CASES = [
    "case_id",
    "person_id",
    "state",
    "lead_agency",
    "lead_practitioner",
    "allocated_worker",
    "level",
    "harm_types",
    "opened_at",
    "opened_by",
    "closed_at",
    "closed_as",
    "next_due_on",
    "next_due",
    "overdue",
]


def cases() -> tuple[list[str], Rows]:
    """Each case: its state, who leads it and who is allocated, the level of concern and harm
    types, when it opened and closed, and the next thing due (overdue if before today)."""
    today = _today()
    found = (
        Case.objects.select_related(
            "lead_agency", "lead_practitioner", "allocated_worker", "opened_by"
        )
        .prefetch_related("harm_types")
        .order_by("pk")
        .iterator(chunk_size=CHUNK)
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for case in found:
            due = case.next_due_on if case.is_open else None
            yield (
                case.pk,
                case.person_id,
                case.state,
                case.lead_agency.code,
                case.lead_practitioner.username if case.lead_practitioner else "",
                case.allocated_worker.username if case.allocated_worker else "",
                case.level,
                ";".join(sorted(h.code for h in case.harm_types.all())),
                _at(case.opened_at),
                case.opened_by.username,
                _at(case.closed_at),
                case.closed_as,
                _day(due),
                case.next_due_what if due else "",
                _flag(due < today if due else None),
            )

    return CASES, rows()


# -- plans ---------------------------------------------------------------------------------------

PLANS = [
    "plan_id",
    "case_id",
    "person_id",
    "kind",
    "version",
    "goals",
    "created_at",
    "version_saved_at",
    "review_weeks",
    "next_review_due",
    "review_overdue",
    "reviews",
    "ended_at",
]


def _goals(goals: Any) -> str:
    """The goals of a version (``[{"goal", "happen"}]``), ``;``-separated."""
    if not isinstance(goals, list):
        return ""
    texts = (str(g.get("goal", "")).strip() if isinstance(g, dict) else str(g) for g in goals)
    return "; ".join(t for t in texts if t)


def plans() -> tuple[list[str], Rows]:
    """Each plan: its case and child, type, its latest version's number, goals and save time,
    how often it is reviewed, the next review due (overdue if before today), how many reviews
    have been held, and when it ended."""
    today = _today()
    latest = PlanVersion.objects.filter(plan=OuterRef("pk")).order_by("-number")
    found = (
        Plan.objects.annotate(
            version=Subquery(latest.values("number")[:1]),
            goals=Subquery(latest.values("goals")[:1], output_field=JSONField()),
            version_saved_at=Subquery(latest.values("saved_at")[:1]),
            held=Count("reviews"),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "case_id",
            "case__person_id",
            "kind",
            "version",
            "goals",
            "created_at",
            "version_saved_at",
            "review_weeks",
            "next_review_due",
            "held",
            "ended_at",
        )
        .iterator(chunk_size=CHUNK)
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for (
            pk,
            case,
            person,
            kind,
            version,
            goals,
            created_at,
            saved_at,
            weeks,
            next_due,
            held,
            ended_at,
        ) in found:
            due = next_due if ended_at is None else None
            yield (
                pk,
                case,
                person,
                kind,
                version or "",
                _goals(goals),
                _at(created_at),
                _at(saved_at),
                weeks,
                _day(due),
                _flag(due < today if due else None),
                held,
                _at(ended_at),
            )

    return PLANS, rows()


# -- reviews -------------------------------------------------------------------------------------

REVIEWS = [
    "review_id",
    "plan_id",
    "case_id",
    "person_id",
    "due_on",
    "held_on",
    "held_late",
    "days_late",
    "outcome",
    "recorded_at",
    "recorded_by",
]


def reviews() -> tuple[list[str], Rows]:
    """Each review held: the date it was due and held, whether late and by how many days, the
    outcome (continue, step up, step down, close), and who recorded it when."""
    found = (
        Review.objects.order_by("pk")
        .values_list(
            "pk",
            "plan_id",
            "plan__case_id",
            "plan__case__person_id",
            "due_on",
            "held_on",
            "outcome",
            "recorded_at",
            "recorded_by__username",
        )
        .iterator(chunk_size=CHUNK)
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for pk, plan, case, person, due, held, outcome, recorded_at, by in found:
            late = max((held - due).days, 0)
            yield (
                pk,
                plan,
                case,
                person,
                _day(due),
                _day(held),
                _flag(late > 0),
                late,
                outcome,
                _at(recorded_at),
                by,
            )

    return REVIEWS, rows()


# -- NRM referrals -------------------------------------------------------------------------------

NRM_REFERRALS = [
    "nrm_id",
    "case_id",
    "person_id",
    "first_responder",
    "submitted_on",
    "devolved",
    "state",
    "rg_due_on",
    "rg_decided_on",
    "rg_positive",
    "rg_overdue",
    "cg_earliest_on",
    "cg_decided_on",
    "cg_positive",
    "reconsideration_requested_on",
    "recorded_by",
    "updated_at",
]


def nrm_referrals() -> tuple[list[str], Rows]:
    """Each NRM referral: the first responder agency, when submitted, whether decided under
    devolved child decision-making, its state, the reasonable-grounds decision against its due
    date (overdue if still awaited after it), the conclusive-grounds decision (not before its
    earliest date) and any reconsideration."""
    today = _today()
    found = (
        NrmReferral.objects.order_by("pk")
        .values_list(
            "pk",
            "case_id",
            "case__person_id",
            "first_responder__code",
            "submitted_on",
            "devolved",
            "state",
            "rg_due_on",
            "rg_decided_on",
            "rg_positive",
            "cg_earliest_on",
            "cg_decided_on",
            "cg_positive",
            "reconsideration_requested_on",
            "recorded_by__username",
            "updated_at",
        )
        .iterator(chunk_size=CHUNK)
    )

    def rows() -> Iterator[tuple[Any, ...]]:
        for (
            pk,
            case,
            person,
            responder,
            submitted,
            devolved,
            state,
            rg_due,
            rg_on,
            rg_positive,
            cg_earliest,
            cg_on,
            cg_positive,
            reconsideration,
            by,
            updated_at,
        ) in found:
            awaiting = state == NrmState.AWAITING_RG
            yield (
                pk,
                case,
                person,
                responder,
                _day(submitted),
                _flag(devolved),
                state,
                _day(rg_due),
                _day(rg_on),
                _flag(rg_positive),
                _flag((rg_due < today) if awaiting else (rg_on > rg_due if rg_on else None)),
                _day(cg_earliest),
                _day(cg_on),
                _flag(cg_positive),
                _day(reconsideration),
                by,
                _at(updated_at),
            )

    return NRM_REFERRALS, rows()
