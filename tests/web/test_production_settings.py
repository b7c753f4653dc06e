"""Settings by environment (efh.config.settings), each read in a fresh ``efh`` process as a
deployment would start it: DEBUG only where a developer asks, and with ``EFH_ENV=production``
HTTPS, secure cookies and the headers ``efh check --deploy`` looks for, with nothing to warn about."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EFH = Path(sys.executable).parent / "efh"
SETTINGS = [
    "DEBUG",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "CONTENT_SECURITY_POLICY",
]
PRINT = (
    "import json; from django.conf import settings; "
    f"print(json.dumps({{n: getattr(settings, n, None) for n in {SETTINGS!r}}}, default=repr))"
)


def _env(tmp_path: Path, **values: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("EFH_", "DJANGO_")) and k != "DATABASE_URL"
    }
    env["EFH_VAR_DIR"] = str(tmp_path)
    env.update(values)
    return env


def _production(tmp_path: Path, **values: str) -> dict[str, str]:
    production = {
        "EFH_ENV": "production",
        "EFH_SECRET_KEY": secrets.token_urlsafe(64),
        "EFH_ALLOWED_HOSTS": "example.org",
    }
    return _env(tmp_path, **{**production, **values})


def _settings(env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [str(EFH), "shell", "-c", PRINT],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EFH), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_in_production(tmp_path):
    done = _check_deploy(_production(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout


def test_check_deploy_is_clean_behind_a_proxy_that_redirects(tmp_path):
    env = _production(tmp_path, EFH_SSL_REDIRECT="0", EFH_PROXY_SSL_HEADER="X-Forwarded-Proto")
    done = _check_deploy(env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNINGS" not in done.stdout + done.stderr


def test_check_deploy_warns_about_a_weak_secret_key(tmp_path):
    # The check can fail: a short key is reported.
    done = _check_deploy(_production(tmp_path, EFH_SECRET_KEY="short"))
    assert done.returncode != 0
    assert "security.W009" in done.stdout + done.stderr


def test_production_turns_on_https_and_the_security_headers(tmp_path):
    values = _settings(_production(tmp_path, EFH_DEBUG="1"))
    assert values["DEBUG"] is False  # never in production, whatever EFH_DEBUG says
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None
    assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"


def test_production_behind_a_proxy(tmp_path):
    env = _production(
        tmp_path,
        EFH_SSL_REDIRECT="0",
        EFH_PROXY_SSL_HEADER="X-Forwarded-Proto",
        EFH_HSTS_PRELOAD="1",
        EFH_HSTS_INCLUDE_SUBDOMAINS="0",
    )
    values = _settings(env)
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False


def test_development_is_plain_http_without_debug_unless_asked(tmp_path):
    values = _settings(_env(tmp_path))
    assert values["DEBUG"] is False  # `make demo` serves as production does
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False
    assert _settings(_env(tmp_path, EFH_DEBUG="1"))["DEBUG"] is True


@pytest.mark.parametrize(
    ("tile_url", "origin"),
    [
        ("https://tiles.example.org/{z}/{x}/{y}.png", "https://tiles.example.org"),
        ("https://{s}.tiles.example.org:8443/{z}/{x}/{y}.png", "https://*.tiles.example.org:8443"),
    ],
)
def test_a_configured_tile_server_may_serve_images(tmp_path, tile_url, origin):
    policy = _settings(_env(tmp_path, EFH_MAP_TILE_URL=tile_url))["CONTENT_SECURITY_POLICY"]
    assert policy["DIRECTIVES"]["img-src"] == ["'self'", "data:", origin]
