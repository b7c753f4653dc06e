"""Reads for the intelligence pages and for the "Derived intelligence" section of a record.

Every function starts from the user and goes through :mod:`efh.insight.policy` (candidates,
aggregates) or :mod:`efh.people.policy` (whose records the user may open), so nothing here reads
what the user may not see. Analysts see people by pseudonym (``people.policy.pseudonym``) and
never by name: nothing in this module reads a name, except :func:`derived_for_record`, which
names only people whose own records the user may open (``labels_for``).

The summaries are JSON written by ``efh refresh`` (``efh.insight.refresh``); they are read
defensively: a missing key shows nothing rather than failing the page.

The trend chart is drawn here as SVG geometry (bars per month, one small chart per harm type)
for the template to render: a server-side picture needs no JavaScript, prints, and sits beside
the same numbers in a table. Counts from 1 to 4 are suppressed ("fewer than 5") in charts and
tables alike, as published statistics do, so that small groups cannot be singled out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.urls import reverse

from efh.concerns.models import HarmType
from efh.contexts.models import Ward
from efh.insight.models import (
    Candidate,
    CandidateKind,
    CandidateMember,
    CandidateReview,
    Hotspot,
    HotspotStatus,
    MemberRole,
    RefreshRun,
    RefreshStatus,
    ReviewStatus,
    TrendTable,
)
from efh.insight.policy import (
    candidates_user_can_view,
    require_aggregates,
    require_candidates,
)
from efh.people.models import Person, PersonRecord
from efh.people.policy import instances_user_can_view, labels_for, pseudonym

if TYPE_CHECKING:
    from efh.accounts.models import User

PER_PAGE = 50
MAX_EVIDENCE = 200

EVIDENCE_KINDS = {
    "event": "Involved in the same event",
    "association": "A recorded association",
    "missing": "Missing together",
    "missing_with": "Recorded as missing together",
    "missing_overlap": "Missing at the same time, found at the same place",
    "address": "A shared address",
    "phone": "A shared phone number",
    "group": "Recorded in the same group",
}
INPUT_LABELS = {
    "persons": "People",
    "children": "Children",
    "events": "Events",
    "event_people": "People in events",
    "associations": "Recorded associations",
    "missing_episodes": "Missing episodes",
    "contacts": "Shared addresses and phone numbers",
}
FIGURE_LABELS = {
    "peer_groups": "Peer-group candidates",
    "co_missing": "Groups of children missing together",
    "adults": "Adults linked to several children",
    "hotspots": "Hotspots",
    "edges": "Links in the association network",
    "trend_tables": "Trend tables",
}
KIND_OBJECT = {
    CandidateKind.PEER_GROUP: "peer group candidate",
    CandidateKind.CO_MISSING: "co-missing candidate",
    CandidateKind.ADULT: "adult candidate",
}
TREND_TITLES = {
    "harm_month": "Events by harm type and month",
    "ward": "Events by ward",
    "age_band": "Children by age band",
    "sex": "Children by sex",
    "ethnicity": "Children by ethnicity",
    "seasonality": "Seasonality by harm type",
}
TREND_ORDER = list(TREND_TITLES)
COLUMN_LABELS = {
    "harm_type": "Harm type",
    "month": "Month",
    "events": "Events",
    "children": "Children",
    "ward": "Ward",
    "suppressed": "Suppressed",
    "age_band": "Age band",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "month_of_year": "Month of the year",
    "index": "Seasonal index",
    "episodes": "Missing episodes",
    "share": "Share",
    "population": "Population",
}
COUNT_COLUMNS = {"events", "children", "episodes", "people", "persons", "count", "population"}
SUPPRESSED = "fewer than 5"
MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


# --- shared ------------------------------------------------------------------------------------


def harm_names() -> dict[str, str]:
    # "all" is the trend tables' total over every harm type; "missing" counts missing episodes.
    names = {"all": "All harm types", "missing": "Missing episodes"}
    return names | dict(HarmType.objects.values_list("code", "name"))


def ward_names() -> dict[str, str]:
    return dict(Ward.objects.values_list("code", "name"))


def latest_run() -> RefreshRun | None:
    """The latest refresh that finished: the picture every page shows."""
    return (
        RefreshRun.objects.filter(status=RefreshStatus.SUCCEEDED)
        .order_by("-finished_at", "-pk")
        .first()
    )


def running_run() -> RefreshRun | None:
    return RefreshRun.objects.filter(status=RefreshStatus.RUNNING).order_by("-started_at").first()


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _date(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value).date()
    except ValueError:
        return None


def suppress(value: Any) -> Any:
    """Counts of 1 to 4 as "fewer than 5"; anything else unchanged."""
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4:
        return SUPPRESSED
    return value


@dataclass(frozen=True)
class Provenance:
    """When an item was computed and from what: shown on every derived item."""

    run: RefreshRun
    window_days: int | None

    @property
    def inputs(self) -> list[tuple[str, Any]]:
        found = _dict(self.run.inputs)
        return [(label, found[key]) for key, label in INPUT_LABELS.items() if key in found]

    @property
    def window(self) -> str:
        if self.window_days:
            return f"the {self.window_days} days up to the snapshot"
        return "everything recorded up to the snapshot"


def provenance(run: RefreshRun | None) -> Provenance | None:
    if run is None:
        return None
    network = _dict(_dict(run.parameters).get("network"))
    return Provenance(run=run, window_days=_int(network.get("window_days")))


# --- people by pseudonym -------------------------------------------------------------------------


@dataclass
class Node:
    """A person in a derived item, by pseudonym; never a name."""

    person_id: int
    pseudonym: str
    is_child: bool | None
    role: str = ""
    links: int = 0
    strongest: float = 0.0

    @property
    def kind(self) -> str:
        if self.is_child is None:
            return "Not known"
        return "Child" if self.is_child else "Adult"


def _nodes(person_ids: Iterable[int]) -> dict[int, Node]:
    ids = sorted({int(p) for p in person_ids})
    child: dict[int, bool] = {}
    for pid, is_child in PersonRecord.objects.filter(person_id__in=ids).values_list(
        "person_id", "is_child"
    ):
        child[pid] = child.get(pid, False) or bool(is_child)
    return {p: Node(p, pseudonym(p), child.get(p)) for p in ids}


@dataclass(frozen=True)
class Edge:
    a: Node
    b: Node
    weight: float


@dataclass(frozen=True)
class Evidence:
    a: Node | None
    b: Node | None
    kind: str
    ref: str
    at: str
    weight: float | None

    @property
    def kind_label(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind.replace("_", " ").capitalize())


@dataclass
class Network:
    """The picture and the tables beside it: nodes, edges (strongest first) and evidence."""

    nodes: dict[int, Node]
    edges: list[Edge]
    focus: int | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0

    def graph(self) -> dict[str, Any]:
        """For the network view (``network-view.js``, through ``json_script``)."""
        return {
            "nodes": [
                {
                    "id": f"p{n.person_id}",
                    "label": n.pseudonym,
                    "kind": "focus"
                    if n.person_id == self.focus
                    else ("child" if n.is_child else "adult" if n.is_child is False else "other"),
                    "href": reverse("insight:person", kwargs={"person_id": n.person_id}),
                }
                for n in self.nodes.values()
            ],
            "edges": [
                {"source": f"p{e.a.person_id}", "target": f"p{e.b.person_id}", "weight": e.weight}
                for e in self.edges
            ],
        }

    @property
    def person_ids(self) -> list[int]:
        return sorted(self.nodes)


def network_of(
    summary: dict[str, Any],
    members: dict[int, str],
    *,
    focus: int | None = None,
    only_touching: int | None = None,
) -> Network:
    """Nodes (the members with their roles, and anyone at the end of an edge), edges and
    evidence from a summary; ``only_touching`` keeps the edges and evidence of one person."""
    raw_edges = []
    for e in _list(summary.get("edges")):
        e = _dict(e)
        a, b = _int(e.get("a")), _int(e.get("b"))
        if a is None or b is None:
            continue
        if only_touching is not None and only_touching not in (a, b):
            continue
        raw_edges.append((a, b, float(e.get("weight") or 0.0)))
    raw_evidence = []
    for ev in _list(summary.get("evidence")):
        ev = _dict(ev)
        a, b = _int(ev.get("a")), _int(ev.get("b"))
        if only_touching is not None and only_touching not in (a, b):
            continue
        raw_evidence.append((a, b, ev))
    ids = set(members) | {p for a, b, _ in raw_edges for p in (a, b)}
    if focus is not None:
        ids.add(focus)
    nodes = _nodes(ids)
    for pid, role in members.items():
        if pid in nodes:
            nodes[pid].role = role
    edges = [Edge(nodes[a], nodes[b], w) for a, b, w in raw_edges]
    edges.sort(key=lambda e: -e.weight)
    for e in edges:
        for n in (e.a, e.b):
            n.links += 1
            n.strongest = max(n.strongest, e.weight)
    evidence_nodes = _nodes(
        {p for a, b, _ in raw_evidence[:MAX_EVIDENCE] for p in (a, b) if p is not None} - set(nodes)
    )
    everyone = {**nodes, **evidence_nodes}
    evidence = [
        Evidence(
            a=everyone.get(a) if a is not None else None,
            b=everyone.get(b) if b is not None else None,
            kind=str(ev.get("kind") or ""),
            ref=str(ev.get("ref") or ""),
            at=str(ev.get("at") or "")[:10],
            weight=float(ev["weight"]) if isinstance(ev.get("weight"), int | float) else None,
        )
        for a, b, ev in raw_evidence[:MAX_EVIDENCE]
    ]
    return Network(
        nodes=nodes,
        edges=edges,
        focus=focus,
        evidence=evidence,
        evidence_total=len(raw_evidence),
    )


# --- candidates --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Named:
    name: str
    count: int | None


def _places(summary: dict[str, Any]) -> list[Named]:
    out = []
    for p in _list(summary.get("places")):
        p = _dict(p)
        name = str(p.get("name") or p.get("place") or "")
        if name:
            out.append(Named(name, _int(p.get("events"))))
    return out


def _harms(summary: dict[str, Any], names: dict[str, str]) -> list[Named]:
    out = []
    for h in _list(summary.get("harm_types")):
        h = _dict(h)
        code = str(h.get("harm_type") or "")
        if code:
            out.append(Named(names.get(code, code), _int(h.get("events"))))
    return out


@dataclass(frozen=True)
class TrendMonth:
    month: str
    events: int
    bar: int


@dataclass(frozen=True)
class Trend:
    word: str
    rule: str
    months: list[TrendMonth]


def _trend(summary: dict[str, Any]) -> Trend | None:
    t = _dict(summary.get("trend"))
    if not t:
        return None
    months = [_dict(m) for m in _list(t.get("months"))]
    top = max([_int(m.get("events")) or 0 for m in months], default=0) or 1
    return Trend(
        word=str(t.get("word") or ""),
        rule=str(t.get("rule") or ""),
        months=[
            TrendMonth(
                str(m.get("month") or ""),
                _int(m.get("events")) or 0,
                round(160 * (_int(m.get("events")) or 0) / top),
            )
            for m in months
        ],
    )


@dataclass
class CandidateRow:
    """One line of a candidates list."""

    candidate: Candidate
    harm_types: list[Named]
    places: list[Named]
    trend_word: str
    reasons: list[str]
    first_seen: date | None
    last_seen: date | None
    episodes: int
    adult: Node | None = None
    counts: dict[str, int | None] = field(default_factory=dict)


@dataclass
class CandidateList:
    kind: str
    page: Page[Any]
    rows: list[CandidateRow]
    run: Provenance | None
    status: str
    rule: str = ""

    @property
    def person_ids(self) -> list[int]:
        return sorted(r.adult.person_id for r in self.rows if r.adult is not None)


def _row(c: Candidate, names: dict[str, str]) -> CandidateRow:
    s = _dict(c.summary)
    return CandidateRow(
        candidate=c,
        harm_types=_harms(s, names),
        places=_places(s),
        trend_word=str(_dict(s.get("trend")).get("word") or ""),
        reasons=[str(r) for r in _list(s.get("reasons"))],
        first_seen=_date(s.get("first_seen")),
        last_seen=_date(s.get("last_seen")),
        episodes=len(_list(s.get("episodes"))),
        counts={
            k: _int(s.get(k))
            for k in ("direct_children", "indirect_children", "children_linked", "groups_reached")
        },
    )


def candidate_list(
    user: User, kind: CandidateKind, *, status: str = "", page_number: Any = 1
) -> CandidateList:
    """The current candidates of a kind, in the refresh's order (largest groups first; adults
    by the documented rule), optionally of one review status."""
    require_candidates(user)
    qs = candidates_user_can_view(user, kind).order_by("rank", "code")
    if status in ReviewStatus.values:
        qs = qs.filter(review_status=status)
    page = Paginator(qs, PER_PAGE).get_page(page_number)
    names = harm_names()
    rows = [_row(c, names) for c in page.object_list]
    rule = ""
    if kind == CandidateKind.ADULT:
        adults = _nodes(r.candidate.person_id for r in rows if r.candidate.person_id)
        for r in rows:
            r.adult = adults.get(r.candidate.person_id or -1)
        first = candidates_user_can_view(user, kind).order_by("rank").first()
        rule = str(_dict(first.summary).get("rule") or "") if first else ""
    return CandidateList(
        kind=kind,
        page=page,
        rows=rows,
        run=provenance(latest_run()),
        status=status if status in ReviewStatus.values else "",
        rule=rule,
    )


@dataclass
class CandidatePage:
    candidate: Candidate
    row: CandidateRow
    network: Network
    members: list[Node]
    trend: Trend | None
    reviews: list[CandidateReview]
    made: Provenance | None
    latest: Provenance | None
    evidence_kinds: list[str]
    adult: Node | None = None
    rule: str = ""
    episodes: list[int] = field(default_factory=list)

    @property
    def person_ids(self) -> list[int]:
        return self.network.person_ids


def candidate_page(user: User, candidate: Candidate) -> CandidatePage:
    """Everything a candidate's page shows; ``candidate`` comes from ``access_candidate``."""
    require_candidates(user)
    s = _dict(candidate.summary)
    roles = dict(MemberRole.choices)
    members = {
        pid: roles.get(role, role)
        for pid, role in CandidateMember.objects.filter(candidate=candidate).values_list(
            "person_id", "role"
        )
    }
    adult_id = candidate.person_id
    if adult_id is not None:
        members[adult_id] = "The adult"
    net = network_of(s, members, focus=adult_id)
    kinds = sorted({EVIDENCE_KINDS.get(e.kind, e.kind) for e in net.evidence if e.kind})
    if not kinds:  # summaries without evidence rows still say what kinds of link made them
        kinds = sorted(
            {
                EVIDENCE_KINDS.get(str(_dict(ev).get("kind")), str(_dict(ev).get("kind")))
                for ev in _list(s.get("evidence"))
                if _dict(ev).get("kind")
            }
        )
    member_nodes = sorted(
        (net.nodes[p] for p in members if p in net.nodes and p != adult_id),
        key=lambda n: (-n.links, n.pseudonym),
    )
    return CandidatePage(
        candidate=candidate,
        row=_row(candidate, harm_names()),
        network=net,
        members=member_nodes,
        trend=_trend(s),
        reviews=list(
            CandidateReview.objects.filter(candidate=candidate)
            .select_related("reviewed_by", "run")
            .order_by("-reviewed_at")
        ),
        made=provenance(candidate.last_run),
        latest=provenance(latest_run()),
        evidence_kinds=kinds,
        adult=net.nodes.get(adult_id) if adult_id is not None else None,
        rule=str(s.get("rule") or ""),
        episodes=[e for e in (_int(x) for x in _list(s.get("episodes"))) if e is not None],
    )


