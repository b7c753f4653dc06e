"""The home page: the signed-in user's work (the front door's queue, their children, actions and
reviews due, their team's overdue items and approvals, what became of the concerns they raised),
what they can do, their concern drafts, the latest deliveries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from efh.accounts.http import AuthenticatedRequest
from efh.casework.policy import can_screen
from efh.casework.services.intake import intake_pull
from efh.casework.services.log import worklists_viewed
from efh.concerns.selectors.concern import drafts_for
from efh.concerns.services.concern import concern_drafts_viewed
from efh.pages import selectors


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    drafts = drafts_for(user=request.user)
    concern_drafts_viewed(actor=request.user, drafts=drafts, request=request)
    if can_screen(request.user):
        intake_pull()  # the front door's count includes what arrived since the queue was seen
    work = selectors.home_work(user=request.user)
    worklists_viewed(actor=request.user, person_ids=work.person_ids, request=request)
    return render(
        request,
        "pages/home.html",
        {
            "deliveries": selectors.latest_deliveries(user=request.user),
            "concern_drafts": drafts,
            "work": work,
        },
    )
