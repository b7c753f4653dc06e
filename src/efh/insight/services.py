"""Writes of the intelligence pages: a professional's review of a candidate, the access-log
entries for viewing pages that name people (by pseudonym), and starting a refresh from the web
(``refresh_run_start``: a queued ``RefreshRun`` for the task worker).

A review confirms or dismisses a candidate with a required reason. It is appended as a
``CandidateReview`` (with the members at that moment and the run that derived them), sets the
candidate's ``review_status``, and is access-logged, all in one transaction (DESIGN.md:
services validate and write the audit entry in the same transaction).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from efh.core.jobs import busy_refusal, serialise, started_from_web
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record, start_refused
from efh.insight import tasks
from efh.insight.models import (
    Candidate,
    CandidateMember,
    CandidateReview,
    RefreshRun,
    RefreshStatus,
    ReviewDecision,
)
from efh.insight.policy import require_candidates
from efh.insight.refresh import RefreshRefused, refresh_run_current

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


def refresh_run_start(*, actor: User, request: HttpRequest | None = None) -> RefreshRun:
    """Queue a refresh of the whole picture for the task worker (``insight.tasks.refresh``),
    logged in the same transaction. Raises ``PermissionDenied`` without the intelligence
    capability and :class:`RefreshRefused` while another refresh is queued or running; a
    refused start is logged as refused, with why."""
    try:
        return _refresh_run_start(actor=actor, request=request)
    except (PermissionDenied, RefreshRefused) as refused:
        start_refused(
            actor=actor,
            object_type=ObjectType.INTELLIGENCE_REFRESH,
            why=str(refused),
            request=request,
        )
        raise


@transaction.atomic
def _refresh_run_start(*, actor: User, request: HttpRequest | None) -> RefreshRun:
    require_candidates(actor)
    serialise("efh.insight.refresh_run_start")
    current = refresh_run_current()
    if current is not None:
        raise RefreshRefused(busy_refusal("Refresh", current))
    now = timezone.now()
    run = RefreshRun.objects.create(
        status=RefreshStatus.QUEUED,
        started_by=started_from_web(actor),
        started_at=now,
        heartbeat_at=now,
    )
    result = tasks.refresh.enqueue(run.pk)
    RefreshRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.INTELLIGENCE_REFRESH,
        object_id=run.pk,
        detail={"queued": True, "task": str(result.id)},
        request=request,
    )
    run.refresh_from_db()
    return run
