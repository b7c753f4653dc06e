"""Reads for a person's record page: identity, statuses and flags, the merged multi-agency
chronology, associations, and what happens next.

Everything here starts from a :class:`~efh.people.policy.PersonAccess` that
``people.policy.access_person`` has already authorised and logged, so nothing reads a person the
user may not open. People named on someone else's record go through ``labels_for`` (initials
where the user may not open them) and associations through ``contexts.policy`` (handling code C
for police only).

The page must stay fast at a borough's scale (60,000 children, a million events), so each
section is a fixed number of queries whatever the size of the record:

- the chronology is one ``UNION ALL`` of the person's events, missing episodes and status
  changes, each branch reached through an index (``eventperson.record_id``,
  ``missingepisode.record_id``, ``status.record_id``), counted and sliced by the database; then
  only the page's 25 rows are fetched in full, with their places, harm types and people;
- every label on the page (friends, people in events) comes from one ``labels_for`` call.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from efh.concerns.models import Event, EventPerson, HarmType, MissingEpisode
from efh.concerns.rhi import RhiMeasures
from efh.contexts.models import Association, Location, Organisation, OtherKind, Ward
from efh.contexts.policy import associations_visible_to
from efh.core.models import Source
from efh.people.models import (
    Address,
    Involvement,
    PersonRecord,
    SharingDecision,
    Status,
    StatusKind,
)
from efh.people.policy import Label, PersonAccess, labels_for, pseudonym

if TYPE_CHECKING:
    from efh.accounts.models import Agency, User

PER_PAGE = 25
RECENT_MISSING = timedelta(days=90)


def now() -> datetime:
    return datetime.now(tz=UTC)


# --- Sources and agencies ----------------------------------------------------------------------


@dataclass(frozen=True)
class SourceInfo:
    code: str
    name: str
    agency: Agency | None

    @property
    def agency_name(self) -> str:
        """Whose record it is: the agency, or the sending system where no agency owns it."""
        return self.agency.name if self.agency else self.name


class Sources(dict[str, SourceInfo]):
    """Every configured source by code, with its agency (one small query per page)."""

    @classmethod
    def load(cls) -> Sources:
        return cls(
            (s.code, SourceInfo(s.code, s.name, s.agency))
            for s in Source.objects.select_related("agency")
        )

    def info(self, code: str) -> SourceInfo:
        return self.get(code) or SourceInfo(code, code, None)

    def agency_choices(self) -> list[tuple[str, str]]:
        """Filter choices: one per agency owning a source, one per source no agency owns."""
        seen: dict[str, str] = {}
        for info in self.values():
            if info.agency is not None:
                seen.setdefault(info.agency.code, info.agency.name)
            else:
                seen.setdefault(f"source:{info.code}", info.name)
        return sorted(seen.items(), key=lambda kv: kv[1].lower())

    def codes_for(self, choice: str) -> list[str]:
        """The source codes an agency filter choice stands for."""
        if choice.startswith("source:"):
            return [choice.removeprefix("source:")]
        return [i.code for i in self.values() if i.agency is not None and i.agency.code == choice]


def active_harm_types() -> list[HarmType]:
    """The harm taxonomy in use, for filters."""
    return list(HarmType.objects.filter(active=True))


# --- Chronology --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChronologyFilters:
    harm_type: str = ""
    agency: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return bool(self.harm_type or self.agency or self.date_from or self.date_to)


class EntryKind:
    EVENT = "event"
    MISSING = "missing"
    STATUS_STARTED = "status_started"
    STATUS_ENDED = "status_ended"


@dataclass
class Involved:
    label: Label | None
    role: str


@dataclass
class ChronologyEntry:
    """One line of a chronology: an event, a missing episode, or a status starting or ending."""

    kind: str
    at: datetime
    source: SourceInfo
    event: Event | None = None
    episode: MissingEpisode | None = None
    status: Status | None = None
    roles: list[str] = field(default_factory=list)
    others: list[Involved] = field(default_factory=list)
    recorder: str = ""
    rhi: RhiState | None = None
    summary_visible: bool = True

    @property
    def title(self) -> str:
        if self.event is not None:
            return self.event.get_kind_display()
        if self.episode is not None:
            return f"Missing from {self.episode.get_missing_from_display().lower()}"
        if self.status is not None:
            what = self.status.get_kind_display()
            return f"{what} started" if self.kind == EntryKind.STATUS_STARTED else f"{what} ended"
        return ""

    @property
    def harm_types(self) -> list[HarmType]:
        return list(self.event.harm_types.all()) if self.event is not None else []

    @property
    def place(self) -> Location | Organisation | None:
        if self.event is not None:
            return self.event.location or self.event.organisation
        if self.episode is not None:
            return self.episode.found_location or self.episode.found_organisation
        return None

    @property
    def people_count(self) -> int:
        """How many people the event involves (what a pseudonymised page may say of them)."""
        if self.event is None:
            return 0
        return len({ep.record.person_id for ep in self.event.people.all()})

    @property
    def place_kind(self) -> str:
        """``location`` or ``organisation``: which place page to link to."""
        return "location" if isinstance(self.place, Location) else "organisation"


RhiState = RhiMeasures
"""Where a missing episode's return home interview stands: the two 72-hour measures, defined
once in ``efh.concerns.rhi``."""


def rhi_state(episode: MissingEpisode, at: datetime) -> RhiState:
    return episode.rhi(now=at)


def _window(filters: ChronologyFilters) -> tuple[datetime | None, datetime | None]:
    """The filters' dates as [start, end) instants in the site's time zone."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(filters.date_from, time.min, tzinfo=tz) if filters.date_from else None
    end = (
        datetime.combine(filters.date_to + timedelta(days=1), time.min, tzinfo=tz)
        if filters.date_to
        else None
    )
    return start, end


