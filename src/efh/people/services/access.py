"""Writes about the need to know: involvements, information-sharing decisions and break-glass
accesses, each logged in the same transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest

from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.people.models import (
    BreakGlassAccess,
    BreakGlassDecision,
    Involvement,
    LawfulBasis,
    Person,
    SharingDecision,
    SpecialCategoryCondition,
)
from efh.people.policy import (
    can_break_glass,
    can_review_break_glass,
    can_search,
    can_share,
    grounds_for,
    now,
)

if TYPE_CHECKING:
    from efh.accounts.models import Agency, User


@transaction.atomic
def break_glass_open(
    *, actor: User, person_id: int, reason: str, request: HttpRequest | None = None
) -> BreakGlassAccess:
    """Open a record without a standing need to know, for ``settings.EFH_BREAK_GLASS_MINUTES``.

    The reason is required, logged with ``break_glass`` set, and waits for an auditor's review.
    """
    if not can_break_glass(actor):
        raise PermissionDenied("Your role cannot break the glass")
    reason = reason.strip()
    if len(reason) < 10:
        raise ValidationError(
            {"reason": "Give the reason you need to open this record, in at least 10 characters"}
        )
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise ValidationError("No such person")
    opened = now()
    entry = access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=ObjectType.PERSON,
        object_id=person.pk,
        detail={"outcome": "break glass opened"},
        reason=reason,
        break_glass=True,
        request=request,
    )
    return BreakGlassAccess.objects.create(
        person=person,
        user=actor,
        reason=reason,
        opened_at=opened,
        expires_at=opened + timedelta(minutes=settings.EFH_BREAK_GLASS_MINUTES),
        log_seq=entry.seq,
    )


@transaction.atomic
def break_glass_review(
    *,
    actor: User,
    access_id: int,
    decision: BreakGlassDecision | str,
    note: str = "",
    request: HttpRequest | None = None,
) -> BreakGlassAccess:
    """An auditor's decision on a break-glass access; the review is itself logged."""
    if not can_review_break_glass(actor):
        raise PermissionDenied("Only auditors review break-glass accesses")
    access = BreakGlassAccess.objects.select_for_update().filter(pk=access_id).first()
    if access is None:
        raise ValidationError("No such break-glass access")
    if access.reviewed_at is not None:
        raise ValidationError("This access has already been reviewed")
    if access.user_id == actor.pk:
        raise ValidationError("You cannot review your own access")
    if decision not in BreakGlassDecision.values:
        raise ValidationError({"decision": "Choose a decision"})
    if decision != BreakGlassDecision.JUSTIFIED and not note.strip():
        raise ValidationError({"note": "Say why the access was not justified"})
    access.reviewed_by = actor
    access.reviewed_at = now()
    access.decision = decision
    access.review_note = note.strip()
    access.save(update_fields=["reviewed_by", "reviewed_at", "decision", "review_note"])
    access_log_record(
        actor=actor,
        action=AccessAction.UPDATE,
        object_type=ObjectType.BREAK_GLASS_ACCESS,
        object_id=access.pk,
        fields=["decision", "review_note"],
        detail={"person": access.person_id, "user": access.user_id, "decision": str(decision)},
        request=request,
    )
    return access


@transaction.atomic
def sharing_decision_record(
    *,
    actor: User,
    person_id: int,
    to_agency: Agency | None = None,
    to_user: User | None = None,
    scope: str,
    purpose: str,
    lawful_basis: str,
    condition: str,
    consent_obtained: bool | None = None,
    consent_override_reason: str = "",
    expires_at: Any = None,
    request: HttpRequest | None = None,
) -> SharingDecision:
    """Record that the actor shares a person's record with an agency or a person, and why.

    Only someone who may open the full record may share it. Consent as the basis needs consent
    obtained; any other basis needs the reason consent was not sought or was overridden.
    """
    if not can_share(actor) or not grounds_for(actor, person_id):
        raise PermissionDenied("You may share only records you can open")
    errors: dict[str, str] = {}
    if (to_agency is None) == (to_user is None):
        errors["to_agency"] = "Choose one agency or one person to share with"
    elif to_user is not None and (not to_user.is_active or not can_search(to_user)):
        errors["to_user"] = "Share only with a practitioner whose role opens children’s records"  # noqa: RUF001
    if not purpose.strip():
        errors["purpose"] = "Say why you are sharing this record"
    if lawful_basis not in LawfulBasis.values:
        errors["lawful_basis"] = "Choose the lawful basis"
    if condition not in SpecialCategoryCondition.values:
        errors["condition"] = "Choose the condition for special category data"
    consent_based = lawful_basis == LawfulBasis.CONSENT or (
        condition == SpecialCategoryCondition.EXPLICIT_CONSENT
    )
    if consent_based and consent_obtained is not True:
        errors["consent_obtained"] = "Consent is the basis, so record that it was given"
    if not consent_based and not consent_override_reason.strip():
        errors["consent_override_reason"] = (
            "Say why consent was not sought, or why it was overridden"
        )
    if errors:
        raise ValidationError(errors)
    decision = SharingDecision.objects.create(
        person_id=person_id,
        shared_by=actor,
        from_agency_id=actor.agency_id,
        to_agency=to_agency,
        to_user=to_user,
        scope=scope,
        purpose=purpose.strip(),
        lawful_basis=lawful_basis,
        condition=condition,
        consent_obtained=consent_obtained,
        consent_override_reason=consent_override_reason.strip(),
        decided_at=now(),
        expires_at=expires_at,
    )
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.SHARING_DECISION,
        object_id=decision.pk,
        fields=["to_agency" if to_agency else "to_user", "scope", "purpose", "lawful_basis"],
        detail={"person": person_id},
        request=request,
    )
    return decision


@transaction.atomic
def involvement_start(
    *,
    actor: User,
    person_id: int,
    user: User,
    kind: str,
    request: HttpRequest | None = None,
) -> Involvement:
    """Record that ``user`` is involved with or allocated to a person."""
    if not can_share(actor) or not grounds_for(actor, person_id):
        raise PermissionDenied("You may allocate only to records you can open")
    involvement = Involvement.objects.create(
        person_id=person_id, user=user, kind=kind, started_at=now(), created_by=actor
    )
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.INVOLVEMENT,
        object_id=involvement.pk,
        fields=["user", "kind"],
        detail={"person": person_id, "user": user.pk},
        request=request,
    )
    return involvement
