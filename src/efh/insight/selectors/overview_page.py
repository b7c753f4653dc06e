"""The intelligence overview: the latest refresh, candidate counts by review status, figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count

from efh.insight.models import CandidateKind, Hotspot, RefreshRun, TrendTable
from efh.insight.policy import candidates_user_can_view, require_aggregates
from efh.insight.selectors.common import Provenance, _dict, latest_run, provenance, running_run

if TYPE_CHECKING:
    from efh.accounts.models import User

FIGURE_LABELS = {
    "peer_groups": "Peer-group candidates",
    "co_missing": "Groups of children missing together",
    "adults": "Adults linked to several children",
    "hotspots": "Hotspots",
    "edges": "Links in the association network",
    "trend_tables": "Trend tables",
}


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
