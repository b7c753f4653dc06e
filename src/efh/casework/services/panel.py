"""Referrals to the extra-familial harm panel (MACE). The front door's route "panel" and a
case's "refer to the panel" put the child's case on the panel's list; the panel's meetings (a
later issue) take referrals from it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from efh.casework.models import Case, PanelReferral, PanelReferralStatus, Screening
from efh.casework.services.log import logged_change
from efh.core.clock import now
from efh.core.models import ObjectType


@transaction.atomic
def panel_refer(
    *,
    actor: Any,
    case: Case,
    reason: str,
    screening: Screening | None = None,
    request: HttpRequest | None = None,
) -> PanelReferral:
    """Put the case on the panel's list; a case already waiting is not listed twice."""
    waiting = PanelReferral.objects.filter(case=case, status=PanelReferralStatus.WAITING).first()
    if waiting is not None:
        return waiting
    referral = PanelReferral.objects.create(
        case=case, screening=screening, reason=reason, referred_by=actor, referred_at=now()
    )
    logged_change(
        actor=actor,
        object_type=ObjectType.PANEL_REFERRAL,
        person_id=case.person_id,
        old=None,
        new={"case": case.pk, "reason": reason, "status": referral.status},
        detail={"panel_referral": referral.pk},
        request=request,
    )
    return referral
