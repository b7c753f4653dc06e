"""The long jobs' shared pieces (``efh.core.jobs``): the time a run has left, in words, from
its stage's progress or the previous run; a run's state as its page shows it; and a queued run
whose task is gone, which must not block the next one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from efh.core.jobs import RunProgress, RunTracker, duration_words, seconds_left, still_queued
from efh.people.models import LinkRun, LinkRunKind, LinkRunStatus

AT = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def _run(**fields) -> LinkRun:
    values = {
        "status": "running",
        "started_at": AT - timedelta(minutes=10),
        "heartbeat_at": AT - timedelta(seconds=5),
        "stage": "train m",
        "stage_started_at": AT - timedelta(minutes=2),
        "done": 0,
        "total": 0,
    }
    return LinkRun(**(values | fields))


def test_time_left_comes_from_the_stage_progress_when_it_counts_its_steps() -> None:
    # 1 of 4 steps in 2 minutes: 3 more take about 6 minutes.
    assert seconds_left(_run(done=1, total=4), now=AT) == (360.0, "stage")
    row = RunProgress(_run(done=1, total=4), AT, timedelta(minutes=2), previous=60.0)
    assert row.time_left == "About 6 minutes for this stage (from its progress)"


def test_time_left_otherwise_comes_from_the_previous_run() -> None:
    # Ten minutes in; the previous run took 25.
    assert seconds_left(_run(), now=AT, previous=1500.0) == (900.0, "previous")
    row = RunProgress(_run(), AT, timedelta(minutes=2), previous=1500.0)
    assert row.time_left == "About 15 minutes (the previous run took about 25 minutes)"
    late = RunProgress(_run(), AT, timedelta(minutes=2), previous=300.0)
    assert late.time_left == "It has taken longer than the previous run: it should finish soon"


def test_time_left_is_not_known_without_either() -> None:
    assert seconds_left(_run(), now=AT) is None
    assert RunProgress(_run(), AT, timedelta(minutes=2)).time_left.startswith("Not known yet")


def test_only_a_running_run_has_time_left() -> None:
    for status in ("queued", "succeeded", "failed"):
        assert RunProgress(_run(status=status), AT, timedelta(minutes=2)).time_left is None
    dead = _run(heartbeat_at=AT - timedelta(minutes=5))
    assert RunProgress(dead, AT, timedelta(minutes=2)).time_left is None


def test_durations_in_words() -> None:
    assert duration_words(12) == "less than a minute"
    assert duration_words(70) == "about 1 minute"
    assert duration_words(60 * 12 + 10) == "about 12 minutes"
    assert duration_words(3600) == "about 1 hour"
    assert duration_words(3600 * 2 + 5 * 60) == "about 2 hours 5 minutes"


def test_a_run_as_its_page_shows_it() -> None:
    running = RunProgress(_run(done=3, total=4), AT, timedelta(minutes=2))
    assert running.active and running.colour == "blue" and running.percent == 75
    dead = RunProgress(_run(heartbeat_at=AT - timedelta(minutes=3)), AT, timedelta(minutes=2))
    assert not dead.active and dead.colour == "red"
    assert dead.status_label == "Interrupted: nothing was changed"


@pytest.mark.django_db
def test_the_tracker_records_when_each_stage_began() -> None:
    now = timezone.now()
    run = LinkRun.objects.create(
        kind=LinkRunKind.FULL, started_by="test", started_at=now, heartbeat_at=now
    )
    track = RunTracker(run, None)
    track("reading person records")
    first = LinkRun.objects.get(pk=run.pk).stage_started_at
    assert first is not None
    track("reading person records", 1, 2)  # the same stage: its start is kept
    assert LinkRun.objects.get(pk=run.pk).stage_started_at == first
    track("scoring pairs", 0, 2)
    stored = LinkRun.objects.get(pk=run.pk)
    assert stored.stage == "scoring pairs" and stored.stage_started_at >= first


@pytest.mark.django_db
def test_a_queued_run_whose_task_is_gone_is_failed_and_blocks_nothing() -> None:
    from django_tasks_db.models import DBTaskResult

    from efh.ingest.tasks import link

    now = timezone.now()
    waiting, lost = (
        LinkRun.objects.create(
            kind=LinkRunKind.FULL,
            status=LinkRunStatus.QUEUED,
            started_by="test",
            started_at=now,
            heartbeat_at=now,
        )
        for _ in range(2)
    )
    for run in (waiting, lost):
        LinkRun.objects.filter(pk=run.pk).update(task_id=str(link.enqueue(run.pk).id))
    waiting.refresh_from_db()
    lost.refresh_from_db()
    DBTaskResult.objects.filter(id=lost.task_id).delete()

    queued = LinkRun.objects.filter(status=LinkRunStatus.QUEUED).order_by("-pk")
    assert still_queued(queued, failed=LinkRunStatus.FAILED) == waiting
    lost.refresh_from_db()
    assert lost.status == LinkRunStatus.FAILED
    assert lost.message == "Its task was removed from the queue before it ran; nothing was changed."
    # A task that ended without taking its run (it failed before it started) frees it too.
    DBTaskResult.objects.filter(id=waiting.task_id).update(status="FAILED")
    assert still_queued([LinkRun.objects.get(pk=waiting.pk)], failed="failed") is None
    assert LinkRun.objects.get(pk=waiting.pk).status == LinkRunStatus.FAILED


@pytest.mark.django_db
def test_a_queued_run_whose_task_is_gone_shows_as_lost_and_does_not_hide_the_start() -> None:
    from django_tasks_db.models import DBTaskResult

    from efh.ingest.tasks import link

    run = _run(status="queued", task_id=str(link.enqueue(1).id))
    row = RunProgress(run, AT, timedelta(minutes=2))
    assert row.queued and row.active and not row.lost and not row.running
    assert row.colour == "grey" and row.time_left is None
    DBTaskResult.objects.all().delete()
    row = RunProgress(run, AT, timedelta(minutes=2))
    assert row.lost and not row.queued and not row.active
    assert row.status_label == "Failed: its task was lost before it ran" and row.colour == "red"