def _branch(qs: QuerySet[Any], kind: str, at: str, filters: ChronologyFilters) -> QuerySet[Any]:
    """One branch of the chronology's union: (kind, id, at), filtered by date."""
    start, end = _window(filters)
    if start is not None:
        qs = qs.filter(**{f"{at}__gte": start})
    if end is not None:
        qs = qs.filter(**{f"{at}__lt": end})
    return (
        qs.order_by()
        .annotate(k=Value(kind, output_field=CharField()), oid=F("pk"), at=F(at))
        .values_list("k", "oid", "at")
    )


def chronology_keys(
    *,
    events: QuerySet[Event] | None,
    episodes: QuerySet[MissingEpisode] | None,
    statuses: QuerySet[Status] | None,
    filters: ChronologyFilters,
    sources: Sources,
) -> QuerySet[Any]:
    """The merged chronology as one ``UNION ALL`` of (kind, id, at), newest first.

    A harm-type filter keeps events only (nothing else carries harm types); an agency filter
    keeps what that agency's sources sent or recorded."""
    codes = sources.codes_for(filters.agency) if filters.agency else None
    branches: list[QuerySet[Any]] = []
    if events is not None:
        if filters.harm_type:
            events = events.filter(harm_types__code=filters.harm_type)
        if codes is not None:
            events = events.filter(source__in=codes)
        branches.append(_branch(events, EntryKind.EVENT, "occurred_at", filters))
    if not filters.harm_type:
        if episodes is not None:
            if codes is not None:
                episodes = episodes.filter(source__in=codes)
            branches.append(_branch(episodes, EntryKind.MISSING, "went_missing_at", filters))
        if statuses is not None:
            if codes is not None:
                statuses = statuses.filter(record__source__in=codes)
            branches.append(_branch(statuses, EntryKind.STATUS_STARTED, "started", filters))
            branches.append(
                _branch(
                    statuses.filter(ended__isnull=False), EntryKind.STATUS_ENDED, "ended", filters
                )
            )
    if not branches:
        return Event.objects.none().values_list("kind", "pk", "occurred_at")
    first, *rest = branches
    union = first.union(*rest, all=True) if rest else first
    return union.order_by("-at", "-oid", "k")


