"""People's own parts of a person's record page: identity with every source record, aliases,
addresses, statuses and schools; who is involved and what is shared; the pseudonymised facts.

The page itself is composed in ``people/record.py`` from sections that each app contributes;
everything here starts from a :class:`~efh.people.policy.PersonAccess` that
``people.policy.access_person`` has already authorised and logged. Each read is a fixed number
of queries whatever the size of the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone

from efh.people.models import (
    Address,
    Involvement,
    PersonRecord,
    SharingDecision,
    Status,
    StatusKind,
)
from efh.people.selectors.sources import SourceInfo, Sources


@dataclass
class Identity:
    records: list[PersonRecord]
    sourced_records: list[tuple[PersonRecord, SourceInfo]]
    addresses: list[tuple[Address, SourceInfo]]
    aliases: list[tuple[str, SourceInfo]]
    statuses: list[tuple[Status, SourceInfo]]
    schools: list[tuple[Any, SourceInfo]]  # (contexts.Organisation, whose record)

    @property
    def latest(self) -> PersonRecord | None:
        return self.records[0] if self.records else None

    @property
    def name(self) -> str:
        latest = self.latest
        return f"{latest.given_name} {latest.family_name}".strip() if latest else ""

    @property
    def date_of_birth(self) -> date | None:
        return next((r.date_of_birth for r in self.records if r.date_of_birth), None)

    @property
    def is_child(self) -> bool:
        """A child if any agency records them as one; where none says, by date of birth."""
        said = [r.is_child for r in self.records if r.is_child is not None]
        if said:
            return any(said)
        dob = self.date_of_birth
        return dob is None or age_on(dob, timezone.localdate()) < 18

    @property
    def open_statuses(self) -> list[tuple[Status, SourceInfo]]:
        return [(s, i) for s, i in self.statuses if s.ended is None]


def age_on(dob: date, day: date) -> int:
    return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


def identity(person_id: int, sources: Sources) -> Identity:
    """Every record of the person, newest first, with aliases, addresses and statuses: four
    queries."""
    records = list(
        PersonRecord.objects.filter(person_id=person_id)
        .defer("raw")
        .select_related("school")
        .prefetch_related("aliases", "addresses", "statuses")
        .order_by("-recorded_at", "-pk")
    )
    addresses = sorted(
        ((a, sources.info(r.source)) for r in records for a in r.addresses.all()),
        key=lambda x: x[0].valid_from,
        reverse=True,
    )
    aliases = sorted(
        {(a.name, r.source) for r in records for a in r.aliases.all()}, key=lambda x: x[0].lower()
    )
    statuses = sorted(
        ((s, sources.info(r.source)) for r in records for s in r.statuses.all()),
        key=lambda x: (x[0].ended is not None, -x[0].started.timestamp()),
    )
    schools = [(r.school, sources.info(r.source)) for r in records if r.school is not None]
    return Identity(
        records,
        [(r, sources.info(r.source)) for r in records],
        addresses,
        [(name, sources.info(code)) for name, code in aliases],
        statuses,
        schools,
    )


@dataclass
class NextSteps:
    involvements: list[Involvement]
    sharing: list[SharingDecision]


def next_steps(person_id: int, at: datetime) -> NextSteps:
    involvements = list(
        Involvement.objects.filter(person_id=person_id)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .select_related("user__agency")
        .order_by("started_at")
    )
    sharing = list(
        SharingDecision.objects.filter(person_id=person_id, withdrawn_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .select_related("shared_by", "from_agency", "to_agency", "to_user__agency")
        .order_by("-decided_at")
    )
    return NextSteps(involvements, sharing)


def open_status_labels(ident: Identity) -> list[str]:
    """The names of the person's open statuses (looked after, child protection plan...)."""
    open_kinds = {s.kind for s, _ in ident.open_statuses}
    return [label for kind, label in StatusKind.choices if kind in open_kinds]


AGE_BANDS = [
    (10, "Under 10"),
    (14, "10 to 13"),
    (16, "14 to 15"),
    (18, "16 to 17"),
    (25, "18 to 24"),
]


def age_band(dob: date | None, day: date) -> str:
    if dob is None:
        return "Not known"
    age = age_on(dob, day)
    return next((label for limit, label in AGE_BANDS if age < limit), "25 and over")
