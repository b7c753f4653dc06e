"""Pages about places: a location or an organisation, composed of the sections the apps
contribute (``contexts/place.py``), at the level the user's role allows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from efh.accounts.http import AuthenticatedRequest
from efh.contexts.place import place_compose, place_fields, place_sections
from efh.contexts.policy import PlaceLevel, access_place


def _place(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    place, level = access_place(
        user,
        kind,
        pk,
        request=request,
        fields=place_fields,
        detail=lambda level: place_sections.detail(level.value, request),
    )
    _, sections = place_compose(user, place, kind, level, request)
    context = {
        "place": place,
        "kind": kind,
        "sections": sections,
        "pseudonymised": level == PlaceLevel.PSEUDONYMISED,
    }
    return render(request, "contexts/place.html", context)


@login_required
def location(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _place(request, "location", pk)


@login_required
def organisation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _place(request, "organisation", pk)