def chronology_page(
    keys: QuerySet[Any],
    page_number: str | int | None,
    *,
    sources: Sources,
    person_record_ids: Sequence[int] = (),
    per_page: int = PER_PAGE,
    at: datetime | None = None,
) -> tuple[Page[Any], list[ChronologyEntry]]:
    """Count and slice the union in the database, then fetch the page's rows in full: three
    queries for the rows, two for events' harm types and people, whatever the page holds."""
    page = Paginator(keys, per_page).get_page(page_number)
    rows = list(page.object_list)
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, oid, _ in rows:
        ids[kind].append(oid)
    event_ids = ids[EntryKind.EVENT]
    events = (
        {
            e.pk: e
            for e in Event.objects.filter(pk__in=event_ids)
            .defer("raw")
            .select_related("location", "organisation", "recorded_by__agency")
            .prefetch_related(
                "harm_types",
                Prefetch(
                    "people",
                    queryset=EventPerson.objects.select_related("record")
                    .only("event", "role", "record", "record__person", "record__is_child")
                    .order_by("pk"),
                ),
            )
        }
        if event_ids
        else {}
    )
    episode_ids = ids[EntryKind.MISSING]
    episodes = (
        {
            m.pk: m
            for m in MissingEpisode.objects.filter(pk__in=episode_ids)
            .defer("raw")
            .defer("record__raw")
            .select_related("record", "found_location", "found_organisation", "recorded_by__agency")
            .prefetch_related("addenda__recorded_by__agency")
        }
        if episode_ids
        else {}
    )
    status_ids = ids[EntryKind.STATUS_STARTED] + ids[EntryKind.STATUS_ENDED]
    statuses = (
        {
            s.pk: s
            for s in Status.objects.filter(pk__in=status_ids)
            .select_related("record")
            .only("kind", "started", "ended", "record", "record__source", "record__person")
        }
        if status_ids
        else {}
    )
    mine = set(person_record_ids)
    at = at or now()
    entries: list[ChronologyEntry] = []
    for kind, oid, when in rows:
        if kind == EntryKind.EVENT:
            event = events[oid]
            roles = [ep.get_role_display() for ep in event.people.all() if ep.record_id in mine]
            entries.append(
                ChronologyEntry(
                    kind,
                    when,
                    sources.info(event.source),
                    event=event,
                    roles=roles,
                    recorder=_recorder(event.recorded_by, sources.info(event.source)),
                )
            )
        elif kind == EntryKind.MISSING:
            ep = episodes[oid]
            entries.append(
                ChronologyEntry(
                    kind,
                    when,
                    sources.info(ep.source),
                    episode=ep,
                    recorder=_recorder(ep.recorded_by, sources.info(ep.source)),
                    rhi=rhi_state(ep, at),
                )
            )
        else:
            status = statuses[oid]
            info = sources.info(status.record.source)
            entries.append(ChronologyEntry(kind, when, info, status=status, recorder=info.name))
    return page, entries


def _recorder(user: User | None, source: SourceInfo) -> str:
    if user is None:
        return f"{source.name} records"
    name = user.get_full_name() or user.username
    return f"{name}, {user.agency.name}" if user.agency else name


def attach_people(
    entries: Iterable[ChronologyEntry], labels: dict[int, Label], *, exclude: int | None = None
) -> None:
    """Give each event entry the other people involved, labelled, with their roles."""
    for entry in entries:
        if entry.event is None:
            continue
        seen: set[tuple[int, str]] = set()
        for ep in entry.event.people.all():
            pid = ep.record.person_id
            if pid == exclude or (pid, ep.role) in seen:
                continue
            seen.add((pid, ep.role))
            entry.others.append(Involved(labels.get(pid), ep.get_role_display()))


def event_person_ids(entries: Iterable[ChronologyEntry]) -> set[int]:
    return {
        ep.record.person_id for e in entries if e.event is not None for ep in e.event.people.all()
    }


# --- Associations ------------------------------------------------------------------------------


@dataclass
class PersonLink:
    """Another person on this person's record, and every association that links them."""

    person_id: int
    label: Label | None
    is_child: bool | None
    associations: list[Association] = field(default_factory=list)

    @property
    def kinds(self) -> str:
        return ", ".join(sorted({a.get_kind_display() for a in self.associations}))


@dataclass
class Associations:
    children: list[PersonLink] = field(default_factory=list)
    adults: list[PersonLink] = field(default_factory=list)
    groups: list[Association] = field(default_factory=list)
    locations: list[Association] = field(default_factory=list)
    organisations: list[Association] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [
            ("Children", len(self.children)),
            ("Adults", len(self.adults)),
            ("Peer groups", len(self.groups)),
            ("Places", len(self.locations)),
            ("Schools and organisations", len(self.organisations)),
        ]

    @property
    def empty(self) -> bool:
        return not any(n for _, n in self.counts)

    @property
    def people_sections(self) -> list[tuple[str, list[PersonLink]]]:
        """Children and adults, never in one list."""
        return [("Children", self.children), ("Adults", self.adults)]

    @property
    def context_sections(self) -> list[tuple[str, list[Association], str]]:
        return [
            ("Peer groups", self.groups, "group"),
            ("Places", self.locations, "location"),
            ("Schools and organisations", self.organisations, "organisation"),
        ]


