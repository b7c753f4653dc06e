"""The merged multi-agency chronology (events, missing episodes and status changes), the
72-hour return home interview standard, and the missing-episode flags: what the concerns app
contributes to a person's record and a place's page (``concerns/sections.py``).

The page must stay fast at a borough's scale (60,000 children, a million events), so:

- the chronology is one ``UNION ALL`` of the person's events, missing episodes and status
  changes, each branch reached through an index (``eventperson.record_id``,
  ``missingepisode.record_id``, ``status.record_id``), counted and sliced by the database; then
  only the page's 25 rows are fetched in full, with their places, harm types and people;
- the people named in it are labelled by the page, in one ``labels_for`` call for every section.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, Prefetch, QuerySet, Value
from django.utils import timezone

from efh.concerns.models import Event, EventPerson, HarmType, MissingEpisode
from efh.concerns.rhi import RhiMeasures
from efh.contexts.models import Location, Organisation
from efh.core.clock import now
from efh.people.models import Status
from efh.people.policy import Label, mask_names
from efh.people.selectors.sources import SourceInfo, Sources

if TYPE_CHECKING:
    from efh.accounts.models import User

PER_PAGE = 25
RECENT_MISSING = timedelta(days=90)


def active_harm_types() -> list[HarmType]:
    """The harm taxonomy in use, for filters."""
    return list(HarmType.objects.filter(active=True))


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
    summary: str = ""
    """The event's free text, with the names of people the user may not open masked."""
    child_words: str = ""

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
        others = [o.label for o in entry.others]
        entry.summary = mask_names(entry.event.summary or "", others)
        entry.child_words = mask_names(entry.event.child_words or "", others)


def event_person_ids(entries: Iterable[ChronologyEntry]) -> set[int]:
    return {
        ep.record.person_id for e in entries if e.event is not None for ep in e.event.people.all()
    }


@dataclass
class MissingFlags:
    missing_recent: int
    open_missing: list[MissingEpisode]
    rhi_overdue: list[MissingEpisode]
    rhi_due: list[tuple[MissingEpisode, RhiState]]

    @property
    def any(self) -> bool:
        return bool(self.missing_recent or self.open_missing or self.rhi_overdue)


def missing_flags(record_ids: Sequence[int], at: datetime) -> MissingFlags:
    """Key flags from the person's missing episodes (one query)."""
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
    return MissingFlags(
        missing_recent=sum(1 for e in episodes if e.went_missing_at >= at - RECENT_MISSING),
        open_missing=[e for e in episodes if e.returned_at is None],
        rhi_overdue=[e for e, s in states if s.overdue],
        rhi_due=[(e, s) for e, s in states if s.open and e.returned_at is not None],
    )


def person_chronology_keys(
    record_ids: Sequence[int],
    filters: ChronologyFilters,
    sources: Sources,
    *,
    statuses: bool = True,
) -> QuerySet[Any]:
    ids = list(record_ids)
    return chronology_keys(
        events=Event.objects.filter(
            pk__in=EventPerson.objects.filter(record_id__in=ids).values("event_id")
        ),
        episodes=MissingEpisode.objects.filter(record_id__in=ids),
        statuses=Status.objects.filter(record_id__in=ids) if statuses else None,
        filters=filters,
        sources=sources,
    )