# --- one person's connections --------------------------------------------------------------------


@dataclass
class PersonConnections:
    person: Node
    candidates: list[Candidate]
    network: Network
    run: Provenance | None

    @property
    def person_ids(self) -> list[int]:
        return self.network.person_ids


def person_connections(user: User, person_id: int) -> PersonConnections | None:
    """A person's current candidates and direct links, from the candidates' members and
    summaries; None if there is no such person."""
    require_candidates(user)
    if not Person.objects.filter(pk=person_id).exists():
        return None
    visible = candidates_user_can_view(user)
    candidates = list(
        visible.filter(Q(members__person_id=person_id) | Q(person_id=person_id))
        .distinct()
        .order_by("kind", "rank", "code")
    )
    best: dict[tuple[int, int], float] = {}
    evidence: list[dict[str, Any]] = []
    seen_evidence: set[tuple[Any, ...]] = set()
    for c in candidates:
        s = _dict(c.summary)
        for e in _list(s.get("edges")):
            e = _dict(e)
            a, b = _int(e.get("a")), _int(e.get("b"))
            if a is None or b is None or person_id not in (a, b):
                continue
            key = (min(a, b), max(a, b))
            best[key] = max(best.get(key, 0.0), float(e.get("weight") or 0.0))
        for ev in _list(s.get("evidence")):
            ev = _dict(ev)
            if person_id not in (_int(ev.get("a")), _int(ev.get("b"))):
                continue
            key2 = (ev.get("a"), ev.get("b"), ev.get("kind"), ev.get("ref"))
            if key2 not in seen_evidence:
                seen_evidence.add(key2)
                evidence.append(ev)
    summary = {
        "edges": [{"a": a, "b": b, "weight": w} for (a, b), w in best.items()],
        "evidence": evidence,
    }
    net = network_of(summary, {person_id: "This person"}, focus=person_id)
    return PersonConnections(
        person=net.nodes[person_id],
        candidates=candidates,
        network=net,
        run=provenance(latest_run()),
    )


