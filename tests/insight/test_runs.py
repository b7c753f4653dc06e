"""Refreshing the intelligence picture from the web: the refresh task carried out by the real
task worker (database backend) and by the immediate backend; the refresh runs page (progress:
stage, what was read, time left; reloading itself while a run is going); starting a refresh
(analysts only, logged, never a second one queued)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from efh.contexts.services import wards_load
from efh.core.models import AccessLogEntry
from efh.ingest.services import delivery_import
from efh.insight.models import Candidate, RefreshRun, RefreshStatus
from efh.insight.refresh import RefreshRefused
from efh.insight.services import refresh_run_start
from efh.synth.generator import generate

RUNS = reverse("insight:refresh-runs")
START = reverse("insight:refresh-start")
META_REFRESH = '<meta http-equiv="refresh" content="10">'


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    generate(
        folder,
        children=150,
        seed=23,
        as_of=date(2026, 10, 31),
        duplicate_rate=0.0,
        activity_scale=0.5,
        progress=None,
    )
    return folder


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db(transaction=True)
def test_a_queued_refresh_is_carried_out_by_the_worker(
    borough: Path, demo: dict[str, Any], run_worker: Any
) -> None:
    wards_load()
    delivery_import(path=borough)
    run = refresh_run_start(actor=demo["analyst"])
    assert run.status == RefreshStatus.QUEUED and run.task_id
    assert DBTaskResult.objects.get(id=run.task_id).task_path == "efh.insight.tasks.refresh"

    run_worker()

    run.refresh_from_db()
    assert run.status == RefreshStatus.SUCCEEDED, run.message
    assert run.inputs["persons"] > 0 and run.stage == "finished"
    assert run.figures["peer_groups"] == Candidate.objects.filter(kind="peer_group").count()
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.status == "SUCCESSFUL" and task.return_value["run"] == run.pk


@pytest.mark.django_db
def test_with_the_immediate_backend_a_refresh_runs_as_it_is_started(
    demo: dict[str, Any], settings: Any
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    run = refresh_run_start(actor=demo["analyst"])
    # Nothing was imported: the same plain refusal as `efh refresh`.
    assert run.status == RefreshStatus.FAILED
    assert run.message == "There is nothing to analyse: import a delivery first."
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_an_analyst_starts_a_refresh_and_a_second_is_refused(demo: dict[str, Any]) -> None:
    client = _client(demo["analyst"])
    response = client.post(START)
    assert response.status_code == 302 and response["Location"] == RUNS
    run = RefreshRun.objects.get()
    assert run.status == RefreshStatus.QUEUED
    assert DBTaskResult.objects.count() == 1
    entry = AccessLogEntry.objects.get(object_type="intelligence_refresh")
    assert (entry.username, entry.action, entry.object_id) == ("analyst", "create", str(run.pk))
    page = client.get(RUNS).content.decode()
    assert f"Refresh {run.pk} is queued." in page
    assert "Waiting for the task worker to start it" in page
    assert 'id="start-run"' in page and "Start a refresh</button>" not in page

    response = client.post(START, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert (
        f"Refresh {run.pk} is already waiting for the task worker. You can start another when "
        "it has finished."
    ) in page
    assert RefreshRun.objects.count() == 1 and DBTaskResult.objects.count() == 1
    entries = AccessLogEntry.objects.filter(object_type="intelligence_refresh").order_by("seq")
    assert [e.detail.get("outcome") for e in entries] == [None, "refused"]


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["manager", "police.officer", "screener", "auditor"])
def test_other_roles_may_neither_start_nor_watch_a_refresh(
    demo: dict[str, Any], username: str
) -> None:
    from django.core.exceptions import PermissionDenied

    client = _client(demo[username])
    assert client.post(START).status_code == 403
    assert client.get(RUNS).status_code == 403
    assert not RefreshRun.objects.exists() and not DBTaskResult.objects.exists()
    with pytest.raises(PermissionDenied):
        refresh_run_start(actor=demo[username])
    # Both refused attempts to start are in the access log as refused.
    entries = AccessLogEntry.objects.filter(object_type="intelligence_refresh")
    assert [(e.username, e.detail["outcome"]) for e in entries] == [(username, "refused")] * 2


@pytest.mark.django_db
def test_the_service_refuses_while_a_refresh_is_running(demo: dict[str, Any]) -> None:
    import os
    import socket

    now = timezone.now()
    running = RefreshRun.objects.create(
        started_by="efh refresh (operator)",
        started_at=now,
        heartbeat_at=now,
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    with pytest.raises(RefreshRefused, match=f"Refresh {running.pk} is already running"):
        refresh_run_start(actor=demo["analyst"])
    assert RefreshRun.objects.count() == 1 and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_the_page_shows_a_running_refresh_and_reloads_itself(demo: dict[str, Any]) -> None:
    now = timezone.now()
    RefreshRun.objects.create(
        status=RefreshStatus.SUCCEEDED,
        started_by="efh refresh (operator)",
        started_at=now - timedelta(days=1, minutes=20),
        heartbeat_at=now - timedelta(days=1),
        finished_at=now - timedelta(days=1),
        figures={"peer_groups": 12, "hotspots": 3},
    )
    running = RefreshRun.objects.create(
        status=RefreshStatus.RUNNING,
        started_by="analyst (from the web)",
        started_at=now - timedelta(minutes=5),
        heartbeat_at=now,
        stage="finding peer groups (Leiden)",
        stage_started_at=now - timedelta(minutes=1),
        inputs={"persons": 5200, "children": 5000, "events": 40210, "associations": 800},
    )
    client = _client(demo["analyst"])
    page = client.get(RUNS).content.decode()
    assert "Stage: </span>finding peer groups (Leiden)" in page
    assert "Read 5,200 people, 5,000 children, 40,210 events, 800 associations" in page
    # The previous refresh took 20 minutes; this one is 5 minutes in.
    assert "Time left: About 15 minutes (the previous run took about 20 minutes)" in page
    assert "Peer-group candidates: 12" in page
    assert META_REFRESH in page and "Stop reloading" in page
    assert f"Refresh {running.pk} is running." in page
    assert 'hx-trigger="every 2s"' in page
    # Stopping the reload (WCAG 2.2.1), and htmx's request for the table alone.
    assert META_REFRESH not in client.get(RUNS + "?reload=off").content.decode()
    partial = client.get(RUNS, headers={"HX-Request": "true"}).content.decode()
    assert partial.strip().startswith('<div id="refresh-runs"') and "<html" not in partial

    RefreshRun.objects.filter(pk=running.pk).update(
        status=RefreshStatus.FAILED, finished_at=now, message="MemoryError()"
    )
    page = client.get(RUNS).content.decode()
    assert META_REFRESH not in page and 'hx-trigger="every 2s"' not in page
    assert "Failed: nothing was changed" in page and "MemoryError()" in page
    assert "Start a refresh</button>" in page


@pytest.mark.django_db
def test_the_overview_leads_an_analyst_to_the_refreshes(demo: dict[str, Any]) -> None:
    overview = reverse("insight:overview")
    assert f'href="{RUNS}"' in _client(demo["analyst"]).get(overview).content.decode()
    assert f'href="{RUNS}"' not in _client(demo["manager"]).get(overview).content.decode()
