"""Reads about missing episodes, return home interviews and Philomena profiles.

Nothing here authorises: the views first open the child with ``people.policy.access_person``
(which decides and logs), then read the episode or profile of that child only. The functions that
choose *other* people (who a child was missing with) are scoped by ``instances_user_can_view``.

The 72-hour rule for return home interviews is :mod:`efh.concerns.rhi`, read through
``MissingEpisode.rhi`` (which takes other agencies' addenda into account).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from efh.concerns.models import (
    TIMED_FIELDS,
    EventPerson,
    MissingEpisode,
    MissingEpisodeAddendum,
    MissingWith,
    PhilomenaProfile,
)
from efh.people.models import PersonRecord
from efh.people.policy import agency_source_codes, instances_user_can_view

if TYPE_CHECKING:
    from efh.accounts.models import User


def episode_version(episode: MissingEpisode) -> str:
    """What a form loaded the episode at: its ``row_hash``, and its latest addendum's once it has
    any, so that a change by anyone after the form was loaded is recognised as a stale edit."""
    latest = (
        MissingEpisodeAddendum.objects.filter(episode=episode)
        .order_by("-recorded_at", "-pk")
        .values_list("row_hash", flat=True)
        .first()
    )
    if latest is None:
        return episode.row_hash
    return hashlib.blake2b(f"{episode.row_hash}:{latest}".encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class AddendumLine:
    """One field an addendum states, as the episode page shows it."""

    label: str
    old: Any
    new: Any
    timed: bool


FIELD_LABELS = {
    "returned_at": "Returned",
    "rhi_offered_at": "Interview offered",
    "rhi_completed_at": "Interview took place",
    "rhi_declined": "Declined by the child",
    "rhi_by": "Held by",
    "rhi_child_said": "What the child said",
    "rhi_next_steps": "What happens next",
}


@dataclass(frozen=True)
class AddendumView:
    addendum: MissingEpisodeAddendum
    lines: list[AddendumLine]
    corrects: bool  # it changes something the original stated, not only adds to it


def episode_addenda(episode: MissingEpisode) -> list[AddendumView]:
    """The episode's addenda in the order they were added, each field with the value it
    replaced (the original's, or an earlier addendum's)."""
    values = episode.original_values()
    original = dict(values)
    out: list[AddendumView] = []
    addenda = MissingEpisodeAddendum.objects.filter(episode=episode).select_related(
        "recorded_by__agency"
    )
    for addendum in addenda.order_by("recorded_at", "pk"):
        lines = []
        corrects = False
        for name in addendum.fields:
            if name not in values:
                continue
            new = getattr(addendum, name)
            lines.append(AddendumLine(FIELD_LABELS[name], values[name], new, name in TIMED_FIELDS))
            if original[name] not in (None, "", False):
                corrects = True
            values[name] = new
        out.append(AddendumView(addendum, lines, corrects))
    return out


def episode_person_id(episode_id: int) -> int | None:
    """Whose episode this is (an id only, so the view can authorise before reading more)."""
    return (
        MissingEpisode.objects.filter(pk=episode_id)
        .values_list("record__person_id", flat=True)
        .first()
    )


def episode_get(episode_id: int) -> MissingEpisode:
    """The episode, once the view has opened its child with ``access_person``."""
    return (
        MissingEpisode.objects.select_related("record", "recorded_by__agency")
        .prefetch_related("addenda")
        .get(pk=episode_id)
    )


def episode_submitted(episode: MissingEpisode) -> dict[str, Any]:
    """What was submitted on the platform (``raw``), or nothing for an imported episode."""
    try:
        data = json.loads(episode.raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def missing_with_person_ids(episode: MissingEpisode) -> list[int]:
    return list(
        MissingWith.objects.filter(episode=episode)
        .order_by("pk")
        .values_list("record__person_id", flat=True)
    )


def episodes_of(person_id: int) -> list[MissingEpisode]:
    """A child's missing episodes, latest first (the child already opened by the view)."""
    return list(
        MissingEpisode.objects.filter(record__person_id=person_id)
        .prefetch_related("addenda")
        .order_by("-went_missing_at")
    )


