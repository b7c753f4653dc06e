"""Pages about places: a location or an organisation, composed of the sections the apps
contribute (``contexts/place.py``), at the level the user's role allows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from efh.accounts.http import AuthenticatedRequest
from efh.contexts.place import place_compose, place_fields, place_sections
from efh.contexts.policy import PlaceLevel, place_access_level
from efh.contexts.selectors import place as selectors
from efh.core.models import AccessAction
from efh.core.services import access_log_record


def _place(request: AuthenticatedRequest, kind: str, pk: int) -> HttpResponse:
    user = request.user
    level = place_access_level(user)
    if level is None:
        raise PermissionDenied("Your role does not include pages about places")
    place = selectors.location_get(pk) if kind == "location" else selectors.organisation_get(pk)
    access_log_record(
        actor=user,
        action=AccessAction.VIEW,
        object_type=kind,
        object_id=place.pk,
        fields=place_fields(level),
        detail={**place_sections.detail(level.value, request), "level": level.value},
        request=request,
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
