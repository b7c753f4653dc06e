"""Reads for recording a concern, each scoped to the acting user by ``people.policy``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Avg, Q
from django.utils import timezone

from efh.concerns.models import ConcernDraft, Event, EventKind, HarmType, Role
from efh.contexts.models import Location, Organisation, Ward
from efh.contexts.place_names import place_key, query_words, search_variants
from efh.core.models import Source
from efh.people.policy import instances_user_can_view, labels_for
from efh.people.selectors.search import SearchTerms
from efh.people.selectors.search import people_search as index_search

if TYPE_CHECKING:
    from efh.accounts.models import User

SEARCH_LIMIT = 10
# The partnership's area when no ward is loaded (Hackney town hall, roughly).
DEFAULT_CENTRE = (51.5450, -0.0553)


def harm_type_choices() -> list[tuple[str, str]]:
    """The partnership's active harm types, in their configured order."""
    return [
        (str(pk), name)
        for pk, name in HarmType.objects.filter(active=True).values_list("pk", "name")
    ]


@dataclass(frozen=True)
class PersonOption:
    person_id: int
    name: str
    date_of_birth: date | None


def people_search(*, user: User, query: str, exclude: set[int]) -> list[PersonOption]:
    """People the user may open matching the name typed, through the same search as the
    "Search people" screen (typos, aliases and street names, sound-alikes).

    Only people the policy lets the user open are offered: a search for someone to add to a
    concern never even hints at a person the user has no need to know about."""
    query = query.strip()
    if not query:
        return []
    results = index_search(
        user, SearchTerms(name=query), today=timezone.localdate(), limit=SEARCH_LIMIT * 2
    )
    options = [
        PersonOption(found.person_id, found.name, found.date_of_birth)
        for found in results.shown
        if found.can_open and found.person_id not in exclude
    ]
    return options[:SEARCH_LIMIT]


def persons_viewable(*, user: User, person_ids: list[int]) -> set[int]:
    """Which of these persons the user may open (and so may name in a concern)."""
    if not person_ids:
        return set()
    return set(instances_user_can_view(user).filter(pk__in=person_ids).values_list("pk", flat=True))


def person_labels(*, user: User, person_ids: list[int]) -> dict[int, str]:
    """Names where the user may open the person; initials where not (``labels_for``)."""
    return {pid: label.text for pid, label in labels_for(user, person_ids).items()}


@dataclass(frozen=True)
class PlaceOption:
    value: str  # "location:<id>" or "organisation:<id>"
    name: str
    detail: str
    agencies: tuple[str, ...] = ()  # the agencies whose records name this place

    @property
    def known_to(self) -> str:
        return ", ".join(self.agencies)


def _place_option(place: Location | Organisation, agencies: tuple[str, ...] = ()) -> PlaceOption:
    kind = "location" if isinstance(place, Location) else "organisation"
    detail = ", ".join(p for p in (place.get_kind_display(), place.postcode) if p)
    return PlaceOption(f"{kind}:{place.pk}", place.name, detail, agencies)


PLACE_CANDIDATES = 500
"""Records read per kind of place before grouping (a search names a place, not a kind)."""


def _spelling_rank(name: str) -> tuple[int, int]:
    """Prefer a spelling in ordinary case, without an "(outside)" note."""
    return (int(name.isupper()), int("(" in name))


