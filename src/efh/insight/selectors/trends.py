"""The trend tables, and the harm-by-month table's small charts (geometry in
:mod:`efh.insight.charts`). Counts from 1 to 4 are suppressed ("fewer than 5") in charts and
tables alike, as published statistics do, so that small groups cannot be singled out."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from efh.insight.charts import (
    FIRST_MONTH_NOTE,
    MONTH_NAMES,
    BarChart,
    day_label,
    incomplete_note,
    month_bar_chart,
    month_key,
    month_label,
)
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
from efh.people.models import Ethnicity, Sex

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
    incomplete: list[str] = field(default_factory=list)  # notes on months only partly covered
    not_drawn: str = ""  # why the charts stop before the table does


@dataclass
class Trends:
    run: Provenance | None
    tables: list[Table]


ETHNICITY_NAMES = dict(Ethnicity.choices)
SEX_NAMES = dict(Sex.choices)


def ethnicity_name(code: Any) -> Any:
    """An ethnicity code (ONS 2021, ``A1`` to ``O2``) as its category's name; anything else
    (``Not known``, a code the platform does not know) as given."""
    return ETHNICITY_NAMES.get(str(code), code)


def _datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _months(rows: Iterable[dict[str, Any]]) -> set[str]:
    return {m for m in (r.get("month") for r in rows) if isinstance(m, str)}


@dataclass(frozen=True)
class Coverage:
    """How far the data go: the months covered only in part (by ``YYYY-MM``, each with its
    note), and the last month with records (``last``; later months have no records yet and are
    not drawn, so that they do not look like a fall to nothing)."""

    incomplete: dict[str, str] = field(default_factory=dict)
    last: str | None = None
    data_to: date | None = None

    def note(self, month: str) -> str | None:
        key = month_key(month)
        if key in self.incomplete:
            return self.incomplete[key]
        if self.last is not None and self.data_to is not None and key > self.last:
            return f"No records yet: data to {day_label(self.data_to)}"
        return None

    def drawn(self, months: list[str]) -> list[str]:
        return [m for m in months if self.last is None or month_key(m) <= self.last]


def coverage(
    as_of: datetime | None, latest: datetime | None, rolling: Iterable[dict[str, Any]] = ()
) -> Coverage:
    """The data go to ``latest`` (the latest record, at or before the snapshot's ``as_of``;
    ``as_of`` itself when not known). Its month is incomplete unless ``latest`` is that month's
    last day; any month the trend tables mark incomplete (``complete`` false in the rolling
    table: the first month, when the data start after its first day) is too."""
    end = latest if latest is not None else as_of
    key = end.strftime("%Y-%m") if end is not None else None
    incomplete: dict[str, str] = {}
    for r in rolling:
        month = r.get("month")
        # The rolling table marks as_of's month incomplete too: only earlier ones count here.
        if (
            r.get("complete") is False
            and isinstance(month, str)
            and (key is None or month_key(month) < key)
        ):
            incomplete[month_key(month)] = FIRST_MONTH_NOTE
    if end is None or key is None:
        return Coverage(incomplete=incomplete)
    if (end + timedelta(days=1)).month == end.month:
        incomplete[key] = incomplete_note(end.date())
    return Coverage(incomplete=incomplete, last=key, data_to=end.date())


def _cell(
    column: str,
    value: Any,
    harms: dict[str, str],
    wards: dict[str, str],
    cover: Coverage | None = None,
) -> Any:
    if value is None:
        return ""
    if column == "harm_type":
        return harms.get(str(value), value)
    if column == "ward":
        return wards.get(str(value), value)
    if column == "ethnicity":
        return ethnicity_name(value)
    if column == "sex":
        return SEX_NAMES.get(str(value), value)
    if column == "month" and isinstance(value, str):
        note = cover.note(value) if cover else None
        if note:
            return f"{month_label(value)} ({note[:1].lower()}{note[1:]})"
        return month_label(value)
    if column == "month_of_year" and _int(value) and 1 <= (_int(value) or 0) <= 12:
        return MONTH_NAMES[(_int(value) or 1) - 1]
    if column in ("suppressed", "complete") and isinstance(value, bool):
        return "Yes" if value else "No"
    if column in COUNT_COLUMNS:
        return suppress(value)
    if isinstance(value, float):
        return f"{value:.2f}"
    return value


def harm_month_charts(
    rows: list[dict[str, Any]], harms: dict[str, str], cover: Coverage | None = None
) -> list[BarChart]:
    """One bar chart per harm type, events by month, busiest harm type first; each on its own
    scale (small multiples), up to the last month with records, its incomplete months drawn
    as incomplete (``cover``)."""
    cover = cover or Coverage()
    by_harm: dict[str, dict[str, int]] = defaultdict(dict)
    for r in rows:
        code, month, events = str(r.get("harm_type") or ""), r.get("month"), _int(r.get("events"))
        if code and isinstance(month, str) and events is not None:
            by_harm[code][month] = by_harm[code].get(month, 0) + events
    months = cover.drawn(sorted({m for per in by_harm.values() for m in per}))
    if not months:
        return []
    return [
        month_bar_chart(harms.get(code, code), months, by_harm[code], incomplete=cover.incomplete)
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
    by_name = {t.name: [_dict(r) for r in _list(t.rows)] for t in found}
    latest = _datetime(_dict(run.inputs).get("latest_record")) if run else None
    cover = coverage(run.as_of if run else None, latest, by_name.get("rolling", []))
    tables = []
    for t in found:
        rows = by_name[t.name]
        keys: list[str] = []
        for r in rows:
            keys += [k for k in r if k not in keys]
        table = Table(
            name=t.name,
            title=TREND_TITLES.get(t.name, t.name.replace("_", " ").capitalize()),
            columns=[(k, COLUMN_LABELS.get(k, k.replace("_", " ").capitalize())) for k in keys],
            rows=[[_cell(k, r.get(k), harms, wards, cover) for k in keys] for r in rows],
        )
        if t.name == "harm_month":
            table.charts = harm_month_charts(rows, harms, cover)
            table.incomplete = table.charts[0].incomplete_notes if table.charts else []
            if cover.data_to and cover.last and any(m[:7] > cover.last for m in _months(rows)):
                table.not_drawn = (
                    f"The months after {day_label(cover.data_to)} have no records yet: "
                    "the charts stop there."
                )
        tables.append(table)
    return Trends(run=provenance(run), tables=tables)
