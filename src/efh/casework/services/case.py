"""Writes of a case: opening it (from a route decision), moving it between states, allocation.

Every write is ``@transaction.atomic`` and logs itself (``casework.services.log``); a move not in
``casework.states.MOVES`` from the case's state is refused with :class:`MoveRefused`; an edit
made against an older ``revision`` than the stored one raises :class:`StaleEdit` and changes
nothing."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from efh.casework.models import Allocation, Case, CaseState, ClosureRequest, ClosureStatus
from efh.casework.policy import manages
from efh.casework.selectors.due import due_items
from efh.casework.services.log import logged_change
from efh.casework.states import MoveRefused, check_move
from efh.core.clock import now
from efh.core.models import ObjectType

__all__ = ["MoveRefused", "StaleEdit", "case_allocate", "case_due_update", "case_move"]


class StaleEdit(ValueError):
    """Someone else changed the thing since the user opened it: nothing was saved."""

    def __init__(self, what: str, changed_by: Any = None, changed_at: Any = None) -> None:
        who = f" by {changed_by}" if changed_by else ""
        when = f" at {changed_at:%H:%M on %d %B %Y}" if changed_at else ""
        super().__init__(
            f"This {what} was changed{who}{when} after you opened it. Nothing you entered has "
            "been saved over it: check the current version below and make your change again."
        )
        self.changed_by = changed_by
        self.changed_at = changed_at


def check_revision(obj: Any, revision: int | None, what: str) -> None:
    if revision is not None and int(revision) != obj.revision:
        raise StaleEdit(what, changed_at=getattr(obj, "updated_at", None))


def _case_values(case: Case) -> dict[str, Any]:
    return {
        "state": case.state,
        "lead_agency": case.lead_agency_id,
        "lead_practitioner": case.lead_practitioner_id,
        "allocated_worker": case.allocated_worker_id,
        "level": case.level,
        "level_reason": case.level_reason,
    }


@transaction.atomic
def case_open(
    *,
    actor: Any,
    person_id: int,
    lead_agency: Any,
    harm_types: Iterable[Any] = (),
    level: str = "",
    level_reason: str = "",
    reason: str,
    lead_practitioner: Any = None,
    allocated_worker: Any = None,
    request: HttpRequest | None = None,
) -> Case:
    """Open a case for a child with no open case (the front door's route decision does; a child
    already open joins that case instead: ``casework.services.screening``)."""
    at = now()
    case = Case.objects.create(
        person_id=person_id,
        lead_agency=lead_agency,
        lead_practitioner=lead_practitioner,
        allocated_worker=allocated_worker,
        level=level,
        level_reason=level_reason,
        opened_at=at,
        opened_by=actor,
        updated_at=at,
    )
    case.harm_types.set(list(harm_types))
    case.transitions.create(
        action="open", from_state="", to_state=CaseState.OPEN, by=actor, at=at, reason=reason
    )
    Allocation.objects.create(
        case=case,
        lead_agency=lead_agency,
        lead_practitioner=lead_practitioner,
        allocated_worker=allocated_worker,
        started_at=at,
        by=actor,
        reason=reason,
    )
    logged_change(
        actor=actor,
        object_type=ObjectType.CASE,
        person_id=person_id,
        old=None,
        new=_case_values(case),
        detail={"case": case.pk},
        reason=reason,
        request=request,
    )
    return case


@transaction.atomic
def case_move(
    *,
    actor: Any,
    case: Case,
    action: str,
    reason: str,
    revision: int | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Move the case along one allowed transition, recording who, when and why.

    Closure and step-down are requested and approved through ``casework.services.closure``,
    which calls this; a manager-only move by anyone else is refused."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_revision(case, revision, "case")
    move = check_move(case.state, action)
    if move.manager_only and not manages(actor, case):
        raise MoveRefused("Only a manager of the lead agency can approve or return this request.")
    if not reason.strip():
        raise MoveRefused("Say why: a reason is needed for every step of a case.")
    old = _case_values(case)
    target = move.target
    if action == "return_request":
        pending = ClosureRequest.objects.filter(case=case, status=ClosureStatus.PENDING).first()
        target = pending.from_state if pending else CaseState.OPEN
    at = now()
    case.transitions.create(
        action=action, from_state=case.state, to_state=target, by=actor, at=at, reason=reason
    )
    case.state = target
    if target == CaseState.CLOSED:
        case.closed_at = at
        case.closed_as = "step_down" if action == "approve_step_down" else "closure"
    elif action == "reopen":
        case.closed_at = None
        case.closed_as = ""
    case.revision = F("revision") + 1
    case.updated_at = at
    case.save()
    case.refresh_from_db()
    logged_change(
        actor=actor,
        object_type=ObjectType.CASE,
        person_id=case.person_id,
        old=old,
        new=_case_values(case),
        detail={"case": case.pk, "move": action},
        reason=reason,
        request=request,
    )
    case_due_update(case=case)
    return case


@transaction.atomic
def case_allocate(
    *,
    actor: Any,
    case: Case,
    lead_agency: Any,
    lead_practitioner: Any,
    allocated_worker: Any,
    reason: str,
    revision: int | None = None,
    request: HttpRequest | None = None,
) -> Case:
    """Change who leads and who is allocated; the previous allocation is kept with its dates."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_revision(case, revision, "case")
    if not reason.strip():
        raise ValueError("Say why the allocation changes.")
    old = _case_values(case)
    at = now()
    Allocation.objects.filter(case=case, ended_at__isnull=True).update(ended_at=at)
    Allocation.objects.create(
        case=case,
        lead_agency=lead_agency,
        lead_practitioner=lead_practitioner,
        allocated_worker=allocated_worker,
        started_at=at,
        by=actor,
        reason=reason,
    )
    case.lead_agency = lead_agency
    case.lead_practitioner = lead_practitioner
    case.allocated_worker = allocated_worker
    case.revision = F("revision") + 1
    case.updated_at = at
    case.save()
    case.refresh_from_db()
    logged_change(
        actor=actor,
        object_type=ObjectType.CASE,
        person_id=case.person_id,
        old=old,
        new=_case_values(case),
        detail={"case": case.pk, "allocation": True},
        reason=reason,
        request=request,
    )
    return case


def case_due_update(*, case: Case) -> None:
    """Store the soonest thing due on the case (``Case.next_due_on``), which the worklists
    order by; every service that changes what is due calls this."""
    items = due_items(case)
    first = items[0] if items else None
    Case.objects.filter(pk=case.pk).update(
        next_due_on=first.on if first else None, next_due_what=first.what if first else ""
    )
