"""The candidates' screens: the lists and pages of peer groups, adults linked to several children
and children missing together (one list and one page selector serve the three kinds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator

from efh.insight.models import (
    Candidate,
    CandidateKind,
    CandidateMember,
    CandidateReview,
    MemberRole,
    ReviewStatus,
)
from efh.insight.policy import candidates_user_can_view, require_candidates
from efh.insight.selectors.common import (
    PER_PAGE,
    Provenance,
    _date,
    _dict,
    _int,
    _list,
    harm_names,
    latest_run,
    provenance,
)
from efh.insight.selectors.network import EVIDENCE_KINDS, Network, Node, _nodes, network_of

if TYPE_CHECKING:
    from efh.accounts.models import User


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
