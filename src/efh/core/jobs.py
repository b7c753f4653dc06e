"""Shared by the platform's long jobs (``efh link``, ``efh refresh``): is a run still alive?

A job writes a row per run with ``status``, ``host``, ``pid`` and a ``heartbeat_at`` it renews
while it works, and writes its results in one transaction at the end. A run whose row still
says running is really running only if its heartbeat is recent and, on this machine, its process
exists; otherwise it died (killed, machine restarted) without writing anything, and is marked
interrupted so that the next run may start.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.utils import timezone


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
