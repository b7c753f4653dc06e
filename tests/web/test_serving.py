"""The site as `make demo` serves it: gunicorn with efh.config.gunicorn, DEBUG off, the static
files collected (``efh collectstatic``) and served by WhiteNoise under hashed names with a long
cache, pages with the service's 404 and the security headers; Ctrl-C (SIGINT) stops it."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FRONTEND = REPO / "var" / "frontend" / "application.css"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a local http URL)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not FRONTEND.exists():
        pytest.fail("var/frontend/ is missing: run `npm run build` first")
    var = tmp_path_factory.mktemp("var")
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EFH_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env.update(EFH_VAR_DIR=str(var), EFH_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    subprocess.run(
        [str(BIN / "efh"), "collectstatic", "--noinput", "-v", "0"],
        env=env,
        cwd=REPO,
        check=True,
        timeout=300,
    )
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "--config", "python:efh.config.gunicorn", "efh.config.wsgi"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(f"{url}/sign-in/")
            break
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail(f"gunicorn did not start: {server.communicate()[0].decode()}")
            time.sleep(0.2)
    yield {"url": url, "server": server}
    if server.poll() is None:
        server.kill()
        server.wait()


def test_a_mistyped_url_gets_the_service_404(served):
    status, headers, body = _get(f"{served['url']}/peopel/search/")
    html = body.decode()
    assert status == 404
    assert headers["Server"] == "gunicorn"
    assert "Page not found" in html
    assert "URLconf" not in html and "DEBUG = True" not in html
    assert "'unsafe-inline'" not in headers["Content-Security-Policy"]
    assert "'nonce-" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_static_files_have_hashed_names_a_long_cache_and_compression(served):
    _, _, body = _get(f"{served['url']}/sign-in/")
    (css,) = re.findall(r'href="(/static/application\.[0-9a-f]{12}\.css)"', body.decode())
    status, headers, _ = _get(f"{served['url']}{css}", **{"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "no-store" not in headers["Cache-Control"]


def test_ctrl_c_stops_the_server(served):
    server = served["server"]
    server.send_signal(signal.SIGINT)
    output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output.decode()
    assert "Shutting down: Master" in output.decode()
