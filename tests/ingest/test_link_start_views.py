"""Starting a link run from the link runs page (``people:link-runs``, ``ingest:link-run-start``):
the front door and the data-quality role may (a queued run, its task, an access-log entry),
everyone else gets 403 and nothing is queued; a second start is refused in plain words; the
page shows a running run's stage, steps and time left, and reloads itself while it runs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from efh.core.models import AccessLogEntry
from efh.people.models import LinkRun, LinkRunKind, LinkRunStatus

RUNS = reverse("people:link-runs")
START = reverse("ingest:link-run-start")
META_REFRESH = '<meta http-equiv="refresh" content="10">'


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["screener", "data.quality"])
def test_a_link_reviewer_starts_a_run_and_a_second_is_refused(
    demo: dict[str, Any], username: str
) -> None:
    client = _client(demo[username])
    page = client.get(RUNS).content.decode()
    assert f'action="{START}"' in page and "Start a link run</button>" in page
    assert META_REFRESH not in page  # nothing is going

    response = client.post(START)
    assert response.status_code == 302 and response["Location"] == RUNS
    run = LinkRun.objects.get()
    assert run.status == LinkRunStatus.QUEUED and run.kind == LinkRunKind.FULL
    assert DBTaskResult.objects.get().id.hex == run.task_id.replace("-", "")
    entry = AccessLogEntry.objects.get(object_type="link_run")
    assert (entry.username, entry.action, entry.object_id) == (username, "create", str(run.pk))

    page = client.get(RUNS).content.decode()
    assert f"Link run {run.pk} is queued." in page
    assert "Waiting for the task worker to start it" in page
    assert "Start a link run</button>" not in page
    assert META_REFRESH in page and 'hx-trigger="every 2s"' in page

    page = client.post(START, follow=True).content.decode()
    assert "There is a problem" in page
    assert (
        f"Link run {run.pk} is already waiting for the task worker. You can start another when "
        "it has finished."
    ) in page
    assert LinkRun.objects.count() == 1 and DBTaskResult.objects.count() == 1
    refused = AccessLogEntry.objects.filter(object_type="link_run").order_by("seq").last()
    assert refused.username == username and refused.object_id == ""
    assert refused.detail["outcome"] == "refused"
    assert refused.detail["why"].startswith(f"Link run {run.pk} is already waiting")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username", ["analyst", "police.officer", "panel.chair", "manager", "auditor", "admin"]
)
def test_other_roles_get_403_and_nothing_is_queued(demo: dict[str, Any], username: str) -> None:
    assert _client(demo[username]).post(START).status_code == 403
    assert not LinkRun.objects.exists() and not DBTaskResult.objects.exists()
    # The refused attempt is in the access log as refused.
    entry = AccessLogEntry.objects.get(object_type="link_run")
    assert entry.username == username and entry.detail == {
        "outcome": "refused",
        "why": "Your role does not review record links",
    }


@pytest.mark.django_db
def test_starting_needs_a_post_with_its_csrf_token(demo: dict[str, Any]) -> None:
    client = _client(demo["screener"])
    assert client.get(START).status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo["screener"])
    assert strict.post(START).status_code == 403
    assert not LinkRun.objects.exists()


@pytest.mark.django_db
def test_the_page_shows_a_running_run_with_its_stage_steps_and_time_left(
    demo: dict[str, Any],
) -> None:
    now = timezone.now()
    running = LinkRun.objects.create(
        kind=LinkRunKind.INCREMENTAL,
        started_by="screener (from the web)",
        started_at=now - timedelta(minutes=3),
        heartbeat_at=now,
        stage="train m",
        stage_started_at=now - timedelta(minutes=2),
        done=2,
        total=6,
    )
    client = _client(demo["data.quality"])
    page = client.get(RUNS).content.decode()
    assert "Stage: </span>train m" in page
    assert "2 of 6 done (33%)" in page
    # Two steps in two minutes: four more take about four.
    assert "Time left: About 4 minutes for this stage (from its progress)" in page
    assert f"Link run {running.pk} is running." in page
    assert META_REFRESH in page and "Stop reloading" in page
    assert META_REFRESH not in client.get(RUNS + "?reload=off").content.decode()

    LinkRun.objects.filter(pk=running.pk).update(
        status=LinkRunStatus.SUCCEEDED, finished_at=now, stage="finished", figures={"merges": 4}
    )
    page = client.get(RUNS).content.decode()
    assert META_REFRESH not in page and "Time left" not in page
    assert "Finished" in page and "Merges: 4" in page
    assert "Start a link run</button>" in page


@pytest.mark.django_db
def test_a_queued_run_whose_task_was_lost_does_not_block_the_next(demo: dict[str, Any]) -> None:
    client = _client(demo["screener"])
    client.post(START)
    lost = LinkRun.objects.get()
    DBTaskResult.objects.all().delete()  # e.g. pruned before any worker ran it
    page = client.get(RUNS).content.decode()
    assert "Failed: its task was lost before it ran" in page
    assert "Start a link run</button>" in page and META_REFRESH not in page

    assert client.post(START).status_code == 302
    lost.refresh_from_db()
    assert lost.status == LinkRunStatus.FAILED
    assert lost.message == "Its task was removed from the queue before it ran; nothing was changed."
    new = LinkRun.objects.exclude(pk=lost.pk).get()
    assert new.status == LinkRunStatus.QUEUED and DBTaskResult.objects.get().id.hex in (
        new.task_id.replace("-", ""),
    )