# --- overview ------------------------------------------------------------------------------------


@dataclass
class Overview:
    run: Provenance | None
    running: RefreshRun | None
    counts: dict[str, dict[str, int]]
    hotspots: int
    trend_tables: int
    figures: list[tuple[str, Any]]
    sees_candidates: bool


def overview(user: User, *, sees_candidates: bool) -> Overview:
    require_aggregates(user)
    run = latest_run()
    counts: dict[str, dict[str, int]] = {}
    if sees_candidates:
        for kind, status, n in (
            candidates_user_can_view(user)
            .values_list("kind", "review_status")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts.setdefault(kind, {}).setdefault(status, 0)
            counts[kind][status] += n
    for kind in CandidateKind.values:
        by_status = counts.setdefault(kind, {})
        by_status["total"] = sum(by_status.values())
    figures = _dict(run.figures) if run else {}
    return Overview(
        run=provenance(run),
        running=running_run(),
        counts=counts,
        hotspots=Hotspot.objects.filter(run=run).count() if run else 0,
        trend_tables=TrendTable.objects.filter(run=run).count() if run else 0,
        figures=[(label, figures[k]) for k, label in FIGURE_LABELS.items() if k in figures],
        sees_candidates=sees_candidates,
    )


# --- hotspots ------------------------------------------------------------------------------------


@dataclass
class HotspotRow:
    hotspot: Hotspot
    harm_name: str
    ward_name: str


@dataclass
class Hotspots:
    run: Provenance | None
    rows: list[HotspotRow]
    harm_choices: list[tuple[str, str]]
    map_data: dict[str, Any]
    total: int


def hotspot_harm_choices(user: User) -> list[tuple[str, str]]:
    """The harm types the latest run found hotspots for, for the filter."""
    require_aggregates(user)
    run = latest_run()
    if run is None:
        return []
    names = harm_names()
    codes = sorted(set(Hotspot.objects.filter(run=run).values_list("harm_type", flat=True)))
    return [(code, names.get(code, code)) for code in codes]


def hotspots(user: User, *, harm_type: str = "", status: str = "") -> Hotspots:
    """The latest run's hotspots (aggregates: no person named), filtered; and the map's data:
    each hotspot as a circle and every ward's representative point."""
    require_aggregates(user)
    run = latest_run()
    names, wards = harm_names(), ward_names()
    qs = Hotspot.objects.filter(run=run) if run else Hotspot.objects.none()
    present = sorted(set(qs.values_list("harm_type", flat=True)))
    total = qs.count()
    if harm_type:
        qs = qs.filter(harm_type=harm_type)
    if status in HotspotStatus.values:
        qs = qs.filter(status=status)
    rows = [
        HotspotRow(h, names.get(h.harm_type, h.harm_type), wards.get(h.ward, h.ward))
        for h in qs.order_by("-score", "number")
    ]
    statuses = dict(HotspotStatus.choices)
    map_data = {
        "hotspots": [
            {
                "lat": r.hotspot.latitude,
                "lng": r.hotspot.longitude,
                "radius": r.hotspot.radius_m,
                "status": r.hotspot.status,
                "label": f"Hotspot {r.hotspot.number}: {r.harm_name}, "
                f"{statuses.get(r.hotspot.status, r.hotspot.status).split(':')[0].lower()}, "
                f"{r.hotspot.events} events"
                + (f", {r.hotspot.place_name}" if r.hotspot.place_name else ""),
            }
            for r in rows
        ],
        "wards": [
            {"lat": w.latitude, "lng": w.longitude, "name": w.name} for w in Ward.objects.all()
        ],
    }
    return Hotspots(
        run=provenance(run),
        rows=rows,
        harm_choices=[(code, names.get(code, code)) for code in present],
        map_data=map_data,
        total=total,
    )


# --- trends ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    suppressed: bool


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    top: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]
    baseline: float


