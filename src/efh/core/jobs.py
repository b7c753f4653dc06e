"""Shared by the platform's long jobs (``efh link``, ``efh refresh``): progress on the run's
row and the terminal (``RunTracker``, which also marks a run failed), the time of each stage
(``Laps``), and whether a run is still alive (``still_running``).

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
from datetime import timedelta
from typing import Any

from django.utils import timezone

Progress = Callable[[str, int, int], None]
# The web pages poll a run's row; writing progress more often than this would only add load.
HEARTBEAT_SECONDS = 1.0


class RunTracker:
    """``track(stage, done, total)``: echoes to the terminal, and writes the stage, progress and
    heartbeat to the run's row (a model with ``stage``, ``done``, ``total``, ``heartbeat_at``)
    at most once a second within a stage, and always on a new stage or its last step."""

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
        self.run.stage, self.run.done, self.run.total = stage[:200], done, total
        self.run.heartbeat_at = timezone.now()
        type(self.run).objects.filter(pk=self.run.pk).update(
            stage=self.run.stage, done=done, total=total, heartbeat_at=self.run.heartbeat_at
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
