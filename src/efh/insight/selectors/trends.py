"""The trend tables, and the harm-by-month table's small charts (geometry in
:mod:`efh.insight.charts`). Counts from 1 to 4 are suppressed ("fewer than 5") in charts and
tables alike, as published statistics do, so that small groups cannot be singled out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from efh.insight.charts import MONTH_NAMES, BarChart, month_bar_chart, month_label
from efh.insight.models import TrendTable
from efh.insight.policy import require_aggregates
from efh.insight.selectors.common import (
    Provenance,
    _dict,
    _int,
    _list,
    harm_names,
    latest_run,
    provenance,
    suppress,
    ward_names,
)

if TYPE_CHECKING:
    from efh.accounts.models import User

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


def _cell(column: str, value: Any, harms: dict[str, str], wards: dict[str, str]) -> Any:
    if value is None:
        return ""
    if column == "harm_type":
        return harms.get(str(value), value)
    if column == "ward":
        return wards.get(str(value), value)
    if column == "month" and isinstance(value, str):
        return month_label(value)
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
    """One bar chart per harm type, events by month, busiest harm type first."""
    by_harm: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        code, month, events = str(r.get("harm_type") or ""), r.get("month"), _int(r.get("events"))
        if code and isinstance(month, str) and events is not None:
            by_harm[code][month] = by_harm[code].get(month, 0) + events
    months = sorted({m for per in by_harm.values() for m in per})
    if not months:
        return []
    top = max(max(per.values()) for per in by_harm.values()) or 1
    return [
        month_bar_chart(harms.get(code, code), months, by_harm[code], top=top)
        for code in sorted(by_harm, key=lambda c: -sum(by_harm[c].values()))
    ]


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
