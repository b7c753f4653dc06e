"""The ingest jobs as tasks on the task runner (django-tasks; ``efh db_worker`` runs them).

Each is a thin wrapper: the same function the command runs (``efh link``, ``efh import``),
with the run's row (``people.LinkRun``) carrying its progress and outcome. A task's return
value is a small JSON summary; a refused or failed job raises, so the task is marked failed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django_tasks import task

from efh.ingest.linking import link_run
from efh.ingest.services import delivery_import


@task()
def link(run_id: int) -> dict[str, Any]:
    """Carry out the queued link run ``run_id`` (``efh.ingest.jobs.link_run_start``)."""
    outcome = link_run(started_by="task", queued=run_id)
    return {"run": outcome.run.pk, **{k: v for k, v in outcome.figures.items() if k != "seconds"}}


@task()
def import_delivery(path: str) -> dict[str, Any]:
    """Validate and store the delivery in the folder ``path`` (``efh import DIR --queue``)."""
    result = delivery_import(path=Path(path))
    return {
        "delivery": result.delivery.pk,
        "already_imported": result.already_imported,
        "rows": result.total_rows,
        "counts": result.counts,
    }
