"""Reads for the refresh runs page: the runs, latest first, with their progress (stage, what
the snapshot held, time left) and outcome, for the intelligence capability (analysts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from efh.core.jobs import RunProgress
from efh.insight.models import RefreshRun, RefreshStatus
from efh.insight.policy import require_candidates
from efh.insight.refresh import HEARTBEAT_TIMEOUT

if TYPE_CHECKING:
    from efh.accounts.models import User

PER_PAGE = 25
# What a refresh read, as the page names it (RefreshRun.inputs), in this order.
INPUT_LABELS = {
    "persons": "people",
    "children": "children",
    "events": "events",
    "associations": "associations",
    "missing_episodes": "missing episodes",
}
FIGURE_LABELS = {
    "peer_groups": "Peer-group candidates",
    "adults": "Adults linked to several children",
    "co_missing": "Groups of children missing together",
    "hotspots": "Hotspots",
}


@dataclass
class RefreshRow(RunProgress):
    timeout: timedelta = HEARTBEAT_TIMEOUT

    @property
    def records(self) -> str:
        """What the snapshot held ("5,000 people, 4,000 children, ..."), once it was read."""
        inputs = self.run.inputs or {}
        return ", ".join(
            f"{inputs[k]:,} {label}"
            for k, label in INPUT_LABELS.items()
            if isinstance(inputs.get(k), int)
        )

    @property
    def figures(self) -> list[tuple[str, int]]:
        figures = self.run.figures or {}
        return [(label, figures[k]) for k, label in FIGURE_LABELS.items() if k in figures]


def refresh_runs(user: User, *, page_number: Any) -> tuple[Page[Any], list[RefreshRow]]:
    require_candidates(user)
    page = Paginator(RefreshRun.objects.order_by("-started_at", "-pk"), PER_PAGE).get_page(
        page_number
    )
    last = (
        RefreshRun.objects.filter(status=RefreshStatus.SUCCEEDED, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )
    previous = (
        (last.finished_at - last.started_at).total_seconds() if last and last.finished_at else None
    )
    at = timezone.now()
    return page, [RefreshRow(r, at, previous=previous) for r in page]
