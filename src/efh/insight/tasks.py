"""The intelligence refresh as a task on the task runner (django-tasks; ``efh db_worker`` runs
it): a thin wrapper around the function ``efh refresh`` runs, carrying out the queued
``RefreshRun`` row that ``insight.services.refresh_run_start`` wrote. A refused or failed
refresh raises, so the task is marked failed; the row says why in plain words."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from efh.insight.refresh import refresh_run


@task()
def refresh(run_id: int) -> dict[str, Any]:
    outcome = refresh_run(started_by="task", queued=run_id)
    return {"run": outcome.run.pk, **{k: v for k, v in outcome.figures.items() if k != "seconds"}}
