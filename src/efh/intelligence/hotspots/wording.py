"""Wording: each hotspot's plain-words reasons, and a harm type's name inside a sentence."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from efh.intelligence.hotspots.config import HotspotConfig

if TYPE_CHECKING:
    from efh.intelligence.hotspots.assembly import _Patch
    from efh.intelligence.hotspots.statistics import _Scan


def harm_label(labels: Mapping[str, str], code: str) -> str:
    """A harm type's name to use inside a sentence: the partnership's own name for it (``labels``,
    from its taxonomy, by code) with its first letter in lower case unless it starts an acronym,
    or the code with spaces when the taxonomy does not name it."""
    name = labels.get(code) or code.replace("_", " ")
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


def _day(d: date) -> str:
    return f"{d.day} {d.strftime('%B')} {d.year}"


def _span(a: date, b: date) -> str:
    if a.year == b.year:
        return f"between {a.day} {a.strftime('%B')} and {_day(b)}"
    return f"between {_day(a)} and {_day(b)}"


def _times(r: float) -> str:
    return f"{r:.0f}" if r >= 10 else f"{r:.1f}"


def _reasons(
    harm: str,
    n: int,
    n_episodes: int,
    radius: float,
    place_name: str | None,
    start: date,
    end: date,
    vs_borough: float | None,
    vs_usual: float | None,
    best: _Patch,
    scan: _Scan,
    n_cells: int,
    status: str,
    hot_windows: list[int],
    windows: list[tuple[datetime, datetime]],
    cfg: HotspotConfig,
) -> list[str]:
    label = harm_label(cfg.harm_labels, harm)
    where = f"within {radius:.0f} m of {place_name}" if place_name else f"within {radius:.0f} m"
    if harm == "missing":
        n_events = n - n_episodes
        what = f"{n_episodes} missing children found"
        if n_events:
            what += f" and {n_events} missing-related events"
    else:
        what = f"{n} {label} events"
    first = f"{what} {where} {_span(start, end)}"
    if vs_borough is not None:
        first += f", {_times(vs_borough)} times the borough average for that area size"
    first += f" (Gi* z {best.z:.1f}, p {best.p:.3f})"
    out = [first + "."]
    if vs_usual is not None:
        out.append(
            f"{_times(vs_usual)} times what the same {n_cells} map cells would expect in those "
            f"windows from their share of {label} over the rest of the last "
            f"{cfg.lookback_days} days."
        )
    out.append(
        f"Its busiest {2 * cfg.scan_rings + 1}-cell-wide patch had {scan.in_window} of its "
        f"{scan.total} {label} points of the last {cfg.lookback_days} days in one "
        f"{cfg.window_days}-day window, where {scan.expected:.0f} were expected from the "
        f"borough-wide share of that window (chance {_chance(scan.log10_p)})."
    )
    latest_start = windows[0][0].date()
    if status == "emerging":
        out.append(
            f"Emerging: significant in the latest {cfg.window_days}-day window "
            f"(from {_day(latest_start)}) and in no earlier window."
        )
    elif status == "persistent":
        out.append(
            f"Persistent: significant in the latest {cfg.window_days}-day window and in "
            f"{len(hot_windows) - 1} earlier overlapping windows, since {_day(windows[hot_windows[-1]][0].date())}."
        )
    else:
        out.append(
            f"Past: significant in {len(hot_windows)} {cfg.window_days}-day window"
            f"{'s' if len(hot_windows) > 1 else ''} up to {_day(windows[hot_windows[0]][1].date())}, "
            "not in the latest."
        )
    control = (
        f"Benjamini-Hochberg false discovery rate {cfg.alpha}"
        if cfg.fdr == "bh"
        else f"pseudo p <= {cfg.alpha}"
    )
    floors = [f"at least {cfg.min_events} events in a window"]
    if cfg.min_excess > 0:
        floors.append(f"{cfg.min_excess:g} above expectation")
    if cfg.min_ratio > 1:
        floors.append(f"{cfg.min_ratio:g} times expectation")
    if cfg.min_score > 0:
        floors.append(f"a cell with z of at least {cfg.min_score:g}")
    out.append(
        f"Method: Getis-Ord Gi* per map cell (esda, {cfg.permutations} permutations, {control}); "
        f"a hot area is kept only with {', '.join(floors)} and a chance below "
        f"{_chance(scan.threshold)} ({cfg.scan_alpha:g} shared among every patch and window "
        "tested for this harm type)."
    )
    return out


def _chance(log10_p: float) -> str:
    """A tail probability in words: "1 in 3.2 million"."""
    odds = 10.0 ** (-log10_p)
    if odds >= 1e9:
        return f"1 in 10^{-log10_p:.0f}"
    if odds >= 1e6:
        return f"1 in {odds / 1e6:.1f} million"
    return f"1 in {odds:,.0f}"
