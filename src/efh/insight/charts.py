"""SVG geometry for the intelligence pages' charts: pure presentation (no Django, no database).

The trend charts are drawn on the server as SVG (bars per month, one small chart per harm type)
for the template to render: a server-side picture needs no JavaScript, prints, and sits beside
the same numbers in a table.

Each chart has its own vertical scale (small multiples with independent axes: a harm type with
a dozen events a month is not drawn flat beside one with hundreds), rounded up to a "nice"
number with labelled gridlines, and both axes are labelled. The month the data stops in is
incomplete: its bar is drawn hollow with a dashed outline and labelled "so far", never as a
fall. Counts from 1 to 4 are drawn as a stub and labelled "fewer than 5".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

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

# In the SVG's own units; the chart scales to its column (about 300 to 480 pixels wide).
CHART_W, CHART_H = 360, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 48, 10, 12, 44


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    suppressed: bool
    incomplete: bool = False


@dataclass(frozen=True)
class BarChart:
    title: str
    width: int
    height: int
    top: int  # the highest count shown, 0 when every month is 0 or suppressed (scale: axis_max)
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # x position and month label
    baseline: float
    axis_max: int = 0
    y_ticks: list[tuple[float, str]] = field(default_factory=list)  # y position and count
    left: float = PAD_LEFT
    right: float = CHART_W - PAD_RIGHT
    y_label: str = "Events"
    x_label: str = "Month"
    incomplete_notes: list[str] = field(default_factory=list)

    @property
    def x_label_x(self) -> float:
        return round((self.left + self.right) / 2, 1)

    @property
    def y_label_y(self) -> float:
        return round((PAD_TOP + self.baseline) / 2, 1)


def month_label(month: str) -> str:
    """``2026-03`` (or ``2026-03-01``) as ``Mar 2026``."""
    try:
        year, m = month.split("-")[:2]
        return f"{MONTH_NAMES[int(m) - 1][:3]} {year}"
    except (ValueError, IndexError):
        return month


def day_label(d: date) -> str:
    return f"{d.day} {MONTH_NAMES[d.month - 1]} {d.year}"


def incomplete_note(data_to: date) -> str:
    return f"Incomplete month: data to {day_label(data_to)}"


FIRST_MONTH_NOTE = "Incomplete month: the data start part-way through it"


def nice_scale(top: int, *, intervals: int = 5) -> tuple[int, list[int]]:
    """A scale from 0 that holds ``top``: its maximum and gridline values, in the smallest step
    of 1, 2 or 5 times a power of ten that needs at most ``intervals`` steps
    (``nice_scale(37)`` is 0 to 40 by 10)."""
    if top <= 0:
        return 1, [0, 1]
    power = 1
    while True:
        for s in (1, 2, 5):
            step = s * power
            if math.ceil(top / step) <= intervals:
                axis_max = step * math.ceil(top / step)
                return axis_max, list(range(0, axis_max + 1, step))
        power *= 10


def month_key(month: str) -> str:
    """``2026-03-01`` or ``2026-03`` as ``2026-03``."""
    return month[:7]


def month_bar_chart(
    title: str,
    months: list[str],
    counts: dict[str, int],
    *,
    incomplete: Mapping[str, str] | None = None,
) -> BarChart:
    """Bars of ``counts`` by month (``YYYY-MM...``) on the chart's own 0-based scale.
    ``incomplete`` maps the months the data covers only in part (by ``YYYY-MM``) to a note
    saying how far ("Incomplete month: data to 4 December 2026"): drawn hollow, labelled "so
    far", and the note shown under the chart."""
    incomplete = incomplete or {}
    # The scale comes from the counts shown: a chart of suppressed months must not tell by its
    # axis how small they were (its scale is then 0 to 5).
    top = max((n for n in (counts.get(m, 0) for m in months) if not 1 <= n <= 4), default=0)
    axis_max, values = nice_scale(max(top, 5))
    inner_w = CHART_W - PAD_LEFT - PAD_RIGHT
    inner_h = CHART_H - PAD_TOP - PAD_BOTTOM
    baseline = PAD_TOP + inner_h
    step = inner_w / max(len(months), 1)
    every = max(1, math.ceil(len(months) / 4))
    ticks = [
        (round(PAD_LEFT + step * (i + 0.5), 1), month_label(m))
        for i, m in enumerate(months)
        if i % every == 0
    ]
    y_ticks = [(round(baseline - inner_h * v / axis_max, 1), f"{v:,}") for v in values]
    notes: list[str] = []
    bars = []
    for i, m in enumerate(months):
        n = counts.get(m, 0)
        hidden = 1 <= n <= 4
        note = incomplete.get(month_key(m))
        h = 3.0 if hidden else inner_h * n / axis_max
        label = f"{month_label(m)}: {SUPPRESSED if hidden else f'{n:,}'} events"
        if note is not None:
            label += f" so far ({note[:1].lower()}{note[1:]})"
            notes.append(f"{month_label(m)}: {note[:1].lower()}{note[1:]}")
        bars.append(
            Bar(
                x=round(PAD_LEFT + step * i + step * 0.1, 1),
                y=round(baseline - h, 1),
                width=round(step * 0.8, 1),
                height=round(h, 1),
                label=label,
                suppressed=hidden,
                incomplete=note is not None,
            )
        )
    return BarChart(
        title=title,
        width=CHART_W,
        height=CHART_H,
        top=top,
        bars=bars,
        ticks=ticks,
        baseline=baseline,
        axis_max=axis_max,
        y_ticks=y_ticks,
        incomplete_notes=notes,
    )
