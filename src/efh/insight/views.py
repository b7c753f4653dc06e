"""The intelligence pages: the overview, the candidates for professional review (peer groups,
adults linked to several children, children missing together) with their network views and
review forms, one person's connections, the hotspot map and the trends.

Views are thin: the policy (``insight.policy``) decides who may see what, the selectors build
the page, the services write. Candidates and connections need the intelligence capability
(analysts) and show people by pseudonym; every view of such a page is access-logged with the
person ids it showed. Hotspots, trends and the overview are aggregates, for analysts and
partnership managers. Practitioners and panel chairs get 403 here: they see derived items only
on the records they may open.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from efh.accounts.http import AuthenticatedRequest
from efh.core.models import ObjectType
from efh.insight import selectors
from efh.insight.forms import HotspotFilterForm, ReviewForm, StatusFilterForm
from efh.insight.models import CandidateKind
from efh.insight.policy import (
    access_candidate,
    can_see_candidates,
    require_aggregates,
    require_candidates,
)
from efh.insight.services import candidate_review, intelligence_viewed
from efh.web.forms import add_service_errors
from efh.web.pages import page_range, query_without_page

# Per kind: list and page URL names, headings, and the section in insight/nav.html.
KINDS: dict[str, dict[str, str]] = {
    CandidateKind.PEER_GROUP: {
        "list": "insight:peer-groups",
        "detail": "insight:peer-group",
        "title": "Peer-group candidates",
        "one": "Peer-group candidate",
        "nav": "peer",
    },
    CandidateKind.ADULT: {
        "list": "insight:adults",
        "detail": "insight:adult",
        "title": "Adults linked to several children",
        "one": "Adult linked to several children",
        "nav": "adults",
    },
    CandidateKind.CO_MISSING: {
        "list": "insight:co-missing",
        "detail": "insight:co-missing-group",
        "title": "Children missing together",
        "one": "Children missing together",
        "nav": "missing",
    },
}


@login_required
@require_GET
def overview(request: AuthenticatedRequest) -> HttpResponse:
    user = require_aggregates(request.user)
    o = selectors.overview(user, sees_candidates=can_see_candidates(user))
    return render(request, "insight/overview.html", {"o": o})


def _candidate_list(request: AuthenticatedRequest, kind: CandidateKind) -> HttpResponse:
    user = require_candidates(request.user)
    form = StatusFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if form.is_valid() else ""
    c = selectors.candidate_list(
        user, kind, status=status, page_number=request.GET.get("page") or 1
    )
    if c.rows:
        intelligence_viewed(
            actor=user,
            object_type=ObjectType.CANDIDATE,
            person_ids=c.person_ids,
            extra={
                "kind": kind,
                "codes": [r.candidate.code for r in c.rows],
                "page": c.page.number,
            },
            request=request,
        )
    return render(
        request,
        "insight/candidate_list.html",
        {
            "c": c,
            "form": form,
            "kind": KINDS[kind],
            "page_range": page_range(c.page),
            "query": query_without_page(request),
        },
    )


@login_required
@require_GET
def peer_groups(request: AuthenticatedRequest) -> HttpResponse:
    return _candidate_list(request, CandidateKind.PEER_GROUP)


@login_required
@require_GET
def adults(request: AuthenticatedRequest) -> HttpResponse:
    return _candidate_list(request, CandidateKind.ADULT)


@login_required
@require_GET
def co_missing(request: AuthenticatedRequest) -> HttpResponse:
    return _candidate_list(request, CandidateKind.CO_MISSING)


def _candidate(request: AuthenticatedRequest, kind: CandidateKind, code: str) -> HttpResponse:
    user = require_candidates(request.user)
    candidate = access_candidate(user, kind, code)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            candidate_review(
                actor=user,
                candidate=candidate,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            url = reverse(KINDS[kind]["detail"], kwargs={"code": candidate.code})
            return redirect(f"{url}?reviewed=1#review")
    p = selectors.candidate_page(user, candidate)
    intelligence_viewed(
        actor=user,
        object_type=ObjectType.CANDIDATE,
        object_id=candidate.code,
        person_ids=p.person_ids,
        extra={"kind": kind},
        request=request,
    )
    return render(
        request,
        "insight/candidate.html",
        {
            "p": p,
            "form": form,
            "kind": KINDS[kind],
            "graph": p.network.graph(),
            "reviewed": request.GET.get("reviewed") == "1" and p.reviews,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def peer_group(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _candidate(request, CandidateKind.PEER_GROUP, code)


@login_required
@require_http_methods(["GET", "POST"])
def adult(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _candidate(request, CandidateKind.ADULT, code)


@login_required
@require_http_methods(["GET", "POST"])
def co_missing_group(request: AuthenticatedRequest, code: str) -> HttpResponse:
    return _candidate(request, CandidateKind.CO_MISSING, code)


@login_required
@require_GET
def person(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    user = require_candidates(request.user)
    c = selectors.person_connections(user, person_id)
    if c is None:
        raise Http404("No such person")
    intelligence_viewed(
        actor=user,
        object_type=ObjectType.PERSON_CONNECTIONS,
        object_id=person_id,
        person_ids=c.person_ids,
        extra={"codes": [x.code for x in c.candidates]},
        request=request,
    )
    return render(
        request,
        "insight/person.html",
        {"c": c, "graph": c.network.graph(), "kinds": KINDS},
    )


@login_required
@require_GET
def hotspots(request: AuthenticatedRequest) -> HttpResponse:
    user = require_aggregates(request.user)
    form = HotspotFilterForm(request.GET or None, harm_choices=selectors.hotspot_harm_choices(user))
    h = selectors.hotspots(user, harm_type=form.value("harm_type"), status=form.value("status"))
    context: dict[str, Any] = {
        "h": h,
        "form": form,
        "tile_url": getattr(settings, "EFH_MAP_TILE_URL", ""),
        "tile_attribution": getattr(settings, "EFH_MAP_TILE_ATTRIBUTION", ""),
    }
    return render(request, "insight/hotspots.html", context)


@login_required
@require_GET
def trends(request: AuthenticatedRequest) -> HttpResponse:
    user = require_aggregates(request.user)
    return render(request, "insight/trends.html", {"t": selectors.trend_tables(user)})
