"""Refreshing the intelligence picture from the analyst's pages in a real browser, with axe-core
on each page: from the overview to the refreshes, start one, the task worker runs it (once, in
the test), and the page shows it finished with what it derived."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from efh.contexts.services import wards_load
from efh.ingest.services import delivery_import
from efh.insight.models import RefreshRun, RefreshStatus
from efh.synth.generator import generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    generate(
        folder,
        children=150,
        seed=29,
        as_of=date(2026, 10, 31),
        duplicate_rate=0.0,
        activity_scale=0.5,
        progress=None,
    )
    return folder


def test_an_analyst_starts_a_refresh_and_sees_it_finish(
    page: Any,
    live_server: Any,
    demo: dict[str, Any],
    borough: Path,
    sign_in: Any,
    assert_accessible: Any,
    run_worker: Any,
) -> None:
    wards_load()
    delivery_import(path=borough)
    sign_in(page, live_server, demo["analyst"])
    page.get_by_role("link", name="Intelligence").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Start a refresh").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Refreshes")
    expect(page.get_by_text("No refresh yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start a refresh").click()
    page.wait_for_load_state()
    run = RefreshRun.objects.get()
    expect(page.get_by_text(f"Refresh {run.pk} is queued.")).to_be_visible()
    expect(page.get_by_text("Waiting for the task worker to start it")).to_be_visible()
    expect(page.get_by_role("button", name="Start a refresh")).to_have_count(0)
    assert_accessible(page)

    # The worker runs it (in this test, while the page is away: SQLite's shared test database).
    page.goto("about:blank")
    run_worker()
    run.refresh_from_db()
    assert run.status == RefreshStatus.SUCCEEDED, run.message

    page.goto(f"{live_server.url}{reverse('insight:refresh-runs')}")
    row = page.get_by_role("row", name=re.compile(rf"^Refresh {run.pk}\b"))
    expect(row.get_by_text("Finished", exact=True)).to_be_visible()
    expect(row.get_by_text(re.compile(r"^Read [\d,]+ people, [\d,]+ children"))).to_be_visible()
    expect(row.get_by_text(re.compile(r"^Peer-group candidates: \d"))).to_be_visible()
    expect(page.get_by_role("button", name="Start a refresh")).to_be_visible()
    assert_accessible(page)

    # A second start (from another tab, opened before the first) is refused with its reason.
    other = page.context.new_page()
    other.goto(f"{live_server.url}{reverse('insight:refresh-runs')}")
    page.get_by_role("button", name="Start a refresh").click()
    page.wait_for_load_state()
    second = RefreshRun.objects.exclude(pk=run.pk).get()
    expect(page.get_by_text(f"Refresh {second.pk} is queued.")).to_be_visible()
    other.get_by_role("button", name="Start a refresh").click()
    other.wait_for_load_state()
    refusal = other.get_by_role(
        "link", name=re.compile(rf"^Refresh {second.pk} is already waiting")
    )
    expect(refusal).to_be_visible()
    assert_accessible(other)
    refusal.click()  # the error summary's link goes to what says why
    expect(other.locator("#start-run")).to_be_focused()
    assert RefreshRun.objects.count() == 2
    other.close()
