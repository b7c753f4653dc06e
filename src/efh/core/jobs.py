"""Shared by the platform's long jobs (``efh link``, ``efh refresh``): progress on the run's
row and the terminal (``RunTracker``, which also marks a run failed), the time of each stage
(``Laps``), whether a run is still alive (``still_running``) or its queued task still waiting
(``still_queued``), and how long a run has left (``seconds_left``).

A job runs from the terminal (its command) or as a task on the task runner (django-tasks with
its database backend; ``efh db_worker`` runs them): the same function either way. A run started
from the web is a row with status ``queued`` and the id of its task until the worker takes it.

A job writes a row per run with ``status``, ``host``, ``pid`` and a ``heartbeat_at`` it renews
while it works, and writes its results in one transaction at the end. A run whose row still
says running is really running only if its heartbeat is recent and, on this machine, its process
exists; otherwise it died (killed, machine restarted) without writing anything, and is marked
interrupted so that the next run may start.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus, default_task_backend
from django_tasks.exceptions import TaskResultDoesNotExist

Progress = Callable[[str, int, int], None]
# The web pages poll a run's row; writing progress more often than this would only add load.
HEARTBEAT_SECONDS = 1.0


class RunTracker:
    """``track(stage, done, total)``: echoes to the terminal, and writes the stage, progress and
    heartbeat to the run's row (a model with ``stage``, ``done``, ``total``, ``heartbeat_at``,
    ``stage_started_at``) at most once a second within a stage, and always on a new stage or
    its last step."""

    def __init__(self, run: Any, echo: Progress | None) -> None:
        self.run = run
        self.echo = echo
        self.last = 0.0

    def __call__(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.echo:
            self.echo(stage, done, total)
        now = time.monotonic()
        if stage == self.run.stage and now - self.last < HEARTBEAT_SECONDS and done < total:
            return
        self.last = now
        at = timezone.now()
        if stage[:200] != self.run.stage or self.run.stage_started_at is None:
            self.run.stage_started_at = at
        self.run.stage, self.run.done, self.run.total = stage[:200], done, total
        self.run.heartbeat_at = at
        type(self.run).objects.filter(pk=self.run.pk).update(
            stage=self.run.stage,
            done=done,
            total=total,
            heartbeat_at=at,
            stage_started_at=self.run.stage_started_at,
        )

    def fail(self, status: str, message: str) -> None:
        """Mark the run ``status`` (its failed status) with why, and its finish time."""
        type(self.run).objects.filter(pk=self.run.pk).update(
            status=status, finished_at=timezone.now(), message=message[:2000]
        )


class Laps:
    """A stopwatch for a job's stages: ``laps("read")`` records the seconds since the previous
    call (or since it was made) under ``laps.seconds["read"]``, rounded to hundredths."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.clock = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = round(now - self.clock, 2)
        self.clock = now


def process_alive(pid: int | None) -> bool:
    """Whether a process with this id exists on this machine."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def still_running(runs: Iterable[Any], *, timeout: timedelta, interrupted: str) -> Any | None:
    """The first of ``runs`` (rows whose status says running) that is alive; each dead one on
    the way is marked ``interrupted`` with its finish time."""
    stale = timezone.now() - timeout
    host = socket.gethostname()
    for run in runs:
        if run.heartbeat_at >= stale and (run.host != host or process_alive(run.pid)):
            return run
        type(run).objects.filter(pk=run.pk, status=run.status).update(
            status=interrupted, finished_at=timezone.now()
        )
    return None


def still_queued(runs: Iterable[Any], *, failed: str) -> Any | None:
    """The first of ``runs`` (rows whose status says queued) whose task is still waiting or
    running; each one on the way whose task is gone, failed or finished without taking the row
    is marked ``failed`` with why."""
    for run in runs:
        message = _task_lost(run.task_id)
        if message is None:
            return run
        type(run).objects.filter(pk=run.pk, status=run.status).update(
            status=failed, finished_at=timezone.now(), message=message
        )
    return None


def task_waiting(task_id: str) -> bool:
    """Whether a queued run's task may still take it (reads only)."""
    return _task_lost(task_id) is None


