"""Closing a case or stepping it down: requested with a reason, approved or returned with
comments by a manager of the lead agency, every step kept (as Primero does).

A case with open actions or an open NRM referral may still close, but the request must say, for
each, why it can stay open (``open_item_reasons``: ``"action:<id>"`` / ``"nrm:<id>"``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from efh.casework.models import Case, ClosureKind, ClosureRequest, ClosureStatus
from efh.casework.policy import manages
from efh.casework.selectors.case import open_items
from efh.casework.services.case import case_move, check_revision
from efh.casework.services.log import logged_change
from efh.casework.states import check_move
from efh.core.clock import now
from efh.core.models import ObjectType


def _values(r: ClosureRequest) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "status": r.status,
        "reason": r.reason,
        "step_down_to": r.step_down_to,
        "open_item_reasons": r.open_item_reasons,
        "comments": r.comments,
    }


@transaction.atomic
def closure_request(
    *,
    actor: Any,
    case: Case,
    kind: str,
    reason: str,
    step_down_to: str = "",
    open_item_reasons: dict[str, str] | None = None,
    revision: int | None = None,
    request: HttpRequest | None = None,
) -> ClosureRequest:
    case = Case.objects.select_for_update().get(pk=case.pk)
    check_revision(case, revision, "case")
    action = "request_closure" if kind == ClosureKind.CLOSURE else "request_step_down"
    if kind not in ClosureKind.values:
        raise ValidationError({"kind": ["Choose closure or step-down"]})
    check_move(case.state, action)
    reasons = {k: v.strip() for k, v in (open_item_reasons or {}).items() if v.strip()}
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["reason"] = [
            f"Say why the case should {'close' if kind == 'closure' else 'step down'}"
        ]
    if kind == ClosureKind.STEP_DOWN and not step_down_to.strip():
        errors["step_down_to"] = [
            "Say who holds the child after the step-down (early help, a school)"
        ]
    still_open = open_items(case)
    for item in still_open:
        if item.key not in reasons:
            errors[f"open-{item.key.replace(':', '-')}"] = [
                f"Say why {item.label} can stay open when the case closes, or complete it first"
            ]
    if errors:
        raise ValidationError(errors)
    from_state = case.state
    case_move(actor=actor, case=case, action=action, reason=reason, request=request)
    closure = ClosureRequest.objects.create(
        case=case,
        kind=kind,
        reason=reason.strip(),
        step_down_to=step_down_to.strip()[:200],
        open_item_reasons={
            k: v for k, v in reasons.items() if k in {i.key for i in open_items(case)}
        },
        from_state=from_state,
        requested_by=actor,
        requested_at=now(),
    )
    logged_change(
        actor=actor,
        object_type=ObjectType.CLOSURE_REQUEST,
        person_id=case.person_id,
        old=None,
        new=_values(closure),
        detail={"case": case.pk, "closure_request": closure.pk},
        reason=reason,
        request=request,
    )
    return closure


@transaction.atomic
def closure_decide(
    *,
    actor: Any,
    closure: ClosureRequest,
    approve: bool,
    comments: str,
    request: HttpRequest | None = None,
) -> ClosureRequest:
    """Approve, or return with comments (back to the state the request came from)."""
    closure = ClosureRequest.objects.select_for_update().select_related("case").get(pk=closure.pk)
    case = closure.case
    if not manages(actor, case):
        raise PermissionDenied("Only a manager of the lead agency approves or returns this")
    if closure.status != ClosureStatus.PENDING:
        raise ValidationError(
            {"decision": [f"This request was already {closure.get_status_display().lower()}"]}
        )
    if not approve and not comments.strip():
        raise ValidationError({"comments": ["Say what needs to happen before it can be approved"]})
    old = _values(closure)
    if approve:
        action = "approve_step_down" if closure.kind == ClosureKind.STEP_DOWN else "approve_closure"
        why = comments.strip() or f"{closure.get_kind_display()} approved"
    else:
        action, why = "return_request", comments.strip()
    # The move reads the pending request (a return goes back to where it came from).
    case_move(actor=actor, case=case, action=action, reason=why, request=request)
    closure.status = ClosureStatus.APPROVED if approve else ClosureStatus.RETURNED
    closure.decided_by = actor
    closure.decided_at = now()
    closure.comments = comments.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "comments"])
    logged_change(
        actor=actor,
        object_type=ObjectType.CLOSURE_REQUEST,
        person_id=case.person_id,
        old=old,
        new=_values(closure),
        detail={"case": case.pk, "closure_request": closure.pk},
        reason=why,
        request=request,
    )
    return closure
