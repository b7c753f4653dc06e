"""Starting a link run from the link runs page in a real browser, with axe-core on each page:
the data-quality officer starts one, the task worker runs it (once, in the test), and the page
shows it finished with its merges."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from efh.ingest.services import delivery_import
from efh.people.models import LinkRun, LinkRunStatus
from efh.synth.generator import generate

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def borough(tmp_path: Path, settings: Any) -> Path:
    settings.EFH_LINK_MODEL = tmp_path / "model.json"
    folder = tmp_path / "borough"
    generate(
        folder,
        children=150,
        seed=31,
        as_of=date(2026, 10, 31),
        duplicate_rate=0.3,
        activity_scale=0.2,
        progress=None,
    )
    return folder


def test_a_data_quality_officer_starts_a_link_run_and_sees_it_finish(
    page: Any,
    live_server: Any,
    demo: dict[str, Any],
    borough: Path,
    sign_in: Any,
    assert_accessible: Any,
    run_worker: Any,
) -> None:
    delivery_import(path=borough)
    sign_in(page, live_server, demo["data.quality"])
    page.get_by_role("link", name="Record links").first.click()
    page.get_by_role("link", name="Link runs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Link runs")
    expect(page.get_by_text("No link run yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Start a link run").click()
    page.wait_for_load_state()
    run = LinkRun.objects.get()
    expect(page.get_by_text(f"Link run {run.pk} is queued.")).to_be_visible()
    expect(page.get_by_text("Waiting for the task worker to start it")).to_be_visible()
    expect(page.get_by_role("button", name="Start a link run")).to_have_count(0)
    assert_accessible(page)

    page.goto("about:blank")  # (SQLite's shared test database: no request while it writes)
    run_worker()
    run.refresh_from_db()
    assert run.status == LinkRunStatus.SUCCEEDED, run.message

    page.goto(f"{live_server.url}{reverse('people:link-runs')}")
    row = page.get_by_role("row", name=re.compile(rf"^Run {run.pk}:"))
    expect(row.get_by_text("Finished", exact=True)).to_be_visible()
    expect(row.get_by_text(re.compile(r"^Merges: [1-9]"))).to_be_visible()
    expect(page.get_by_role("button", name="Start a link run")).to_be_visible()
    assert_accessible(page)
