"""The permission policy for contexts: associations and the pages about places.

One policy per resource (DESIGN.md), used by every view that shows an association or a place:

- :func:`associations_visible_to` filters a queryset of associations down to what the user may
  see. Intelligence graded with handling code ``C`` ("lawful sharing permitted with
  conditions") goes to police roles only, as the 3x5x2 grading asks; everyone else never gets
  those rows from the database, so no page, list or count can leak them.
- :func:`place_access_level` says how a user may see a place's page: in full (casework roles,
  with people named per ``people.policy.labels_for``), pseudonymised (analysts and managers
  without casework: no person is named or labelled at all), or not at all.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from efh.contexts.models import Association, HandlingCode, Location, Organisation
from efh.core.access import Capability
from efh.core.models import AccessAction
from efh.core.policies import VIEW, register
from efh.core.services import access_log_record

if TYPE_CHECKING:
    from efh.accounts.models import User


def associations_visible_to(user: User, queryset: QuerySet[Association]) -> QuerySet[Association]:
    """The associations in ``queryset`` that this user may see.

    Handling code C is for police roles only (``user.is_police``); a user who is not signed in
    sees none."""
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if user.is_police:
        return queryset
    return queryset.exclude(handling_code=HandlingCode.CONDITIONS)


class PlaceLevel(StrEnum):
    FULL = "full"
    PSEUDONYMISED = "pseudonymised"


def place_access_level(user: User) -> PlaceLevel | None:
    """How the user may see pages about places: in full, pseudonymised, or (None) not at all."""
    if not getattr(user, "is_authenticated", False):
        return None
    if user.can(Capability.CASEWORK):
        return PlaceLevel.FULL
    if user.can(Capability.PSEUDONYMISED):
        return PlaceLevel.PSEUDONYMISED
    return None


def access_place(
    user: User,
    kind: str,
    pk: int,
    *,
    request: HttpRequest | None = None,
    fields: Callable[[PlaceLevel], list[str]] | None = None,
    detail: Callable[[PlaceLevel], dict[str, Any]] | None = None,
) -> tuple[Location | Organisation, PlaceLevel]:
    """Fetch a place for this user and log the view (the fields its page shows at the user's
    level), or raise ``PermissionDenied`` (logged as refused) or ``Http404``."""
    level = place_access_level(user)
    if level is None:
        if getattr(user, "is_authenticated", False):
            access_log_record(
                actor=user,
                action=AccessAction.REFUSED,
                object_type=kind,
                object_id=pk,
                detail={"outcome": "refused", "refused_because": "role"},
                request=request,
            )
        raise PermissionDenied("Your role does not include pages about places")
    model: type[Location] | type[Organisation] = Location if kind == "location" else Organisation
    place = model.objects.defer("raw").select_related("ward").filter(pk=pk).first()
    if place is None:
        raise Http404("No such place")
    access_log_record(
        actor=user,
        action=AccessAction.VIEW,
        object_type=kind,
        object_id=place.pk,
        fields=fields(level) if fields else ["place"],
        detail={**(detail(level) if detail else {}), "level": level.value},
        request=request,
    )
    return place, level


class PlacePolicy:
    """Locations or organisations: every place for a role that may see place pages, none for
    others; one place, with its view logged."""

    def __init__(self, kind: str) -> None:
        self.resource = kind
        self.model: type[Location] | type[Organisation] = (
            Location if kind == "location" else Organisation
        )

    def instances_user_can_view(self, user: User) -> QuerySet[Any]:
        if place_access_level(user) is None:
            return self.model.objects.none()
        return self.model.objects.all()

    def access(
        self, user: User, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Location | Organisation:
        if action != VIEW:
            raise PermissionDenied("Places are changed only by their agencies' deliveries")
        return access_place(user, self.resource, int(pk), request=request)[0]


register(PlacePolicy("location"))
register(PlacePolicy("organisation"))
