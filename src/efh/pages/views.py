"""The home page: what the signed-in user can do, their concern drafts, the latest deliveries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from efh.accounts.http import AuthenticatedRequest
from efh.concerns.selectors.concern import drafts_for
from efh.concerns.services.concern import concern_drafts_viewed
from efh.pages import selectors


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    drafts = drafts_for(user=request.user)
    concern_drafts_viewed(actor=request.user, drafts=drafts, request=request)
    return render(
        request,
        "pages/home.html",
        {"deliveries": selectors.latest_deliveries(user=request.user), "concern_drafts": drafts},
    )