def person_associations(user: User, record_ids: Sequence[int]) -> QuerySet[Association]:
    """Associations from any of the person's records, and person associations to them, as the
    association policy lets this user see them (one query; two indexed lookups OR-ed)."""
    qs = (
        Association.objects.filter(Q(record_id__in=record_ids) | Q(other_record_id__in=record_ids))
        .defer("raw", "record__raw", "other_record__raw")
        .select_related("record", "other_record", "location", "organisation", "group")
        .order_by(F("last_seen").desc(nulls_last=True), "-pk")
    )
    return associations_visible_to(user, qs)


def group_associations(
    associations: Iterable[Association], record_ids: Sequence[int], sources: Sources
) -> tuple[Associations, set[int]]:
    """Sort associations into children, adults, groups, places and organisations; returns the
    ids of the other people, for labelling. Each association gets ``source_info``: whose it is.
    """
    mine = set(record_ids)
    out = Associations()
    links: dict[int, PersonLink] = {}
    for a in associations:
        setattr(a, "source_info", sources.info(a.source))  # noqa: B010 - a display annotation
        if a.other_kind == OtherKind.PERSON:
            other = a.other_record if a.record_id in mine else a.record
            if other is None or other.id in mine:
                continue
            link = links.get(other.person_id)
            if link is None:
                link = links[other.person_id] = PersonLink(other.person_id, None, other.is_child)
            link.associations.append(a)
        elif a.other_kind == OtherKind.GROUP:
            out.groups.append(a)
        elif a.other_kind == OtherKind.LOCATION:
            out.locations.append(a)
        elif a.other_kind == OtherKind.ORGANISATION:
            out.organisations.append(a)
    for link in links.values():
        (out.adults if link.is_child is False else out.children).append(link)
    return out, set(links)


# --- The whole page ----------------------------------------------------------------------------


@dataclass
class Identity:
    records: list[PersonRecord]
    sourced_records: list[tuple[PersonRecord, SourceInfo]]
    addresses: list[tuple[Address, SourceInfo]]
    aliases: list[tuple[str, SourceInfo]]
    statuses: list[tuple[Status, SourceInfo]]
    schools: list[tuple[Organisation, SourceInfo]]

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
class Flags:
    missing_recent: int
    open_missing: list[MissingEpisode]
    rhi_overdue: list[MissingEpisode]
    rhi_due: list[tuple[MissingEpisode, RhiState]]
    statuses: list[str]

    @property
    def any(self) -> bool:
        return bool(self.missing_recent or self.open_missing or self.rhi_overdue or self.statuses)


