"""Starting an ingest job from the web: ``link_run_start`` queues a link run for the task
worker and goes back to the link runs page (``people:link-runs``), which shows its progress.
The service checks the capability (403 otherwise), refuses a second run and writes the
access-log entry, a refused start's too."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from efh.accounts.models import User
from efh.ingest import jobs
from efh.ingest.linking import LinkRefused


class StaffRequest(HttpRequest):
    user: User


@login_required
@require_POST
def link_run_start(request: StaffRequest) -> HttpResponse:
    runs = reverse("people:link-runs")
    try:
        run = jobs.link_run_start(actor=request.user, request=request)
    except LinkRefused as refused:
        messages.error(request, str(refused))
        return redirect(runs)
    messages.success(
        request,
        f"Link run {run.pk} is queued. The task worker starts it within a few seconds; "
        "this page shows its progress.",
    )
    return redirect(runs)