def _task_lost(task_id: str) -> str | None:
    """Why a queued run's task will never take it, or None while it may."""
    if not default_task_backend.supports_get_result:
        return None  # (the immediate backend: the task ran when it was queued)
    try:
        result = default_task_backend.get_result(task_id)
    except TaskResultDoesNotExist:
        return "Its task was removed from the queue before it ran; nothing was changed."
    if result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
        return None
    return "Its task ended before it started the run; nothing was changed."


def serialise(name: str) -> None:
    """Hold a lock named ``name`` until the transaction ends, so that two requests cannot both
    queue a run (PostgreSQL: an advisory lock; SQLite serialises writers itself)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])


def busy_refusal(what: str, current: Any) -> str:
    """Why a start from the web is refused while ``current`` (a run row) is queued or running:
    ``what`` names it ("Link run", "Refresh")."""
    state = "waiting for the task worker" if current.status == "queued" else "running"
    return f"{what} {current.pk} is already {state}. You can start another when it has finished."


def started_from_web(actor: Any) -> str:
    """A run's ``started_by`` when someone starts it from the web."""
    return f"{actor.get_username()} (from the web)"[:150]


def seconds_left(run: Any, *, now: Any, previous: float | None = None) -> tuple[float, str] | None:
    """How long a running run has left, and what the estimate rests on: ``("stage", s)`` from
    the current stage's progress (its rate so far, for the steps it has left), else
    ``("previous", s)`` from how long the previous successful run took; None if neither is
    known (the first run, a stage that counts nothing)."""
    started = run.stage_started_at
    if started and run.total and 0 < run.done < run.total:
        elapsed = max((now - started).total_seconds(), 0.0)
        return elapsed * (run.total - run.done) / run.done, "stage"
    if previous:
        elapsed = max((now - run.started_at).total_seconds(), 0.0)
        return max(previous - elapsed, 0.0), "previous"
    return None


def duration_words(seconds: float) -> str:
    """A duration as a person would say it: "less than a minute", "about 1 minute",
    "about 12 minutes", "about 2 hours 5 minutes"."""
    minutes = round(seconds / 60)
    if seconds < 60 or minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    hours, rest = divmod(minutes, 60)
    text = f"about {hours} hour{'s' if hours != 1 else ''}"
    return text + (f" {rest} minute{'s' if rest != 1 else ''}" if rest else "")


@dataclass
class RunProgress:
    """A run as its progress page shows it, at the moment ``at``: queued, running (with its
    stage, steps and time left), interrupted (its heartbeat stopped), or finished or failed.
    ``previous`` is how long the previous successful run took, in seconds, if known."""

    run: Any
    at: datetime
    timeout: timedelta
    previous: float | None = None

    @property
    def lost(self) -> bool:
        """Queued, but its task is gone or ended without taking it: it will never run (the
        next start marks it failed)."""
        return bool(self.run.status == "queued" and not task_waiting(self.run.task_id))

    @property
    def queued(self) -> bool:
        return bool(self.run.status == "queued") and not self.lost

    @property
    def interrupted(self) -> bool:
        return bool(self.run.status == "running" and self.run.heartbeat_at < self.at - self.timeout)

    @property
    def running(self) -> bool:
        return self.run.status == "running" and not self.interrupted

    @property
    def active(self) -> bool:
        """Queued or running: another may not be started."""
        return self.queued or self.running

    @property
    def status_label(self) -> str:
        if self.interrupted:
            return "Interrupted: nothing was changed"
        if self.lost:
            return "Failed: its task was lost before it ran"
        return str(self.run.get_status_display())

    @property
    def colour(self) -> str:
        if self.interrupted or self.lost or self.run.status in ("failed", "interrupted"):
            return "red"
        if self.queued:
            return "grey"
        return "blue" if self.running else "green"

    @property
    def percent(self) -> int | None:
        if not self.run.total:
            return None
        return min(100, int(100 * self.run.done / self.run.total))

    @property
    def time_left(self) -> str | None:
        """The estimate in words, with what it rests on; None when not running."""
        if not self.running:
            return None
        estimate = seconds_left(self.run, now=self.at, previous=self.previous)
        if estimate is None:
            return "Not known yet (this stage does not count its steps, and no run finished before)"
        seconds, basis = estimate
        if basis == "stage":
            return f"{duration_words(seconds).capitalize()} for this stage (from its progress)"
        if seconds <= 0:
            return "It has taken longer than the previous run: it should finish soon"
        took = duration_words(self.previous or 0)
        return f"{duration_words(seconds).capitalize()} (the previous run took {took})"