@dataclass
class Table:
    name: str
    title: str
    columns: list[tuple[str, str]]
    rows: list[list[Any]]
    charts: list[BarChart] = field(default_factory=list)


@dataclass
class Trends:
    run: Provenance | None
    tables: list[Table]


CHART_W, CHART_H, CHART_PAD = 640, 170, 34


def _month_label(month: str) -> str:
    try:
        year, m = month.split("-")[:2]
        return f"{MONTH_NAMES[int(m) - 1][:3]} {year}"
    except (ValueError, IndexError):
        return month


def _cell(column: str, value: Any, harms: dict[str, str], wards: dict[str, str]) -> Any:
    if value is None:
        return ""
    if column == "harm_type":
        return harms.get(str(value), value)
    if column == "ward":
        return wards.get(str(value), value)
    if column == "month" and isinstance(value, str):
        return _month_label(value)
    if column == "month_of_year" and _int(value) and 1 <= (_int(value) or 0) <= 12:
        return MONTH_NAMES[(_int(value) or 1) - 1]
    if column == "suppressed" and isinstance(value, bool):
        return "Yes" if value else "No"
    if column in COUNT_COLUMNS:
        return suppress(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return value


def harm_month_charts(rows: list[dict[str, Any]], harms: dict[str, str]) -> list[BarChart]:
    """One bar chart per harm type, events by month; suppressed months drawn as a stub."""
    by_harm: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        code, month, events = str(r.get("harm_type") or ""), r.get("month"), _int(r.get("events"))
        if code and isinstance(month, str) and events is not None:
            by_harm[code][month] = by_harm[code].get(month, 0) + events
    months = sorted({m for per in by_harm.values() for m in per})
    if not months:
        return []
    top = max(max(per.values()) for per in by_harm.values()) or 1
    inner_w = CHART_W - 2 * CHART_PAD
    inner_h = CHART_H - 2 * CHART_PAD
    step = inner_w / len(months)
    every = max(1, len(months) // 6)
    ticks = [
        (CHART_PAD + step * (i + 0.5), _month_label(m))
        for i, m in enumerate(months)
        if i % every == 0
    ]
    charts = []
    for code in sorted(by_harm, key=lambda c: -sum(by_harm[c].values())):
        bars = []
        for i, m in enumerate(months):
            n = by_harm[code].get(m, 0)
            hidden = 1 <= n <= 4
            h = 3.0 if hidden else inner_h * n / top
            bars.append(
                Bar(
                    x=round(CHART_PAD + step * i + step * 0.1, 1),
                    y=round(CHART_PAD + inner_h - h, 1),
                    width=round(step * 0.8, 1),
                    height=round(h, 1),
                    label=f"{_month_label(m)}: {SUPPRESSED if hidden else n} events",
                    suppressed=hidden,
                )
            )
        charts.append(
            BarChart(
                title=harms.get(code, code),
                width=CHART_W,
                height=CHART_H,
                top=top,
                bars=bars,
                ticks=ticks,
                baseline=CHART_PAD + inner_h,
            )
        )
    return charts


def trend_tables(user: User) -> Trends:
    """The latest run's trend tables, each rendered from its rows' keys; the harm-by-month
    table with its charts."""
    require_aggregates(user)
    run = latest_run()
    harms, wards = harm_names(), ward_names()
    found = list(TrendTable.objects.filter(run=run)) if run else []
    found.sort(key=lambda t: (TREND_ORDER.index(t.name) if t.name in TREND_ORDER else 99, t.name))
    tables = []
    for t in found:
        rows = [_dict(r) for r in _list(t.rows)]
        keys: list[str] = []
        for r in rows:
            keys += [k for k in r if k not in keys]
        table = Table(
            name=t.name,
            title=TREND_TITLES.get(t.name, t.name.replace("_", " ").capitalize()),
            columns=[(k, COLUMN_LABELS.get(k, k.replace("_", " ").capitalize())) for k in keys],
            rows=[[_cell(k, r.get(k), harms, wards) for k in keys] for r in rows],
        )
        if t.name == "harm_month":
            table.charts = harm_month_charts(rows, harms)
        tables.append(table)
    return Trends(run=provenance(run), tables=tables)


# --- the child's record ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DerivedGroup:
    candidate: Candidate
    others: int
    openable: list[Any]

    @property
    def is_co_missing(self) -> bool:
        return self.candidate.kind == CandidateKind.CO_MISSING


@dataclass(frozen=True)
class DerivedAdult:
    candidate: Candidate
    children: int
    openable: list[Any]


@dataclass(frozen=True)
class DerivedIntelligence:
    groups: list[DerivedGroup]
    adult: DerivedAdult | None
    computed: datetime | None

    @property
    def any(self) -> bool:
        return bool(self.groups or self.adult)


def derived_for_record(user: User, person_id: int) -> DerivedIntelligence:
    """What the intelligence picture derived about a person whose full record the user has
    just opened (``people.policy.access_person`` already authorised and logged it): the current
    peer-group and co-missing candidates the person is in, with how many other children, and
    the names of only those whose own records the user may open; and, for an adult, that they
    were derived as linked to several children."""
    # One query for both: the groups the person is in, and their own adult candidate.
    found = list(
        Candidate.objects.filter(current=True)
        .filter(
            Q(
                kind__in=[CandidateKind.PEER_GROUP, CandidateKind.CO_MISSING],
                members__person_id=person_id,
            )
            | Q(kind=CandidateKind.ADULT, person_id=person_id)
        )
        .distinct()
        .order_by("kind", "code")
    )
    if not found:  # the usual case: nothing derived, no further query
        return DerivedIntelligence(groups=[], adult=None, computed=None)
    groups = [c for c in found if c.kind != CandidateKind.ADULT]
    adult = next((c for c in found if c.kind == CandidateKind.ADULT), None)
    member_ids: dict[int, list[int]] = defaultdict(list)
    wanted = [c.pk for c in groups] + ([adult.pk] if adult else [])
    for cid, pid in CandidateMember.objects.filter(candidate_id__in=wanted).values_list(
        "candidate_id", "person_id"
    ):
        if pid != person_id:
            member_ids[cid].append(pid)
    everyone = sorted({p for ids in member_ids.values() for p in ids})
    openable = set(
        instances_user_can_view(user).filter(pk__in=everyone).values_list("pk", flat=True)
    )
    labels = labels_for(user, sorted(openable))

    def names(ids: list[int]) -> list[Any]:
        return sorted((labels[p] for p in ids if p in openable), key=lambda label: label.text)

    run = latest_run()
    return DerivedIntelligence(
        groups=[DerivedGroup(c, len(member_ids[c.pk]), names(member_ids[c.pk])) for c in groups],
        adult=DerivedAdult(adult, len(member_ids[adult.pk]), names(member_ids[adult.pk]))
        if adult
        else None,
        computed=run.finished_at if run else None,
    )


def derived_codes_for(user: User, person_id: int) -> list[Candidate]:
    """For the pseudonymised record: the current candidates a person is in (analysts only)."""
    return list(
        candidates_user_can_view(user)
        .filter(Q(members__person_id=person_id) | Q(person_id=person_id))
        .distinct()
        .order_by("kind", "code")
    )
