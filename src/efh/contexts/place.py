"""A place's page (a location or an organisation) as a composition of sections.

``contexts`` owns the page (the place, who may see it and how, the access-log entry) and the
registry :data:`place_sections`; the apps that know what happened at a place contribute their
sections in their ``sections.py`` (``concerns``: events there and children found there;
``contexts`` itself: who is associated with the place), as on the person record
(``people/record.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.http import HttpRequest

from efh.contexts.models import Location, Organisation
from efh.contexts.policy import PlaceLevel
from efh.people.policy import labels_for
from efh.people.selectors.sources import Sources
from efh.web.sections import Composed, LookupBatch, SectionRegistry

if TYPE_CHECKING:
    from efh.accounts.models import User

Place = Location | Organisation

place_sections = SectionRegistry("place page", slots=("main",))


@dataclass
class PlaceContext:
    user: User
    place: Place
    kind: str  # "location" or "organisation"
    level: PlaceLevel
    request: HttpRequest
    sources: Sources
    labels: LookupBatch = field(default_factory=LookupBatch)

    @property
    def full(self) -> bool:
        return self.level == PlaceLevel.FULL


def place_fields(level: PlaceLevel) -> list[str]:
    return ["place", *place_sections.fields(level.value)]


def place_compose(
    user: User, place: Place, kind: str, level: PlaceLevel, request: HttpRequest
) -> tuple[PlaceContext, Composed]:
    context = PlaceContext(user, place, kind, level, request, Sources.load())
    composed = place_sections.compose(context, level.value)
    context.labels.resolve(lambda ids: labels_for(user, ids))
    return context, composed
