"""Writes of the intelligence pages: a professional's review of a candidate, and the access-log
entries for viewing pages that name people (by pseudonym).

A review confirms or dismisses a candidate with a required reason. It is appended as a
``CandidateReview`` (with the members at that moment and the run that derived them), sets the
candidate's ``review_status``, and is access-logged, all in one transaction (DESIGN.md:
services validate and write the audit entry in the same transaction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.insight.models import (
    Candidate,
    CandidateMember,
    CandidateReview,
    ReviewDecision,
)
from efh.insight.policy import require_candidates

if TYPE_CHECKING:
    from efh.accounts.models import User

MAX_REASON = 2000


@transaction.atomic
def candidate_review(
    *,
    actor: User,
    candidate: Candidate,
    decision: str,
    reason: str,
    request: HttpRequest | None = None,
) -> CandidateReview:
    """Confirm or dismiss a candidate, with a reason; logged in the same transaction."""
    require_candidates(actor)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = "Choose whether to confirm or dismiss this candidate"
    if not reason:
        errors["reason"] = "Enter the reason for your decision"
    elif len(reason) > MAX_REASON:
        errors["reason"] = "The reason must be 2,000 characters or fewer"
    if errors:
        raise ValidationError(errors)
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    members = sorted(
        CandidateMember.objects.filter(candidate=locked).values_list("person_id", flat=True)
    )
    review = CandidateReview.objects.create(
        candidate=locked,
        decision=decision,
        reason=reason,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        run=locked.last_run,
        members=members,
    )
    locked.review_status = decision
    locked.save(update_fields=["review_status"])
    candidate.review_status = decision
    access_log_record(
        actor=actor,
        action=AccessAction.UPDATE,
        object_type=ObjectType.CANDIDATE,
        object_id=locked.code,
        fields=["review_status"],
        detail={
            "kind": locked.kind,
            "decision": decision,
            "review": review.pk,
            "persons": members,
        },
        reason=reason,
        request=request,
    )
    return review


def intelligence_viewed(
    *,
    actor: User,
    object_type: ObjectType,
    object_id: str | int = "",
    person_ids: list[int],
    request: HttpRequest | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """Log a view of a page naming people (by pseudonym), like any other access."""
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=object_type,
        object_id=object_id,
        fields=["pseudonym", "derived_links"],
        detail={**(extra or {}), "persons": sorted(person_ids)},
        request=request,
    )
