"""Pages about places: a location or an organisation, what happened there and who frequents it.

Who may see them is ``contexts.policy.place_access_level``: casework roles in full (people
labelled per need to know), analysts and managers pseudonymised (no one named), others not at
all. Every view is logged, naming the place and the sections shown.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from efh.contexts import selectors
from efh.contexts.policy import PlaceLevel, place_access_level
from efh.core.models import AccessAction
from efh.core.services import access_log_record
from efh.people.selectors.record import Sources
from efh.people.views.record import filter_form, page_range, query_without_page
from efh.web.views import AuthenticatedRequest

FULL_FIELDS = ["place", "chronology", "people_involved", "associations"]
PSEUDONYMISED_FIELDS = ["place", "chronology_without_free_text", "association_counts"]


def _place(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    level = place_access_level(user)
    if level is None:
        raise PermissionDenied("Your role does not include pages about places")
    place = selectors.location_get(pk) if kind == "location" else selectors.organisation_get(pk)
    sources = Sources.load()
    form = filter_form(request, sources)
    filters = form.filters()
    page_number = request.GET.get("page") or 1
    access_log_record(
        actor=user,
        action=AccessAction.VIEW,
        object_type=kind,
        object_id=place.pk,
        fields=FULL_FIELDS if level == PlaceLevel.FULL else PSEUDONYMISED_FIELDS,
        detail={"page": str(page_number), "level": level.value},
        request=request,
    )
    data = selectors.place_page(
        user, place, level=level, filters=filters, page_number=page_number, sources=sources
    )
    context: dict[str, Any] = {
        "d": data,
        "form": form,
        "filters": filters,
        "query": query_without_page(request),
        "page_range": page_range(data.page),
        "pseudonymised": level == PlaceLevel.PSEUDONYMISED,
    }
    return render(request, "contexts/place.html", context)


@login_required
def location(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _place(request, "location", pk)


@login_required
def organisation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _place(request, "organisation", pk)
