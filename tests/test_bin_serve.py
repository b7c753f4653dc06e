"""``bin/serve``: the task worker beside the web server, both stopped by Ctrl-C (INT), by TERM,
or when the web server exits. A stand-in ``efh`` (EFH) records the worker's process, and
``sleep`` stands in for the web server."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SERVE = REPO / "bin" / "serve"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by its parent) is not alive either.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"


def _wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


@pytest.fixture
def fake_efh(tmp_path: Path) -> tuple[Path, Path]:
    """An ``efh`` whose ``db_worker`` writes its arguments and process id, then waits."""
    record = tmp_path / "worker"
    script = tmp_path / "efh"
    script.write_text(f'#!/bin/sh\necho "$$ $*" > {record}\nexec sleep 300\n')
    script.chmod(0o755)
    return script, record


def _start(fake_efh: tuple[Path, Path], *server: str) -> tuple[subprocess.Popen, int, int]:
    script, record = fake_efh
    serve = subprocess.Popen(
        [str(SERVE), *server], env={**os.environ, "EFH": str(script)}, stderr=subprocess.PIPE
    )
    assert _wait_for(lambda: record.exists() and record.read_text().strip() != "")
    worker_pid, *args = record.read_text().split()
    assert args == ["db_worker", "--no-reload"]
    # The web server: bin/serve's other child.
    children = Path(f"/proc/{serve.pid}/task/{serve.pid}/children")
    assert _wait_for(lambda: len(children.read_text().split()) == 2)
    server_pid = next(int(p) for p in children.read_text().split() if p != worker_pid)
    return serve, int(worker_pid), server_pid


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_stops_the_web_server_and_the_worker(fake_efh, sent, code) -> None:
    serve, worker, server = _start(fake_efh, "sleep", "300")
    assert _alive(worker) and _alive(server)
    serve.send_signal(sent)
    assert serve.wait(timeout=15) == code
    assert _wait_for(lambda: not _alive(worker)) and _wait_for(lambda: not _alive(server))


def test_the_worker_stops_when_the_web_server_exits(fake_efh) -> None:
    serve, worker, _ = _start(fake_efh, "sleep", "1")
    assert serve.wait(timeout=15) == 0
    assert _wait_for(lambda: not _alive(worker))


def test_without_a_web_server_command_it_says_how_to_use_it() -> None:
    result = subprocess.run([str(SERVE)], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "usage: bin/serve COMMAND" in result.stderr