def flags(record_ids: Sequence[int], ident: Identity, at: datetime) -> Flags:
    """Key flags from the person's missing episodes (one query) and open statuses."""
    episodes = list(
        MissingEpisode.objects.filter(record_id__in=record_ids)
        .only(
            "went_missing_at",
            "returned_at",
            "rhi_offered_at",
            "rhi_completed_at",
            "rhi_declined",
            "missing_from",
            "source",
        )
        .prefetch_related("addenda")
        .order_by("-went_missing_at")
    )
    states = [(e, rhi_state(e, at)) for e in episodes]
    open_kinds = {s.kind for s, _ in ident.open_statuses}
    return Flags(
        missing_recent=sum(1 for e in episodes if e.went_missing_at >= at - RECENT_MISSING),
        open_missing=[e for e in episodes if e.returned_at is None],
        rhi_overdue=[e for e, s in states if s.overdue],
        rhi_due=[(e, s) for e, s in states if s.open and e.returned_at is not None],
        statuses=[label for kind, label in StatusKind.choices if kind in open_kinds],
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


@dataclass
class RecordPage:
    """Everything the full record page shows."""

    access: PersonAccess
    identity: Identity
    flags: Flags
    known_to: int
    page: Page[Any]
    entries: list[ChronologyEntry]
    associations: Associations
    next: NextSteps


def person_chronology_keys(
    record_ids: Sequence[int], filters: ChronologyFilters, sources: Sources
) -> QuerySet[Any]:
    ids = list(record_ids)
    return chronology_keys(
        events=Event.objects.filter(
            pk__in=EventPerson.objects.filter(record_id__in=ids).values("event_id")
        ),
        episodes=MissingEpisode.objects.filter(record_id__in=ids),
        statuses=Status.objects.filter(record_id__in=ids),
        filters=filters,
        sources=sources,
    )


def record_page(
    user: User,
    access: PersonAccess,
    *,
    filters: ChronologyFilters,
    page_number: str | int | None,
    sources: Sources | None = None,
) -> RecordPage:
    """The full record: a fixed number of queries, however long the chronology."""
    at = now()
    person_id = access.person.pk
    sources = sources if sources is not None else Sources.load()
    ident = identity(person_id, sources)
    record_ids = [r.pk for r in ident.records]
    page, entries = chronology_page(
        person_chronology_keys(record_ids, filters, sources),
        page_number,
        sources=sources,
        person_record_ids=record_ids,
        at=at,
    )
    grouped, other_ids = group_associations(
        person_associations(user, record_ids), record_ids, sources
    )
    labels = labels_for(user, sorted(other_ids | event_person_ids(entries)))
    attach_people(entries, labels, exclude=person_id)
    for link in grouped.children + grouped.adults:
        link.label = labels.get(link.person_id)
    agencies = {s.agency_name for r in ident.records for s in [sources.info(r.source)]}
    return RecordPage(
        access=access,
        identity=ident,
        flags=flags(record_ids, ident, at),
        known_to=len(agencies),
        page=page,
        entries=entries,
        associations=grouped,
        next=next_steps(person_id, at),
    )


# --- The pseudonymised page --------------------------------------------------------------------


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


@dataclass
class PseudonymisedPage:
    pseudonym: str
    is_child: bool
    age_band: str
    sex: str
    ethnicity: str
    ward: str
    page: Page[Any]
    entries: list[ChronologyEntry]
    association_counts: list[tuple[str, int]]


def ward_for_postcode(postcode: str, wards: list[Ward] | None = None) -> Ward | None:
    """The ward of a postcode, from a known place at that postcode: its ward where recorded,
    else the ward whose representative point is nearest to it.

    The platform holds no postcode directory yet (ONS's NSPL would give this directly)."""
    if not postcode:
        return None
    place: Location | Organisation | None = (
        Location.objects.filter(postcode=postcode).select_related("ward").first()
        or Organisation.objects.filter(postcode=postcode).select_related("ward").first()
    )
    if place is None:
        return None
    if place.ward is not None:
        return place.ward
    if place.latitude is None or place.longitude is None:
        return None
    lat, lon = place.latitude, place.longitude
    wards = wards if wards is not None else list(Ward.objects.all())
    return min(
        wards, key=lambda w: (w.latitude - lat) ** 2 + (w.longitude - lon) ** 2, default=None
    )


def pseudonymised_page(
    user: User,
    access: PersonAccess,
    *,
    filters: ChronologyFilters,
    page_number: str | int | None,
    sources: Sources | None = None,
) -> PseudonymisedPage:
    """What an analyst may see: no name, free text, address, identifier or place name; other
    people as counts only."""
    person_id = access.person.pk
    sources = sources if sources is not None else Sources.load()
    ident = identity(person_id, sources)
    record_ids = [r.pk for r in ident.records]
    page, entries = chronology_page(
        person_chronology_keys(record_ids, filters, sources),
        page_number,
        sources=sources,
        person_record_ids=record_ids,
    )
    grouped, _ = group_associations(person_associations(user, record_ids), record_ids, sources)
    latest = ident.latest
    current = next((a for a, _ in ident.addresses if a.valid_to is None), None) or next(
        (a for a, _ in ident.addresses), None
    )
    ward = ward_for_postcode(current.postcode) if current is not None else None
    return PseudonymisedPage(
        pseudonym=pseudonym(person_id),
        is_child=ident.is_child,
        age_band=age_band(ident.date_of_birth, timezone.localdate()),
        sex=latest.get_sex_display() if latest and latest.sex else "Not known",
        ethnicity=latest.get_ethnicity_display() if latest and latest.ethnicity else "Not known",
        ward=ward.name if ward else "Not known",
        page=page,
        entries=entries,
        association_counts=grouped.counts,
    )
