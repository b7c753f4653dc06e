"""Each role's work on its home page (issue 12, "Worklists"): an allocated worker's children with
the next thing due for each, anyone's open actions and reviews due, a manager's team view with
overdue items and approvals waiting, and the concerns the user and their agency raised with what
happened to each.

Every list is a bounded number of queries (a page of rows, never one query a row), ordered by
what is due first; ``Case.next_due_on`` (kept by ``services.case.case_due_update``) is what the
lists order by."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from efh.casework.models import (
    Action,
    Case,
    CaseState,
    ClosureRequest,
    ClosureStatus,
    Plan,
)
from efh.casework.selectors.outcome import ConcernOutcome, concern_outcomes
from efh.concerns.models import Event, EventKind

LIMIT = 50
SCREENED_KINDS = (EventKind.CONCERN, EventKind.REFERRAL)


def _open_cases() -> QuerySet[Case]:
    return Case.objects.exclude(state=CaseState.CLOSED).select_related(
        "person", "lead_agency", "lead_practitioner", "allocated_worker"
    )


def my_children(user: Any, *, limit: int = LIMIT) -> list[Case]:
    """Open cases the user is allocated to or leads, the soonest due first."""
    return list(
        _open_cases()
        .filter(Q(allocated_worker=user) | Q(lead_practitioner=user))
        .order_by(F("next_due_on").asc(nulls_last=True), "pk")[:limit]
    )


def my_children_count(user: Any) -> int:
    return (
        Case.objects.exclude(state=CaseState.CLOSED)
        .filter(Q(allocated_worker=user) | Q(lead_practitioner=user))
        .count()
    )


def my_actions(user: Any, *, limit: int = LIMIT) -> list[Action]:
    """Open actions the user owns, on open cases, the soonest due first."""
    return list(
        Action.objects.filter(owner=user, completed_at__isnull=True)
        .exclude(case__state=CaseState.CLOSED)
        .select_related("case", "case__person")
        .order_by("due_on", "pk")[:limit]
    )


def my_reviews_due(user: Any, today: date, *, within_days: int = 14) -> list[Plan]:
    """Plans of the user's cases whose review is due within a fortnight, or overdue."""
    horizon = date.fromordinal(today.toordinal() + within_days)
    return list(
        Plan.objects.filter(
            Q(case__allocated_worker=user) | Q(case__lead_practitioner=user),
            ended_at__isnull=True,
            next_review_due__lte=horizon,
        )
        .exclude(case__state=CaseState.CLOSED)
        .select_related("case", "case__person")
        .order_by("next_review_due", "pk")[:LIMIT]
    )


@dataclass
class TeamView:
    """A manager's view of the open cases their agency leads."""

    open_cases: int = 0
    overdue_cases: list[Case] = field(default_factory=list)
    overdue_count: int = 0
    unallocated: int = 0
    approvals: list[ClosureRequest] = field(default_factory=list)


def team_view(user: Any, today: date, *, limit: int = LIMIT) -> TeamView:
    if user.agency_id is None:
        return TeamView()
    cases = Case.objects.exclude(state=CaseState.CLOSED).filter(lead_agency_id=user.agency_id)
    counts = cases.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(next_due_on__lt=today)),
        unallocated=Count("pk", filter=Q(allocated_worker__isnull=True)),
    )
    overdue = list(
        _open_cases()
        .filter(lead_agency_id=user.agency_id, next_due_on__lt=today)
        .order_by(F("next_due_on").asc(nulls_last=True), "pk")[:limit]
    )
    return TeamView(
        open_cases=counts["open"],
        overdue_cases=overdue,
        overdue_count=counts["overdue"],
        unallocated=counts["unallocated"],
        approvals=approvals_waiting(user),
    )


def approvals_waiting(user: Any) -> list[ClosureRequest]:
    """Closure and step-down requests waiting for a manager of the user's agency."""
    if user.agency_id is None:
        return []
    return list(
        ClosureRequest.objects.filter(
            status=ClosureStatus.PENDING, case__lead_agency_id=user.agency_id
        )
        .select_related("case", "case__person", "requested_by")
        .order_by("requested_at", "pk")[:LIMIT]
    )


@dataclass(frozen=True)
class Raised:
    """A concern the user or their agency raised, and what became of it."""

    event: Event
    outcome: ConcernOutcome
    by_me: bool


def concerns_raised(user: Any, source_codes: list[str], *, limit: int = 10) -> list[Raised]:
    """The latest concerns and referrals the user recorded or their agency sent, newest first,
    each with its outcome (two queries)."""
    who = Q(recorded_by=user)
    if source_codes:
        who |= Q(source__in=source_codes)
    events = list(
        Event.objects.filter(who, kind__in=SCREENED_KINDS)
        .only("pk", "kind", "recorded_at", "occurred_at", "source", "recorded_by_id")
        .order_by("-recorded_at", "-pk")[:limit]
    )
    outcomes = concern_outcomes(e.pk for e in events)
    return [Raised(e, outcomes[e.pk], e.recorded_by_id == user.pk) for e in events]
