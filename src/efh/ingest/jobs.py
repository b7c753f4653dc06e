"""Starting the ingest jobs from the web: a link run is queued for the task worker.

``link_run_start`` is the service (HackSoft style): it checks the capability, refuses while a
run is queued or running, writes the queued ``people.LinkRun`` row, queues its task
(``efh.ingest.tasks.link``) and writes the access-log entry, in one transaction. The worker
(``efh db_worker``) then runs the same job as ``efh link``, on that row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from efh.core.jobs import busy_refusal, serialise, started_from_web
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record, start_refused
from efh.ingest import selectors, tasks
from efh.ingest.linking import LinkRefused, link_run_current
from efh.people.models import LinkRun, LinkRunKind, LinkRunStatus
from efh.people.selectors.linking import require_reviewer

if TYPE_CHECKING:
    from efh.accounts.models import User


def link_run_start(*, actor: User, request: HttpRequest | None = None) -> LinkRun:
    """Queue a link run (new and changed records, or all of them when there is no saved model
    or earlier run). Raises ``PermissionDenied`` without the link-review capability and
    :class:`LinkRefused` while another run is queued or running; a refused start is logged as
    refused, with why."""
    try:
        return _link_run_start(actor=actor, request=request)
    except (PermissionDenied, LinkRefused) as refused:
        start_refused(
            actor=actor, object_type=ObjectType.LINK_RUN, why=str(refused), request=request
        )
        raise


@transaction.atomic
def _link_run_start(*, actor: User, request: HttpRequest | None) -> LinkRun:
    require_reviewer(actor)
    serialise("efh.ingest.link_run_start")
    current = link_run_current()
    if current is not None:
        raise LinkRefused(busy_refusal("Link run", current))
    incremental = selectors.link_last_run() is not None and settings.EFH_LINK_MODEL.exists()
    now = timezone.now()
    run = LinkRun.objects.create(
        kind=LinkRunKind.INCREMENTAL if incremental else LinkRunKind.FULL,
        status=LinkRunStatus.QUEUED,
        started_by=started_from_web(actor),
        started_at=now,
        heartbeat_at=now,
    )
    result = tasks.link.enqueue(run.pk)
    LinkRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.LINK_RUN,
        object_id=run.pk,
        detail={"queued": True, "kind": run.kind, "task": str(result.id)},
        request=request,
    )
    run.refresh_from_db()
    return run
