"""The refresh runs page (``insight:refresh-runs``): the intelligence picture's refreshes with
their progress, and the button that queues one for the task worker (``insight:refresh-start``).

For the intelligence capability (analysts); anyone else gets 403. While a refresh is queued or
running the table polls itself every 2 seconds (htmx); without JavaScript the page reloads
itself. Starting goes through ``insight.services.refresh_run_start``, which refuses a second
run and writes the access-log entry (a refused start's too).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from efh.accounts.http import AuthenticatedRequest
from efh.insight.policy import require_candidates
from efh.insight.refresh import RefreshRefused
from efh.insight.selectors.refresh_runs import refresh_runs as refresh_runs_selector
from efh.insight.services import refresh_run_start
from efh.web.pages import page_range, query_without_page


@login_required
@require_GET
def refresh_runs(request: AuthenticatedRequest) -> HttpResponse:
    user = require_candidates(request.user)
    page, rows = refresh_runs_selector(user, page_number=request.GET.get("page") or 1)
    active = next((r for r in rows if r.active), None)
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "active": active,
        "page_range": page_range(page),
        "query": query_without_page(request),
    }
    if request.headers.get("HX-Request"):
        return render(request, "insight/refresh_runs_table.html", context)
    return render(request, "insight/refresh_runs.html", context)


@login_required
@require_POST
def refresh_start(request: AuthenticatedRequest) -> HttpResponse:
    try:  # (the service checks the capability: 403, logged as refused)
        run = refresh_run_start(actor=request.user, request=request)
    except RefreshRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            f"Refresh {run.pk} is queued. The task worker starts it within a few seconds; "
            "this page shows its progress.",
        )
    return redirect(reverse("insight:refresh-runs"))
