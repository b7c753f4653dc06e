"""Fixtures shared by every test package.

- ``make_user``: a staff account; ``password`` is the password it is given unless told otherwise.
- ``demo``: the demo partnership (agencies, sources mapped to agencies) and one account per role,
  as ``demo["police.officer"]``; each signs in with ``demo_password(username)``.
- ``make_person``: a person with one agency record, e.g. ``make_person(source="police",
  given_name="Ada", family_name="Example", is_child=True)`` -> the ``Person``.
- ``browser`` / ``page``: Debian's Chromium driven by Playwright's sync API; tests using them
  should be marked ``@pytest.mark.browser`` and serve the app with pytest-django's
  ``live_server``. A failing test leaves a screenshot in ``var/test-artifacts/``; a
  Content-Security-Policy violation on any page fails the test (``csp_violations`` lists them).
- ``sign_in(page, live_server, user)``: signs a demo or ``make_user`` account in through the form.
- ``assert_accessible(page)``: axe-core (WCAG 2.2 AA and best practice) finds no violations.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished, request_started

REPO = Path(__file__).resolve().parents[1]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
ARTIFACTS = REPO / "var" / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct-horse-battery-staple"


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Hash test passwords with a fast hasher (the demo fixture makes 13 accounts per test);
    tests marked ``real_password_hashing`` keep the configured Argon2."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _digit_only_csrf_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    """Mint CSRF tokens from digits alone in tests.

    A token is 64 random letters and digits, so one page in a few thousand carries a short name
    such as "Cal" inside its token, and a test asserting that name is absent from the HTML fails
    by chance (seen in CI). Django accepts digit-only tokens unchanged; production is untouched.
    """
    import string

    from django.middleware import csrf

    monkeypatch.setattr(csrf, "CSRF_ALLOWED_CHARS", string.digits)


@pytest.fixture(autouse=True, scope="session")
def _static_files_from_sources() -> Iterator[None]:
    """Static URLs under their plain names, served from the sources (the front-end build in
    var/frontend/) by pytest-django's ``live_server``, as with ``EFH_DEBUG=1``: the suite does not
    depend on an ``efh collectstatic`` having been run, or being current. The hashed names and
    WhiteNoise are tested by tests/web/test_serving.py, which serves a collected copy."""
    from django.test import override_settings

    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages):
        yield


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def make_user(db: None) -> Callable[..., Any]:
    """``make_user(username="...", **fields)`` -> a saved user whose password is ``PASSWORD``."""
    from factories import UserFactory

    def make(username: str = "practitioner", password: str = PASSWORD, **fields: Any) -> Any:
        return UserFactory(username=username, password=password, **fields)

    return make


# Tests whose code path differs by database engine (COPY or batched inserts, raw SQL for merges
# and link runs, the access log's chain lock, the search index's trigrams, snapshot reads), and
# the sign-in-to-home journey: CI runs the whole suite on PostgreSQL and these on SQLite too
# (``pytest -m engine``), so the embedded demo database stays supported without a second full run.
ENGINE_DEPENDENT = (
    "core/",
    "audit/",
    "ingest/",
    "people/test_search",
    "people/test_linking",
    "people/test_record.py",
    "insight/test_refresh.py",
    "pages/",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    tests = Path(__file__).resolve().parent
    for item in items:
        where = Path(str(item.path)).resolve().relative_to(tests).as_posix()
        if where.startswith(ENGINE_DEPENDENT):
            item.add_marker(pytest.mark.engine)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    # Keep each phase's report on the test item so fixtures can see whether the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM would otherwise
    # refuse the test's own queries.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class _ServerRequests:
    """Requests the live server is handling, so that a browser test's teardown can wait for
    them: closing a page sends what it sends on ``pagehide`` (a concern's last autosave, say),
    and the test database must not be flushed while the server is still writing."""

    def __init__(self) -> None:
        self.active = 0
        self.lock = threading.Lock()

    def started(self, **_: Any) -> None:
        with self.lock:
            self.active += 1

    def finished(self, **_: Any) -> None:
        with self.lock:
            self.active -= 1

    def wait_until_idle(self, quiet: float = 0.3, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        idle_since: float | None = None
        while time.monotonic() < deadline:
            if self.active <= 0:
                idle_since = idle_since or time.monotonic()
                if time.monotonic() - idle_since >= quiet:
                    return
            else:
                idle_since = None
            time.sleep(0.02)


_server_requests = _ServerRequests()
request_started.connect(_server_requests.started)
request_finished.connect(_server_requests.finished)


# Reports every Content-Security-Policy violation on every page a test opens (the listener is
# added to each document before its own scripts run).
_CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__efhCspViolation({
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile,
    line: event.lineNumber,
    sample: event.sample,
    url: document.location.href,
  });
});
"""


@pytest.fixture
def csp_violations() -> list[dict[str, Any]]:
    """The Content-Security-Policy violations seen so far by the test's ``page``."""
    return []


@pytest.fixture
def page(
    browser: Any, request: pytest.FixtureRequest, csp_violations: list[dict[str, Any]]
) -> Iterator[Any]:
    """A page in a fresh browser context. Any Content-Security-Policy violation on any page it
    opened fails the test (in teardown; ``csp_violations`` lists them as they happen)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.expose_binding(
        "__efhCspViolation", lambda _source, violation: csp_violations.append(violation)
    )
    context.add_init_script(_CSP_LISTENER)
    page = context.new_page()
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    _server_requests.wait_until_idle()
    if csp_violations and report is not None and report.passed:
        pytest.fail(
            "Content-Security-Policy violations:\n" + json.dumps(csp_violations, indent=2),
            pytrace=False,
        )


def demo_password(username: str) -> str:
    from efh.accounts.services import DEMO_PASSWORD_SUFFIX

    return username.replace(".", "-") + DEMO_PASSWORD_SUFFIX


SEED_MIGRATIONS = [
    "efh.core.migrations.0002_seed_sources",
    "efh.accounts.migrations.0002_seed_roles",
    "efh.accounts.migrations.0003_role_capabilities",
    "efh.accounts.migrations.0004_link_review",
    "efh.accounts.migrations.0005_intelligence",
    "efh.accounts.migrations.0006_casework",
    "efh.concerns.migrations.0003_seed_harm_types",
    "efh.casework.migrations.0002_default_screening_tool",
]


@pytest.fixture
def seeded(db: None) -> None:
    """The reference data the migrations seed (sources, roles and their capabilities, harm
    types), put back if a flush after an earlier transactional (live-server) test removed it.
    Every seed function is idempotent."""
    from importlib import import_module

    from django.apps import apps
    from django.db.migrations import RunPython

    for name in SEED_MIGRATIONS:
        for operation in import_module(name).Migration.operations:
            if isinstance(operation, RunPython):
                operation.code(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Every database test starts with the seeded reference data, even after a transactional
    (live-server) test's flush emptied the tables. (``serialized_rollback`` cannot be relied on
    for this once Playwright's event loop has given the thread new connection objects.)"""
    uses_db = request.node.get_closest_marker("django_db") is not None or bool(
        {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not uses_db:
        return
    request.getfixturevalue("db")
    from efh.accounts.models import Role
    from efh.casework.models import ScreeningTool
    from efh.concerns.models import HarmType
    from efh.core.models import Source

    if not (
        Role.objects.exists()
        and Source.objects.exists()
        and HarmType.objects.exists()
        and ScreeningTool.objects.exists()
    ):
        request.getfixturevalue("seeded")


@pytest.fixture
def demo(seeded: None) -> dict[str, Any]:
    """Every demo account by username, with the partnership's agencies and sources."""
    from efh.accounts.models import User
    from efh.accounts.services import demo_accounts_ensure

    demo_accounts_ensure()
    return {u.username: u for u in User.objects.select_related("role", "agency")}


@pytest.fixture
def make_person(db: None) -> Callable[..., Any]:
    """``make_person(source=..., **record fields)`` -> a new ``Person`` with that one record.

    ``person=`` adds the record to an existing person instead (a second agency's record)."""
    from factories import PersonRecordFactory

    def make(source: str = "police", person: Any = None, **fields: Any) -> Any:
        if person is not None:
            fields["person"] = person
        return PersonRecordFactory(source=source, **fields).person

    return make


# The factories as fixtures (tests/factories.py), as lite-api's conftest exposes them.
@pytest.fixture
def factories(db: None) -> Any:
    """``factories.PersonRecordFactory(...)``, ``factories.EventFactory(...)``, ..."""
    import factories as module

    return module


@pytest.fixture
def sign_in() -> Callable[..., None]:
    def go(page: Any, live_server: Any, user: Any, password: str | None = None) -> None:
        page.goto(f"{live_server.url}/sign-in/")
        page.get_by_label("Username", exact=True).fill(user.username)
        page.get_by_label("Password", exact=True).fill(password or demo_password(user.username))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()

    return go


def _assert_accessible(page: Any) -> None:
    # Evaluated through the DevTools protocol: a <script> tag would be refused by the page's
    # Content-Security-Policy, as any inline script without the page's nonce is.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    violations = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in results["violations"]
    ]
    assert violations == [], f"axe-core on {page.url}:\n{json.dumps(violations, indent=2)}"


@pytest.fixture
def assert_accessible() -> Callable[[Any], None]:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` first")
    return _assert_accessible


@pytest.fixture
def run_worker() -> Callable[[], str]:
    """``run_worker()``: the task worker (``efh db_worker --batch``) runs every queued task,
    then stops; returns what it printed. Its signal handlers are put back afterwards."""
    import signal

    from django.core.management import call_command

    def run() -> str:
        import io

        saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        out = io.StringIO()
        try:
            call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", stdout=out)
        finally:
            for s, handler in saved.items():
                signal.signal(s, handler)
        return out.getvalue()

    return run
