"""The home page: what the signed-in user can do, their concern drafts, the latest deliveries."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from efh.accounts.http import AuthenticatedRequest
from efh.concerns.selectors.concern import drafts_for
from efh.core.models import AccessAction
from efh.core.services import access_log_record
from efh.pages import selectors


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    drafts = drafts_for(user=request.user)
    named = sorted({d.person_id for d in drafts if d.person_id and d.about})
    if named:  # the list names the people the drafts are about: a view of personal data
        access_log_record(
            actor=request.user,
            action=AccessAction.VIEW,
            object_type="concern_drafts",
            fields=["names"],
            detail={"people": named},
            request=request,
        )
    return render(
        request,
        "pages/home.html",
        {"deliveries": selectors.latest_deliveries(user=request.user), "concern_drafts": drafts},
    )
