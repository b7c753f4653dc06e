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

from enum import StrEnum
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from efh.contexts.models import Association, HandlingCode
from efh.core.access import Capability

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
