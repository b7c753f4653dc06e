"""Reads for the pages about places (locations and organisations).

A place page shows what happened there (events, and missing episodes where a child was found
there) and who frequents it (associations). Both name people, so:

- people are labelled through ``people.policy.labels_for`` (names where the user may open the
  person's record, initials where not), in one call per page;
- an event's free text is shown only where the user may open someone involved in it or their
  own agency recorded it: a place page is not a way round need to know;
- associations go through ``contexts.policy.associations_visible_to`` (handling code C);
- a pseudonymised user (analyst, manager) sees no person labels and no free text at all.

The chronology reuses the person page's union-and-page machinery, so it is a fixed number of
queries whatever the place's history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from efh.concerns.models import Event, MissingEpisode
from efh.contexts.models import Association, Location, Organisation
from efh.contexts.policy import PlaceLevel, associations_visible_to
from efh.people.policy import Label, agency_source_codes, labels_for
from efh.people.selectors.record import (
    ChronologyEntry,
    ChronologyFilters,
    Involved,
    Sources,
    attach_people,
    chronology_keys,
    chronology_page,
    event_person_ids,
)

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
class PlacePage:
    place: Place
    kind: str  # "location" or "organisation"
    level: PlaceLevel
    page: Page[Any]
    entries: list[ChronologyEntry]
    children: list[Frequenter]
    adults: list[Frequenter]

    @property
    def people_sections(self) -> list[tuple[str, list[Frequenter]]]:
        """Children and adults, never in one list."""
        return [("Children", self.children), ("Adults", self.adults)]


def _place_associations(user: User, place: Place, kind: str) -> QuerySet[Association]:
    qs = Association.objects.filter(**{kind: place})
    return associations_visible_to(
        user,
        qs.defer("raw", "record__raw")
        .select_related("record")
        .order_by(F("last_seen").desc(nulls_last=True), "-pk"),
    )


def place_page(
    user: User,
    place: Place,
    *,
    level: PlaceLevel,
    filters: ChronologyFilters,
    page_number: str | int | None,
    sources: Sources,
) -> PlacePage:
    """What happened at a place and who frequents it, as this user may see it."""
    kind = "location" if isinstance(place, Location) else "organisation"
    events = Event.objects.filter(**{kind: place})
    found = MissingEpisode.objects.filter(**{f"found_{kind}": place})
    page, entries = chronology_page(
        chronology_keys(
            events=events, episodes=found, statuses=None, filters=filters, sources=sources
        ),
        page_number,
        sources=sources,
    )
    frequenters: dict[int, Frequenter] = {}
    for a in _place_associations(user, place, kind):
        setattr(a, "source_info", sources.info(a.source))  # noqa: B010 - a display annotation
        pid = a.record.person_id
        if pid not in frequenters:
            frequenters[pid] = Frequenter(pid, None, a.record.is_child)
        frequenters[pid].associations.append(a)
    if level == PlaceLevel.FULL:
        episode_people = {e.episode.record.person_id for e in entries if e.episode is not None}
        labels = labels_for(
            user, sorted(set(frequenters) | event_person_ids(entries) | episode_people)
        )
        attach_people(entries, labels)
        own = set(agency_source_codes(user))
        for entry in entries:
            if entry.event is not None:
                entry.summary_visible = entry.event.source in own or any(
                    o.label is not None and o.label.can_open for o in entry.others
                )
            elif entry.episode is not None:
                label = labels.get(entry.episode.record.person_id)
                entry.others = [Involved(label, "Found here")]
        for f in frequenters.values():
            f.label = labels.get(f.person_id)
    else:
        for entry in entries:
            entry.summary_visible = False
    people = list(frequenters.values())
    return PlacePage(
        place=place,
        kind=kind,
        level=level,
        page=page,
        entries=entries,
        children=[p for p in people if p.is_child is not False],
        adults=[p for p in people if p.is_child is False],
    )
