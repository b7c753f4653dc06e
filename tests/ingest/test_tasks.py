"""The ingest jobs as tasks (``efh.ingest.tasks``): a link run queued from the web and carried
out by the real task worker (the database backend, ``efh db_worker``), a refused one, and an
import queued from the command line. The tasks are thin wrappers, so what they store is what
``efh link`` and ``efh import`` store."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from efh.core.models import AccessLogEntry, Delivery
from efh.ingest import jobs
from efh.ingest.linking import LinkRefused
from efh.ingest.services import delivery_import
from efh.people.models import LinkRun, LinkRunStatus, Merge, ReviewPair
from efh.synth.generator import generate


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    generate(
        folder,
        children=150,
        seed=17,
        as_of=date(2026, 10, 31),
        duplicate_rate=0.3,
        activity_scale=0.2,
        progress=None,
    )
    return folder


@pytest.fixture
def model_path(tmp_path: Path, settings: Any) -> Path:
    settings.EFH_LINK_MODEL = tmp_path / "model.json"
    return settings.EFH_LINK_MODEL


@pytest.mark.django_db(transaction=True)
def test_a_queued_link_run_is_carried_out_by_the_worker(
    borough: Path, model_path: Path, demo: dict[str, Any], run_worker: Any
) -> None:
    delivery_import(path=borough)
    screener = demo["screener"]
    run = jobs.link_run_start(actor=screener)
    assert run.status == LinkRunStatus.QUEUED and run.started_by == "screener (from the web)"
    task = DBTaskResult.objects.get(id=run.task_id)
    assert task.status == "READY" and task.task_path == "efh.ingest.tasks.link"
    entry = AccessLogEntry.objects.filter(object_type="link_run", object_id=str(run.pk)).get()
    assert entry.username == "screener" and entry.action == "create"

    run_worker()

    run.refresh_from_db()
    assert run.status == LinkRunStatus.SUCCEEDED, run.message
    assert run.stage == "finished" and run.trained and model_path.exists()
    assert run.figures["merges"] == Merge.objects.count() > 0
    assert run.figures["review_added"] == ReviewPair.objects.count()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value["run"] == run.pk
    assert task.return_value["merges"] == run.figures["merges"]


@pytest.mark.django_db(transaction=True)
def test_a_queued_run_refused_by_a_running_one_says_why(
    borough: Path, model_path: Path, demo: dict[str, Any], run_worker: Any
) -> None:
    import os
    import socket

    from django.utils import timezone

    from efh.people.models import LinkRunKind

    run = jobs.link_run_start(actor=demo["data.quality"])
    # Meanwhile `efh link` started on the terminal (alive: this process, a fresh heartbeat).
    now = timezone.now()
    terminal = LinkRun.objects.create(
        kind=LinkRunKind.FULL,
        started_by="efh link (operator)",
        started_at=now,
        heartbeat_at=now,
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    run_worker()
    run.refresh_from_db()
    assert run.status == LinkRunStatus.FAILED
    assert run.message == (
        f"Link run {terminal.pk} is still running (started {terminal.started_at:%H:%M}); "
        "wait for it to finish."
    )
    assert DBTaskResult.objects.get(id=run.task_id).status == "FAILED"


@pytest.mark.django_db
def test_a_second_link_run_is_not_queued(demo: dict[str, Any]) -> None:
    first = jobs.link_run_start(actor=demo["screener"])
    with pytest.raises(LinkRefused) as refused:
        jobs.link_run_start(actor=demo["data.quality"])
    assert str(refused.value) == (
        f"Link run {first.pk} is already waiting for the task worker. You can start another "
        "when it has finished."
    )
    assert LinkRun.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.django_db
def test_only_link_reviewers_may_start_a_link_run(demo: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    for username in ("analyst", "police.officer", "panel.chair"):
        with pytest.raises(PermissionDenied):
            jobs.link_run_start(actor=demo[username])
    assert not LinkRun.objects.exists() and not DBTaskResult.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_an_import_queued_from_the_command_line_is_stored_by_the_worker(
    borough: Path, run_worker: Any, capsys: Any
) -> None:
    call_command("import_delivery", str(borough), "--queue")
    assert "Queued the import of" in capsys.readouterr().out
    assert not Delivery.objects.exists()  # nothing until the worker runs it
    task = DBTaskResult.objects.get()
    assert task.task_path == "efh.ingest.tasks.import_delivery"

    run_worker()

    delivery = Delivery.objects.get()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert task.return_value["delivery"] == delivery.pk
    assert task.return_value["rows"] == sum(delivery.files.values())
    # The same import as `efh import`: a second one of the same folder changes nothing.
    assert delivery_import(path=borough).already_imported
