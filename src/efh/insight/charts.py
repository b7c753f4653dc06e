"""SVG geometry for the intelligence pages' charts: pure presentation (no Django, no database).

The trend charts are drawn on the server as SVG (bars per month, one small chart per harm type)
for the template to render: a server-side picture needs no JavaScript, prints, and sits beside
the same numbers in a table.
"""

from __future__ import annotations

from dataclasses import dataclass

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


CHART_W, CHART_H, CHART_PAD = 640, 170, 34


def month_label(month: str) -> str:
    try:
        year, m = month.split("-")[:2]
        return f"{MONTH_NAMES[int(m) - 1][:3]} {year}"
    except (ValueError, IndexError):
        return month


def month_bar_chart(title: str, months: list[str], counts: dict[str, int], *, top: int) -> BarChart:
    """Bars of ``counts`` by month (``YYYY-MM...``) on a 0 to ``top`` scale; counts from 1 to 4
    drawn as a stub and labelled "fewer than 5"."""
    inner_w = CHART_W - 2 * CHART_PAD
    inner_h = CHART_H - 2 * CHART_PAD
    step = inner_w / len(months)
    every = max(1, len(months) // 6)
    ticks = [
        (CHART_PAD + step * (i + 0.5), month_label(m))
        for i, m in enumerate(months)
        if i % every == 0
    ]
    bars = []
    for i, m in enumerate(months):
        n = counts.get(m, 0)
        hidden = 1 <= n <= 4
        h = 3.0 if hidden else inner_h * n / top
        bars.append(
            Bar(
                x=round(CHART_PAD + step * i + step * 0.1, 1),
                y=round(CHART_PAD + inner_h - h, 1),
                width=round(step * 0.8, 1),
                height=round(h, 1),
                label=f"{month_label(m)}: {SUPPRESSED if hidden else n} events",
                suppressed=hidden,
            )
        )
    return BarChart(
        title=title,
        width=CHART_W,
        height=CHART_H,
        top=top,
        bars=bars,
        ticks=ticks,
        baseline=CHART_PAD + inner_h,
    )
