"""Reads about missing episodes, return home interviews and Philomena profiles.

Nothing here authorises: the views first open the child with ``people.policy.access_person``
(which decides and logs), then read the episode or profile of that child only. The functions that
choose *other* people (who a child was missing with) are scoped by ``instances_user_can_view``.

:func:`rhi_standard` is the 72-hour rule for return home interviews, kept pure so that it can be
tested at its boundaries without a database.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from efh.concerns.models import EventPerson, MissingEpisode, MissingWith, PhilomenaProfile
from efh.people.models import PersonRecord
from efh.people.policy import agency_source_codes, instances_user_can_view

if TYPE_CHECKING:
    from efh.accounts.models import User

RHI_STANDARD = timedelta(hours=72)
"""Statutory guidance: a return home interview within 72 hours of the child's return."""


class RhiStatus(StrEnum):
    STILL_MISSING = "still_missing"
    MET = "met"
    NOT_MET = "not_met"
    DUE = "due"
    OVERDUE = "overdue"
    DECLINED = "declined"


@dataclass(frozen=True)
class RhiStandard:
    status: RhiStatus
    text: str
    deadline: datetime | None = None
    hours: int | None = None

    @property
    def tag_class(self) -> str:
        """The GOV.UK tag colour for the status."""
        return {
            RhiStatus.MET: "govuk-tag--green",
            RhiStatus.NOT_MET: "govuk-tag--red",
            RhiStatus.OVERDUE: "govuk-tag--red",
            RhiStatus.DUE: "govuk-tag--yellow",
            RhiStatus.DECLINED: "govuk-tag--grey",
            RhiStatus.STILL_MISSING: "govuk-tag--orange",
        }[self.status]


def _when(value: datetime) -> str:
    from efh.web.templatetags.govuk import govuk_datetime

    return govuk_datetime(value)


def rhi_standard(
    *,
    returned_at: datetime | None,
    completed_at: datetime | None,
    declined: bool = False,
    now: datetime,
) -> RhiStandard:
    """Whether the return home interview met the 72-hour standard.

    Completed within 72 hours of the return (72 hours exactly included): "Met"; completed later:
    "Not met (N hours)", N the hours from return to interview rounded up. Not completed: "Due by
    <deadline>" until the deadline has passed (the deadline itself still due), then "Overdue".
    A child still missing has no interview due; one who declined is "Declined".
    """
    if returned_at is None:
        return RhiStandard(RhiStatus.STILL_MISSING, "Still missing: no interview due yet")
    deadline = returned_at + RHI_STANDARD
    if completed_at is not None:
        if completed_at <= deadline:
            return RhiStandard(RhiStatus.MET, "Met", deadline)
        hours = math.ceil((completed_at - returned_at).total_seconds() / 3600)
        return RhiStandard(RhiStatus.NOT_MET, f"Not met ({hours} hours)", deadline, hours)
    if declined:
        return RhiStandard(RhiStatus.DECLINED, "Declined by the child", deadline)
    if now <= deadline:
        return RhiStandard(RhiStatus.DUE, f"Due by {_when(deadline)}", deadline)
    return RhiStandard(RhiStatus.OVERDUE, "Overdue", deadline)


def episode_rhi_standard(episode: MissingEpisode, *, now: datetime) -> RhiStandard:
    return rhi_standard(
        returned_at=episode.returned_at,
        completed_at=episode.rhi_completed_at,
        declined=episode.rhi_declined,
        now=now,
    )


def episode_person_id(episode_id: int) -> int | None:
    """Whose episode this is (an id only, so the view can authorise before reading more)."""
    return (
        MissingEpisode.objects.filter(pk=episode_id)
        .values_list("record__person_id", flat=True)
        .first()
    )


def episode_get(episode_id: int) -> MissingEpisode:
    """The episode, once the view has opened its child with ``access_person``."""
    return MissingEpisode.objects.select_related("record", "recorded_by").get(pk=episode_id)


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
        MissingEpisode.objects.filter(record__person_id=person_id).order_by("-went_missing_at")
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
