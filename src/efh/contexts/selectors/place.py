"""Reads for the pages about places (locations and organisations): the place, and who
frequents it (associations, through ``contexts.policy.associations_visible_to``: handling code
C). People are labelled by the page (``contexts/place.py``) in one ``labels_for`` call with the
people the other sections name; a pseudonymised user sees counts only. What happened at the
place is the concerns app's section (``concerns/sections.py``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from efh.contexts.models import Association, Location, Organisation
from efh.contexts.policy import associations_visible_to
from efh.people.policy import Label
from efh.people.selectors.sources import Sources

if TYPE_CHECKING:
    from efh.accounts.models import User

Place = Location | Organisation


def location_get(pk: int) -> Location:
    return get_object_or_404(Location.objects.defer("raw").select_related("ward"), pk=pk)


def organisation_get(pk: int) -> Organisation:
    return get_object_or_404(Organisation.objects.defer("raw").select_related("ward"), pk=pk)


@dataclass
class Frequenter:
    """A person associated with the place, with every association that says so."""

    person_id: int
    label: Label | None
    is_child: bool | None
    associations: list[Association] = field(default_factory=list)


@dataclass
class Frequenters:
    """Who is associated with a place: children and adults, never in one list."""

    children: list[Frequenter]
    adults: list[Frequenter]
    title: str = ""

    @property
    def people_sections(self) -> list[tuple[str, list[Frequenter]]]:
        return [("Children", self.children), ("Adults", self.adults)]

    @property
    def everyone(self) -> Sequence[Frequenter]:
        return self.children + self.adults


def _place_associations(user: User, place: Place, kind: str) -> QuerySet[Association]:
    qs = Association.objects.filter(**{kind: place})
    return associations_visible_to(
        user,
        qs.defer("raw", "record__raw")
        .select_related("record")
        .order_by(F("last_seen").desc(nulls_last=True), "-pk"),
    )


def frequenters(user: User, place: Place, kind: str, sources: Sources) -> Frequenters:
    """The people associated with the place as the association policy lets the user see them
    (one query), each with every association that says so; labels come later, from the page."""
    found: dict[int, Frequenter] = {}
    for a in _place_associations(user, place, kind):
        setattr(a, "source_info", sources.info(a.source))  # noqa: B010 - a display annotation
        pid = a.record.person_id
        if pid not in found:
            found[pid] = Frequenter(pid, None, a.record.is_child)
        found[pid].associations.append(a)
    people = list(found.values())
    return Frequenters(
        children=[p for p in people if p.is_child is not False],
        adults=[p for p in people if p.is_child is False],
    )