def places_search(*, query: str) -> list[PlaceOption]:
    """Known places whose name has every word typed, one entry per real place.

    Each agency sends its own record of a place, in its own spelling: records with one name (as
    ``contexts.place_names.place_key`` puts it) and one postcode are one place, offered once,
    under the spelling most of them use, with the agencies that know it. Places are not people:
    any user who may record a concern may find them by name."""
    words = query_words(query.strip())[:5]
    if not words:
        return []
    # Pre-filter in the database on the words no agency abbreviates (an abbreviated word is
    # checked after normalising), then match every word on the normalised names.
    plain = [w for w in words if len(search_variants(w)) == 1] or words
    q = Q()
    for word in plain:
        any_form = Q()
        for variant in search_variants(word):
            any_form |= Q(name__icontains=variant)
        q &= any_form
    found: list[Location | Organisation] = [
        *Organisation.objects.filter(q).defer("raw").order_by("pk")[:PLACE_CANDIDATES],
        *Location.objects.filter(q).defer("raw").order_by("pk")[:PLACE_CANDIDATES],
    ]
    groups: dict[tuple[str, str, str], list[Location | Organisation]] = {}
    for place in found:
        name, postcode = place_key(place.name, place.postcode)
        if all(word in name for word in words):
            kind = "location" if isinstance(place, Location) else "organisation"
            groups.setdefault((kind, name, postcode), []).append(place)
    agency_of = dict(Source.objects.values_list("code", "agency__name"))
    options = []
    for places in groups.values():
        counts = Counter(p.name for p in places)
        spelling = min(counts, key=lambda n: (-counts[n], *_spelling_rank(n), n))
        first = min((p for p in places if p.name == spelling), key=lambda p: p.pk)
        agencies = tuple(sorted({agency_of.get(p.source) or p.source for p in places}))
        options.append(_place_option(first, agencies))
    options.sort(key=lambda o: (o.name.lower(), o.detail))
    return options[:SEARCH_LIMIT]


def place_get(value: str) -> Location | Organisation | None:
    """The place a ``place`` field names, or None."""
    kind, _, pk = value.partition(":")
    if not pk.isdigit():
        return None
    if kind == "location":
        return Location.objects.filter(pk=int(pk)).first()
    if kind == "organisation":
        return Organisation.objects.filter(pk=int(pk)).first()
    return None


def place_option(value: str) -> PlaceOption | None:
    place = place_get(value) if value else None
    return _place_option(place) if place is not None else None


def map_centre() -> tuple[float, float]:
    """Where the map starts: the middle of the partnership's wards."""
    centre = Ward.objects.aggregate(lat=Avg("latitude"), lng=Avg("longitude"))
    if centre["lat"] is None or centre["lng"] is None:
        return DEFAULT_CENTRE
    return (round(centre["lat"], 5), round(centre["lng"], 5))


def draft_get(*, user: User, draft_id: int) -> ConcernDraft | None:
    """One of the user's own drafts (another user's draft is as good as missing)."""
    return ConcernDraft.objects.filter(pk=draft_id, user=user).first()


@dataclass(frozen=True)
class DraftSummary:
    draft_id: int
    updated_at: datetime
    about: str
    summary: str
    person_id: int | None = None


def drafts_for(*, user: User, limit: int = 20) -> list[DraftSummary]:
    """The user's own drafts, most recently saved first, with whom each is about."""
    if not getattr(user, "is_authenticated", False):
        return []
    drafts = list(ConcernDraft.objects.filter(user=user).order_by("-updated_at")[:limit])
    labels = person_labels(user=user, person_ids=[d.person_id for d in drafts if d.person_id])
    out = []
    for draft in drafts:
        data = draft.data if isinstance(draft.data, dict) else {}
        summary = " ".join(str((data.get("summary") or [""])[-1]).split())
        out.append(
            DraftSummary(
                draft_id=draft.pk,
                updated_at=draft.updated_at,
                about=labels.get(draft.person_id, "") if draft.person_id else "",
                summary=summary[:80] + ("…" if len(summary) > 80 else ""),
                person_id=draft.person_id,
            )
        )
    return out


@dataclass(frozen=True)
class RecordedPerson:
    person_id: int
    name: str
    role: str

    @property
    def role_label(self) -> str:
        return str(dict(Role.choices).get(self.role, self.role))


def recorded_concern(*, user: User, event_id: int) -> tuple[Event, list[RecordedPerson]] | None:
    """A concern the user recorded, with its people (None for anyone else's)."""
    event = Event.objects.filter(pk=event_id, kind=EventKind.CONCERN, recorded_by=user).first()
    if event is None:
        return None
    rows = list(
        event.people.order_by("pk").values_list("record__person_id", "role")  # type: ignore[attr-defined]
    )
    labels = person_labels(user=user, person_ids=[pid for pid, _ in rows])
    return event, [RecordedPerson(pid, labels.get(pid, ""), role) for pid, role in rows]
