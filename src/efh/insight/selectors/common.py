"""What every intelligence screen shares: the latest refresh, names by code, defensive reads
of the refresh's JSON summaries, suppression of small counts and provenance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from efh.concerns.models import HarmType
from efh.contexts.models import Ward
from efh.insight.charts import SUPPRESSED
from efh.insight.models import RefreshRun, RefreshStatus

PER_PAGE = 50

INPUT_LABELS = {
    "persons": "People",
    "children": "Children",
    "events": "Events",
    "event_people": "People in events",
    "associations": "Recorded associations",
    "missing_episodes": "Missing episodes",
    "contacts": "Shared addresses and phone numbers",
}


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
