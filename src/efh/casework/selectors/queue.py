"""The screening queue: the children with concerns or referrals not yet screened, one row a
child (several concerns about one child are screened together), the soonest due first.

Every function here is a fixed number of queries whatever the queue's length: the page of
children is read first (grouped and ordered in the database, on the ``queue_open_due`` partial
index), then the page's items, agencies, harm types, open cases and screenings in progress in
one query each."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Min, QuerySet

from efh.accounts.models import Agency
from efh.casework.models import Case, CaseState, QueueItem, Screening, ScreeningState
from efh.concerns.models import Event, MissingEpisode
from efh.core.clock import now
from efh.core.models import Source
from efh.people.models import PersonRecord, Status, StatusKind
from efh.people.selectors.record import age_on

PAGE = 50


def _open() -> QuerySet[QueueItem]:
    return QueueItem.objects.filter(screened_at__isnull=True)


def queue_counts(at: datetime | None = None) -> tuple[int, int]:
    """(children waiting, children overdue) now."""
    at = at or now()
    per_child = _open().values("person_id").annotate(due=Min("due_at"))
    waiting = per_child.count()
    overdue = per_child.filter(due__lt=at).count()
    return waiting, overdue


@dataclass
class QueueItemRow:
    item: QueueItem
    agency: str
    kind: str
    harm_types: list[str]
    summary: str
    child_words: str = ""


@dataclass
class QueueChild:
    person_id: int
    arrived_at: datetime
    due_at: datetime
    count: int
    items: list[QueueItemRow] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    harm_types: list[str] = field(default_factory=list)
    case: Case | None = None
    screening: Screening | None = None

    def overdue(self, at: datetime) -> bool:
        return self.due_at < at

    def due_soon(self, at: datetime) -> bool:
        return not self.overdue(at) and self.due_at < at + timedelta(hours=24)


@dataclass
class QueuePage:
    children: list[QueueChild]
    total: int
    overdue: int
    page: int
    pages: int


def agency_names(source_codes: set[str]) -> dict[str, str]:
    """Source code -> the agency's name (the platform's own sources, ``efh-<agency>``, have no
    row: their agency is read by its code)."""
    names = {
        code: agency or name
        for code, agency, name in Source.objects.filter(code__in=source_codes).values_list(
            "code", "agency__name", "name"
        )
    }
    platform = {c[4:]: c for c in source_codes - names.keys() if c.startswith("efh-")}
    for code, name in Agency.objects.filter(code__in=platform).values_list("code", "name"):
        names[platform[code]] = name
    return names


def _items_for(person_ids: list[int]) -> dict[int, list[QueueItemRow]]:
    items = list(
        _open()
        .filter(person_id__in=person_ids)
        .select_related("event")
        .only(
            "pk",
            "person_id",
            "arrived_at",
            "due_at",
            "screening_id",
            "event__id",
            "event__kind",
            "event__source",
            "event__summary",
            "event__child_words",
            "event__occurred_at",
            "event__recorded_at",
        )
        .order_by("due_at", "pk")
    )
    event_ids = [i.event_id for i in items]
    harms: dict[int, list[str]] = defaultdict(list)
    for event_id, name in (
        Event.harm_types.through.objects.filter(event_id__in=event_ids)
        .order_by("harmtype__order", "harmtype__name")
        .values_list("event_id", "harmtype__name")
    ):
        harms[event_id].append(name)
    agencies = agency_names({i.event.source for i in items})
    rows: dict[int, list[QueueItemRow]] = defaultdict(list)
    for item in items:
        rows[item.person_id].append(
            QueueItemRow(
                item,
                agencies.get(item.event.source, item.event.source),
                item.event.get_kind_display(),
                harms[item.event_id],
                item.event.summary,
                item.event.child_words,
            )
        )
    return rows


def _fill(children: list[QueueChild]) -> None:
    ids = [c.person_id for c in children]
    rows = _items_for(ids)
    cases = {
        c.person_id: c
        for c in Case.objects.filter(person_id__in=ids)
        .exclude(state=CaseState.CLOSED)
        .select_related("lead_agency")
    }
    screenings = {
        s.person_id: s
        for s in Screening.objects.filter(
            person_id__in=ids, state=ScreeningState.IN_PROGRESS
        ).select_related("taken_by")
    }
    for child in children:
        child.items = rows.get(child.person_id, [])
        child.agencies = sorted({r.agency for r in child.items})
        child.harm_types = sorted({h for r in child.items for h in r.harm_types})
        child.case = cases.get(child.person_id)
        child.screening = screenings.get(child.person_id)


def queue_page(*, page: int = 1, at: datetime | None = None, per_page: int = PAGE) -> QueuePage:
    """One page of the queue, the soonest due first."""
    at = at or now()
    grouped = (
        _open()
        .values("person_id")
        .annotate(due=Min("due_at"), arrived=Min("arrived_at"), n=Count("pk"))
        .order_by("due", "person_id")
    )
    total = grouped.count()
    overdue = grouped.filter(due__lt=at).count() if total else 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    children = [
        QueueChild(g["person_id"], g["arrived"], g["due"], g["n"])
        for g in grouped[start : start + per_page]
    ]
    _fill(children)
    return QueuePage(children, total, overdue, page, pages)


def queue_child(person_id: int) -> QueueChild | None:
    """One child's open items (for the screening page); None when none is waiting."""
    agg = (
        _open()
        .filter(person_id=person_id)
        .aggregate(due=Min("due_at"), arrived=Min("arrived_at"), n=Count("pk"))
    )
    if not agg["n"]:
        return None
    child = QueueChild(person_id, agg["arrived"], agg["due"], agg["n"])
    _fill([child])
    return child


