"""Assembly: the windows, the Gi* and scan tests per harm type and window, the patches merged
into hotspots with their centre, radius, place, ward, status and reasons (``hotspots``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import polars as pl
from scipy.spatial import cKDTree

from efh.intelligence.frames import Snapshot
from efh.intelligence.hotspots.config import SCHEMA, STATUSES, HotspotConfig
from efh.intelligence.hotspots.grid import _bin, _disks, _Grid, _grid, points, to_bng, to_wgs84
from efh.intelligence.hotspots.statistics import (
    _bh,
    _components,
    _dispersion,
    _GiStar,
    _log10_binom_sf,
    _Scan,
    _UnionFind,
)
from efh.intelligence.hotspots.wording import _reasons

_DAY_US = 86_400 * 1_000_000


@dataclass
class _Patch:
    harm: str
    window: int  # 0 = latest
    cells: np.ndarray  # global grid indices
    z: float
    p: float
    count: int
    expected: float
    scan: _Scan


def _windows(as_of: datetime, cfg: HotspotConfig) -> list[tuple[datetime, datetime]]:
    """(start, end] of each window, latest first."""
    out = []
    earliest = as_of - timedelta(days=cfg.lookback_days)
    k = 0
    while True:
        end = as_of - timedelta(days=k * cfg.step_days)
        start = end - timedelta(days=cfg.window_days)
        if start < earliest:
            break
        out.append((start, end))
        k += 1
    return out


def _empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def hotspots(snapshot: Snapshot, config: HotspotConfig | None = None) -> pl.DataFrame:
    """Hotspots per harm type with status, period, place and reasons; see the module docstring.

    ``snapshot`` is an ``efh.intelligence.frames.Snapshot`` (events, missing, places, as_of are
    read). Returns one row per hotspot with the columns of ``SCHEMA``.
    """
    cfg = config or HotspotConfig()
    as_of: datetime = snapshot.as_of
    pts = points(snapshot.events, snapshot.missing, snapshot.places)
    earliest = as_of - timedelta(days=cfg.lookback_days)
    pts = pts.filter((pl.col("at") > earliest) & (pl.col("at") <= as_of))
    windows = _windows(as_of, cfg)
    if pts.height == 0 or not windows:
        return _empty()
    pts = _bin(pts, cfg.resolution)
    occupied = pts["cell"].unique().sort().to_list()
    grid = _grid(occupied, cfg.neighbour_m)
    index = pl.DataFrame({"cell": grid.cells, "ci": np.arange(len(grid.cells), dtype=np.int64)})
    pts = pts.join(index, on="cell", how="left").with_columns(
        days=(
            (pl.lit(as_of).cast(pl.Datetime("us")) - pl.col("at")).dt.total_microseconds() / _DAY_US
        )
    )
    n_cells = len(grid.cells)
    L = float(cfg.window_days)
    disks = _disks(grid, cfg.scan_rings)

    patches: list[_Patch] = []
    area_size: dict[str, int] = {}
    for harm in sorted(pts["harm_type"].unique().to_list()):
        hp = pts.filter(pl.col("harm_type") == harm)
        ci = hp["ci"].to_numpy()
        days = hp["days"].to_numpy()
        # The harm type's study area: its cells and their neighbours, as local indices.
        own = np.unique(ci)
        local_set = set(own.tolist())
        for c in own.tolist():
            local_set.update(grid.neighbours[c].tolist())
        local = np.array(sorted(local_set), dtype=np.int64)
        area_size[harm] = len(local)
        to_local = np.full(n_cells, -1, dtype=np.int64)
        to_local[local] = np.arange(len(local))
        nb_local = [to_local[grid.neighbours[g]] for g in local.tolist()]
        nb_local = [n[n >= 0] for n in nb_local]
        gi: _GiStar | None = None
        total = np.bincount(to_local[ci], minlength=len(local)).astype(float)
        disk = disks[local][:, local].tocsr()
        disk_total = disk @ total
        n_windows = sum(
            1
            for k in range(len(windows))
            if int(((days >= k * cfg.step_days) & (days < k * cfg.step_days + L)).sum())
            >= cfg.min_points
        )
        # Bonferroni over this harm type's (disk, window) tests.
        threshold = math.log10(cfg.scan_alpha / max(len(local) * n_windows, 1))
        for k, _ in enumerate(windows):
            in_win = (days >= k * cfg.step_days) & (days < k * cfg.step_days + L)
            if int(in_win.sum()) < cfg.min_points:
                continue
            count = np.bincount(to_local[ci[in_win]], minlength=len(local)).astype(float)
            if cfg.baseline == "own_history":
                # Kulldorff's space-time expectation, leaving the window out: the cell's share
                # of the harm type's points outside the window, times the window's points.
                # Seasonality and borough-wide trends cancel; only local surges remain.
                outside = total - count
                expected = outside * (count.sum() / max(outside.sum(), 1.0))
                y = np.maximum(count - expected, 0.0)
            else:
                expected = np.full(len(local), count.sum() / len(local))
                y = count
            if y.sum() <= 0 or np.all(y == y[0]):
                continue
            if gi is None:
                gi = _GiStar(nb_local, cfg.permutations, cfg.seed)
            z, p = gi(y, cfg.z_screen)
            if cfg.fdr == "bh":
                hot = _bh(np.where(z > 0, p, 1.0), cfg.alpha) & (z > 0)
            else:
                hot = (p <= cfg.alpha) & (z > 0)
            if not hot.any():
                continue
            # A hot cell says its neighbourhood is hot: add the touching cells that carry the
            # excess (under conditional permutation a lone busy cell is not itself significant,
            # its neighbours are).
            members = hot.copy()
            for c in np.nonzero(hot)[0].tolist():
                nb = nb_local[c]
                members[nb[y[nb] > 0]] = True
            # The scan test of every disk: given a disk's points over the whole lookback, how
            # many fall in this window is Binomial(total, share) when nothing local happened
            # (share: the window's fraction of the harm type's points).
            share = count.sum() / max(total.sum(), 1.0)
            disk_count = disk @ count
            log_p = np.zeros(len(local))
            busy = disk_count > 0
            if 0 < share < 1:
                phi = _dispersion(disk_count, disk_total, share)
                log_p[busy] = _log10_binom_sf(disk_count[busy] / phi, disk_total[busy] / phi, share)
            for comp in _components(np.nonzero(members)[0], nb_local):
                n = int(count[comp].sum())
                e = float(expected[comp].sum())
                if n < cfg.min_events:
                    continue
                if cfg.baseline == "own_history" and (
                    n < cfg.min_ratio * e or float(y[comp].sum()) < cfg.min_excess
                ):
                    continue
                strongest = comp[int(np.argmin(log_p[comp]))]
                if log_p[strongest] > threshold:
                    continue
                inner = comp[hot[comp]]
                best = inner[int(np.argmax(z[inner]))]
                if z[best] < cfg.min_score:
                    continue
                scan = _Scan(
                    log10_p=float(log_p[strongest]),
                    in_window=int(disk_count[strongest]),
                    total=int(disk_total[strongest]),
                    expected=float(disk_total[strongest] * share),
                    threshold=threshold,
                )
                patches.append(
                    _Patch(harm, k, local[comp], float(z[best]), float(p[best]), n, e, scan)
                )
    if not patches:
        return _empty()
    return _assemble(patches, pts, grid, windows, area_size, snapshot, cfg)


def _touch(a: np.ndarray, b: np.ndarray, grid: _Grid) -> bool:
    sb = set(b.tolist())
    return any(c in sb or sb.intersection(grid.neighbours[c].tolist()) for c in a.tolist())


def _assemble(
    patches: list[_Patch],
    pts: pl.DataFrame,
    grid: _Grid,
    windows: list[tuple[datetime, datetime]],
    area_size: dict[str, int],
    snapshot: Snapshot,
    cfg: HotspotConfig,
) -> pl.DataFrame:
    uf = _UnionFind(len(patches))
    overlap = math.ceil(cfg.window_days / cfg.step_days)  # windows this far apart still overlap
    for i, a in enumerate(patches):
        for j in range(i + 1, len(patches)):
            b = patches[j]
            if a.harm != b.harm or abs(a.window - b.window) >= overlap:
                continue
            if _touch(a.cells, b.cells, grid):
                uf.union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(len(patches)):
        groups.setdefault(uf.find(i), []).append(i)

    places = snapshot.places.filter(
        pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null()
    )
    px, py = to_bng(places["longitude"].to_numpy(), places["latitude"].to_numpy())
    place_tree = cKDTree(np.column_stack([px, py])) if places.height else None
    place_keys = places["place"].to_list()
    place_names = places["name"].to_list()

    # A map (harm, window) -> cells hot in it, per group, selects the group's points.
    rows: list[dict[str, object]] = []
    for members in groups.values():
        ps = [patches[i] for i in members]
        harm = ps[0].harm
        sel_parts = []
        for pa in ps:
            lo = pa.window * cfg.step_days
            sel_parts.append(
                pl.col("ci").is_in(pa.cells.tolist())
                & (pl.col("days") >= lo)
                & (pl.col("days") < lo + cfg.window_days)
            )
        cond = sel_parts[0]
        for s in sel_parts[1:]:
            cond = cond | s
        gp = pts.filter((pl.col("harm_type") == harm) & cond)
        if gp.height == 0:
            continue
        x = gp["x"].to_numpy()
        y = gp["y"].to_numpy()
        cx, cy = float(x.mean()), float(y.mean())
        dist = np.hypot(x - cx, y - cy)
        radius = max(float(np.quantile(dist, cfg.radius_quantile)), grid.edge_m)
        lon, lat = to_wgs84(np.array([cx]), np.array([cy]))
        place = place_name = None
        if place_tree is not None:
            d, j = place_tree.query([cx, cy])
            if d <= radius:
                place, place_name = place_keys[int(j)], place_names[int(j)]
        wards = gp.filter(pl.col("ward") != "")["ward"]
        ward = None
        if wards.len():
            vc = wards.value_counts(sort=True)
            ward = str(vc.sort(["count", "ward"], descending=[True, False])["ward"][0])
        hot_windows = sorted({pa.window for pa in ps})
        latest = hot_windows[0] == 0
        earlier = any(k >= math.ceil(cfg.window_days / cfg.step_days) for k in hot_windows)
        status = ("persistent" if earlier else "emerging") if latest else "past"
        best = max(ps, key=lambda pa: pa.z)
        strongest = min(ps, key=lambda pa: pa.scan.log10_p).scan
        cells = sorted({grid.cells[c] for pa in ps for c in pa.cells.tolist()})
        event_ids = gp["event_id"].drop_nulls().unique().sort().to_list()
        episode_ids = gp["episode_id"].drop_nulls().unique().sort().to_list()
        n_points = len(event_ids) + len(episode_ids)
        first_at: datetime = gp["at"].min()  # type: ignore[assignment]
        last_at: datetime = gp["at"].max()  # type: ignore[assignment]
        start, end = first_at.date(), last_at.date()
        w_start = windows[hot_windows[-1]][0].date()
        w_end = windows[hot_windows[0]][1].date()
        # Borough average for an area this size over the same days: all of this harm type's
        # points in its study area during [start, end], per cell, times the hotspot's cells.
        span_lo = (snapshot.as_of - last_at).total_seconds() / 86_400
        span_hi = (snapshot.as_of - first_at).total_seconds() / 86_400
        hd = pts.filter(pl.col("harm_type") == harm)["days"].to_numpy()
        in_span = int(((hd >= span_lo) & (hd <= span_hi)).sum())
        avg = in_span / max(area_size[harm], 1) * len(cells)
        usual = sum(pa.expected for pa in ps) / max(sum(pa.count for pa in ps), 1) * n_points
        rows.append(
            {
                "harm_type": harm,
                "status": status,
                "start": start,
                "end": end,
                "window_start": w_start,
                "window_end": w_end,
                "latitude": float(lat[0]),
                "longitude": float(lon[0]),
                "radius_m": round(radius, 1),
                "cells": cells,
                "score": round(best.z, 3),
                "p_value": best.p,
                "events": n_points,
                "event_ids": event_ids,
                "episode_ids": episode_ids,
                "place": place,
                "place_name": place_name,
                "ward": ward,
                "reasons": _reasons(
                    harm,
                    n_points,
                    len(episode_ids),
                    radius,
                    place_name,
                    start,
                    end,
                    n_points / avg if avg > 0 else None,
                    n_points / usual if usual > 0 and cfg.baseline == "own_history" else None,
                    best,
                    strongest,
                    len(cells),
                    status,
                    hot_windows,
                    windows,
                    cfg,
                ),
            }
        )
    if not rows:
        return _empty()
    out = pl.DataFrame(rows, schema={k: v for k, v in SCHEMA.items() if k != "hotspot"})
    status_order = pl.col("status").replace_strict(
        {s: i for i, s in enumerate(STATUSES)}, return_dtype=pl.Int64
    )
    out = out.sort(
        [status_order, "harm_type", "score", "start"], descending=[False, False, True, False]
    ).with_columns(hotspot=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    return out.select(list(SCHEMA))
