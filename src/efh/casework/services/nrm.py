"""National Referral Mechanism referrals for a child thought to be trafficked.

The reasonable-grounds decision is due 45 days after referral where the partnership decides
under devolved child decision-making, and within 5 working days otherwise; the conclusive-grounds
decision comes no sooner than 30 days after reasonable grounds. Each step is logged with its old
and new values, and the due dates show on the case and the worklists (``selectors.due``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from efh.casework.models import Case, NrmReferral, NrmState
from efh.casework.services.case import case_due_update
from efh.casework.services.log import logged_change
from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.models import ObjectType

DEVOLVED_RG_DAYS = 45
RG_WORKING_DAYS = 5
CG_AFTER_RG_DAYS = 30


def rg_due(submitted_on: date, devolved: bool) -> date:
    if devolved:
        return submitted_on + timedelta(days=DEVOLVED_RG_DAYS)
    return calendar().add_working_days(submitted_on, RG_WORKING_DAYS)


def _values(n: NrmReferral) -> dict[str, Any]:
    return {
        "first_responder": n.first_responder_id,
        "submitted_on": n.submitted_on,
        "devolved": n.devolved,
        "state": n.state,
        "rg_due_on": n.rg_due_on,
        "rg_decided_on": n.rg_decided_on,
        "rg_positive": n.rg_positive,
        "cg_earliest_on": n.cg_earliest_on,
        "cg_decided_on": n.cg_decided_on,
        "cg_positive": n.cg_positive,
        "outcome": n.outcome,
        "reconsideration_requested_on": n.reconsideration_requested_on,
        "reconsideration_outcome": n.reconsideration_outcome,
    }


def _today() -> date:
    return calendar().local_date(now())


def _log(actor: Any, n: NrmReferral, old: dict[str, Any] | None, request: Any, step: str) -> None:
    logged_change(
        actor=actor,
        object_type=ObjectType.NRM_REFERRAL,
        person_id=n.case.person_id,
        old=old,
        new=_values(n),
        detail={"case": n.case_id, "nrm_referral": n.pk, "step": step},
        request=request,
    )
    case_due_update(case=n.case)


@transaction.atomic
def nrm_record(
    *,
    actor: Any,
    case: Case,
    first_responder: Any,
    submitted_on: date | None,
    devolved: bool | None,
    request: HttpRequest | None = None,
) -> NrmReferral:
    errors: dict[str, list[str]] = {}
    if first_responder is None:
        errors["first_responder"] = ["Choose the first responder agency that submitted it"]
    if submitted_on is None:
        errors["submitted_on"] = ["Enter the date it was submitted, for example 27 3 2027"]
    elif submitted_on > _today():
        errors["submitted_on"] = ["The date it was submitted must be today or in the past"]
    if devolved is None:
        errors["devolved"] = ["Say whether the partnership decides under devolved decision-making"]
    if errors:
        raise ValidationError(errors)
    assert submitted_on is not None and devolved is not None
    at = now()
    n = NrmReferral.objects.create(
        case=case,
        first_responder=first_responder,
        submitted_on=submitted_on,
        devolved=devolved,
        rg_due_on=rg_due(submitted_on, devolved),
        recorded_by=actor,
        created_at=at,
        updated_at=at,
    )
    _log(actor, n, None, request, "referral")
    return n


@transaction.atomic
def nrm_step(
    *,
    actor: Any,
    referral: NrmReferral,
    step: str,
    decided_on: date | None,
    positive: bool | None = None,
    text: str = "",
    request: HttpRequest | None = None,
) -> NrmReferral:
    """One step: ``rg`` (reasonable grounds), ``cg`` (conclusive grounds) or
    ``reconsideration`` (asked for after a negative decision; its ``text`` is the outcome when
    known, and a later ``rg`` or ``cg`` records the new decision)."""
    n = NrmReferral.objects.select_for_update().select_related("case").get(pk=referral.pk)
    old = _values(n)
    errors: dict[str, list[str]] = {}
    if decided_on is None:
        errors["decided_on"] = ["Enter the date, for example 27 3 2027"]
    elif decided_on > _today():
        errors["decided_on"] = ["The date must be today or in the past"]
    elif decided_on < n.submitted_on:
        errors["decided_on"] = ["The date cannot be before the referral was submitted"]
    if step in ("rg", "cg") and positive is None:
        errors["positive"] = ["Say whether the decision was positive or negative"]
    if step == "rg" and n.state not in (NrmState.AWAITING_RG, NrmState.RECONSIDERATION):
        errors["step"] = [
            f"A reasonable-grounds decision cannot be recorded now: {n.get_state_display().lower()}"
        ]
    if step == "cg":
        if n.state not in (NrmState.AWAITING_CG, NrmState.RECONSIDERATION) or not n.rg_positive:
            errors["step"] = [
                "A conclusive-grounds decision follows a positive reasonable-grounds one"
            ]
        elif decided_on and n.cg_earliest_on and decided_on < n.cg_earliest_on:
            errors["decided_on"] = [
                f"A conclusive-grounds decision comes no sooner than 30 days after reasonable "
                f"grounds: not before {n.cg_earliest_on:%d %B %Y}"
            ]
    if step == "reconsideration" and not (
        n.state == NrmState.NEGATIVE_RG
        or (n.state == NrmState.CONCLUDED and n.cg_positive is False)
    ):
        errors["step"] = ["Reconsideration is asked for after a negative decision"]
    if step not in ("rg", "cg", "reconsideration"):
        errors["step"] = ["Choose the step to record"]
    if errors:
        raise ValidationError(errors)
    assert decided_on is not None
    if step == "rg":
        n.rg_decided_on, n.rg_positive = decided_on, positive
        if positive:
            n.state = NrmState.AWAITING_CG
            n.cg_earliest_on = decided_on + timedelta(days=CG_AFTER_RG_DAYS)
        else:
            n.state = NrmState.NEGATIVE_RG
            n.outcome = text.strip() or n.outcome
    elif step == "cg":
        n.cg_decided_on, n.cg_positive = decided_on, positive
        n.state = NrmState.CONCLUDED
        n.outcome = text.strip() or n.outcome
    else:
        n.reconsideration_requested_on = decided_on
        n.reconsideration_outcome = text.strip()
        n.state = NrmState.RECONSIDERATION
    n.updated_at = now()
    n.save()
    _log(actor, n, old, request, step)
    return n