def screening_items(screening: Screening) -> list[QueueItemRow]:
    """The items a screening covers (open or screened), oldest first."""
    items = list(
        QueueItem.objects.filter(screening=screening).select_related("event").order_by("due_at")
    )
    agencies = agency_names({i.event.source for i in items})
    harms: dict[int, list[str]] = defaultdict(list)
    for event_id, name in Event.harm_types.through.objects.filter(
        event_id__in=[i.event_id for i in items]
    ).values_list("event_id", "harmtype__name"):
        harms[event_id].append(name)
    return [
        QueueItemRow(
            i,
            agencies.get(i.event.source, i.event.source),
            i.event.get_kind_display(),
            harms[i.event_id],
            i.event.summary,
            i.event.child_words,
        )
        for i in items
    ]


@dataclass(frozen=True)
class Prefill:
    """What the platform already knows for one question, and where it comes from."""

    answer: str
    """yes or no"""
    source: str


def prefills(person_id: int, at: datetime) -> dict[str, Prefill]:
    """Answers the record already holds, keyed by the tool's prefill names
    (``casework.tool.PREFILLS``): missing episodes in the last 90 days, exclusions in the last
    year, looked-after and SEND status, an open case or a child protection / child in need
    status. Five queries."""
    result: dict[str, Prefill] = {}
    records = PersonRecord.objects.filter(person_id=person_id)
    episodes = list(
        MissingEpisode.objects.filter(
            record__in=records, went_missing_at__gte=at - timedelta(days=90)
        ).values_list("went_missing_at", "source")
    )
    if episodes:
        latest = max(e[0] for e in episodes)
        result["missing_90d"] = Prefill(
            "yes",
            f"{len(episodes)} missing episode{'s' if len(episodes) != 1 else ''} in the last "
            f"90 days on the record, the latest on {latest:%d %B %Y}",
        )
    else:
        result["missing_90d"] = Prefill(
            "no", "No missing episode in the last 90 days on the record"
        )
    exclusions = list(
        Event.objects.filter(
            people__record__in=records,
            kind="exclusion",
            occurred_at__gte=at - timedelta(days=365),
        )
        .values_list("occurred_at", "source")
        .distinct()
    )
    if exclusions:
        names = agency_names({e[1] for e in exclusions})
        latest_at, latest_source = max(exclusions)
        result["excluded"] = Prefill(
            "yes",
            f"{len(exclusions)} exclusion{'s' if len(exclusions) != 1 else ''} in the last year, "
            f"the latest on {latest_at:%d %B %Y} ({names.get(latest_source, latest_source)})",
        )
    statuses: dict[str, tuple[datetime, str]] = {}
    for kind, started, source in Status.objects.filter(
        record__in=records, ended__isnull=True
    ).values_list("kind", "started", "record__source"):
        statuses.setdefault(kind, (started, source))
    names = agency_names({s[1] for s in statuses.values()})

    def said(kind: str) -> str:
        started, source = statuses[kind]
        return f"{StatusKind(kind).label} since {started:%d %B %Y}, recorded by {names.get(source, source)}"

    for kind, code in ((StatusKind.LOOKED_AFTER, "looked_after"), (StatusKind.SEND, "send")):
        if kind in statuses:
            result[code] = Prefill("yes", said(kind))
    open_case = Case.objects.filter(person_id=person_id).exclude(state=CaseState.CLOSED).first()
    if open_case is not None:
        result["social_care"] = Prefill(
            "yes", f"Open case on the platform ({open_case.get_state_display()})"
        )
    else:
        for kind in (StatusKind.CHILD_PROTECTION_PLAN, StatusKind.CHILD_IN_NEED):
            if kind in statuses:
                result["social_care"] = Prefill("yes", said(kind))
                break
    return result


def child_age(person_id: int, day: Any) -> int | None:
    """The child's age on ``day`` from the first date of birth an agency recorded."""
    dob = (
        PersonRecord.objects.filter(person_id=person_id, date_of_birth__isnull=False)
        .order_by("-recorded_at")
        .values_list("date_of_birth", flat=True)
        .first()
    )
    return age_on(dob, day) if dob else None


def lead_agencies() -> list[Agency]:
    """Agencies that can lead a case, children's social care first."""
    return sorted(Agency.objects.all(), key=lambda a: (a.sector != "social_care", a.name))


def open_case_of(person_id: int) -> Case | None:
    return (
        Case.objects.filter(person_id=person_id)
        .exclude(state=CaseState.CLOSED)
        .select_related("lead_agency", "lead_practitioner")
        .first()
    )


def screening_for_page(pk: int) -> Screening:
    return Screening.objects.select_related("tool", "taken_by", "decided_by", "case").get(pk=pk)