def record_for_recording(user: User, person_id: int) -> PersonRecord | None:
    """The record a new episode hangs on: the user's agency's record of the person if there is
    one (so the episode sits with the agency that knows the child), else the earliest record."""
    records = PersonRecord.objects.filter(person_id=person_id).order_by("recorded_at", "pk")
    own = records.filter(source__in=agency_source_codes(user)).first()
    return own or records.first()


def openable_person_ids(user: User, person_ids: list[int]) -> set[int]:
    """Those of ``person_ids`` the user may open (the only people they may name as companions)."""
    if not person_ids:
        return set()
    return set(instances_user_can_view(user).filter(pk__in=person_ids).values_list("pk", flat=True))


def companion_candidates(user: User, person_id: int, limit: int = 30) -> list[int]:
    """People linked to the child whom the user may open: those in the child's events and
    earlier missing episodes. Offered as ticks on the form; anyone else by record number."""
    events = EventPerson.objects.filter(record__person_id=person_id).values("event_id")
    in_events = (
        EventPerson.objects.filter(event_id__in=events)
        .exclude(record__person_id=person_id)
        .values_list("record__person_id", flat=True)
    )
    episodes = MissingEpisode.objects.filter(record__person_id=person_id).values("pk")
    in_episodes = MissingWith.objects.filter(episode_id__in=episodes).values_list(
        "record__person_id", flat=True
    )
    ids = set(in_events[:500]) | set(in_episodes[:500])
    ids.discard(person_id)
    return sorted(openable_person_ids(user, sorted(ids)))[:limit]


def companion_record(user: User, person_id: int) -> PersonRecord | None:
    """The record that stands for a companion: the user's agency's, else the earliest."""
    return record_for_recording(user, person_id)


def profile_get(person_id: int) -> PhilomenaProfile | None:
    return PhilomenaProfile.objects.select_related("updated_by").filter(person_id=person_id).first()


PROFILE_SECTIONS: list[tuple[str, str]] = [
    ("description", "Description"),
    ("photo", "Photo"),
    ("friends_and_associates", "Friends and associates"),
    ("addresses", "Addresses"),
    ("places_frequented", "Places frequented"),
    ("phones", "Phones"),
    ("social_media", "Social media"),
    ("transport", "Transport"),
]
"""The sections a profile needs to be ready for the next episode ("other" is optional)."""


@dataclass(frozen=True)
class Readiness:
    complete: list[str]
    missing: list[str]

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def total(self) -> int:
        return len(self.complete) + len(self.missing)


def profile_sections(profile: PhilomenaProfile | None) -> list[tuple[str, str, str]]:
    """(name, label, text) of each text section, for the profile pages."""
    labels = [(n, label) for n, label in PROFILE_SECTIONS if n != "photo"]
    labels.append(("other", "Anything else"))
    return [(n, label, getattr(profile, n) if profile else "") for n, label in labels]


def profile_readiness(profile: PhilomenaProfile | None) -> Readiness:
    """Which sections are filled in, so a practitioner can see what the police would lack."""
    complete: list[str] = []
    missing: list[str] = []
    for name, label in PROFILE_SECTIONS:
        if profile is None:
            filled = False
        elif name == "photo":
            filled = bool(profile.photo)
        else:
            filled = bool(str(getattr(profile, name)).strip())
        (complete if filled else missing).append(label)
    return Readiness(complete, missing)


def last_known_addresses(person_id: int) -> list[str]:
    """Current addresses on the child's records, to pre-fill a printed profile."""
    from efh.people.models import Address

    rows = (
        Address.objects.filter(record__person_id=person_id)
        .filter(Q(valid_to__isnull=True))
        .values_list("address", "postcode")
    )
    seen: list[str] = []
    for address, postcode in rows:
        text = ", ".join(p for p in (address, postcode) if p)
        if text and text not in seen:
            seen.append(text)
    return seen
