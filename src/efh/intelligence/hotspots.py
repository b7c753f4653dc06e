"""Locational hotspots: where events of one harm type cluster in space and time, and since when.

What ``hotspots(snapshot, config)`` does:

1. **Points.** Every event with a point, once per harm type it carries (an event tagged
   ``syv;cce`` counts for both), plus every missing episode's found location as harm type
   ``"missing"`` (timed at ``returned_at``, else ``went_missing_at``). Only points in the
   ``lookback_days`` (730) before ``snapshot.as_of`` are used.
2. **Grid.** Points are binned to H3 cells. All distances (neighbour distances between cells, a
   hotspot's radius, the nearest named place, the benchmark's matching) are measured on the
   British National Grid (EPSG:27700, via pyproj), never in degrees. The default resolution is
   10 (cells of ~0.015 km2, ~76 m edge), not 9: a Gi* neighbourhood is a cell and its six
   touching cells, which at resolution 9 spans ~1 km and dilutes a 150-400 m cluster into the
   busy background around it (measured: recall 0.4 at resolution 9 against 1.0 at 10).
3. **Study area.** The borough's study area is every cell holding any point (any harm type, the
   whole lookback) plus its touching cells; the zero cells at the edge keep the statistic honest
   about where nothing happened. Each Gi* run is restricted to its harm type's study area (cells
   holding a point of that harm type at any time in the lookback, plus their touching cells):
   cells where a harm type never occurs say nothing about where it clusters, and the smaller area
   keeps the permutations cheap.
4. **Windows.** Windows of ``window_days`` (91) stepping back by ``step_days`` (30) from
   ``as_of``, as long as they fit in the lookback (22 windows). A harm type x window with fewer
   than ``min_points`` (20) points is skipped: the statistic has nothing to work with.
5. **The variable.** Background events of common harm types cluster where children live, and
   Gi* on raw counts reports the same dense estates in every window. With
   ``baseline="own_history"`` (the default) each cell's value is its *excess* over its
   space-time expectation (Kulldorff's space-time permutation expectation, leaving the window
   out): ``expected = n_outside(cell) * n_window(all cells) / n_outside(all cells)``, value
   ``max(0, n_window(cell) - expected)``. A cell is then hot when it is busier than its own
   history predicts *and* so are its neighbours; seasonality and borough-wide trends cancel.
   ``baseline="none"`` runs Gi* on raw counts.
6. **Getis-Ord Gi*.** ``esda.G_Local(star=True)`` with binary weights (a cell and the cells whose
   BNG centres lie within ``neighbour_m``: its six touching cells) gives every cell's z;
   conditional permutation inference (``permutations``, 999, fixed ``seed``) gives the pseudo
   p-values, computed through esda's own routine only for cells with z > ``z_screen`` (see
   ``_GiStar``: identical p-values, a tenth of the time without numba).
7. **Hot cells and multiple testing.** A cell is hot when z > 0 and pseudo p <= ``alpha`` (0.01).
   Thousands of cells x 22 windows x 17 harm types are tested, so the per-cell test alone would
   report dozens of chance clusters; the control is at the level of the reported patch. A patch
   (touching hot cells, plus the touching cells that carry excess, since under conditional
   permutation a lone busy cell is not itself significant, its neighbours are) is kept only when
   it holds at least ``min_events`` (10) points in the window and passes the **scan test**: some
   cell of the patch has a disk (the cells within ``scan_rings``, 2, steps: 19 cells, ~300 m
   across) whose window count is improbable given that disk's own count over the whole lookback.
   Under "nothing local happened" (Kulldorff's space-time permutation null) a disk's window
   count is Binomial(its lookback count, the window's share of the harm type's points); its
   tail probability must be at most ``scan_alpha`` (0.05) / (cells in the harm type's study
   area x windows run), a Bonferroni bound over the run's (disk, window) tests (about 1e-6 at
   60,000 children; conservative, since neighbouring disks and overlapping windows share
   points). The expectation's own noise is in the test (it conditions on the lookback count)
   and so is the volume of background: the same rule serves a 6,000-child borough and a
   60,000-child one at one or 5.7 times the usual activity, with no per-size constants. Events
   copied in bulk vary more than a binomial allows; the counts are divided by their measured
   dispersion (``_dispersion``, 1 on real deliveries) so that copies do not pass as clusters.
   Measured (``bench/hotspots.py``): 60,000 children seeds 2024, 7 and 11: 10/10 planted found,
   0 reported not planted; 6,000 children seeds 3 and 5: 3/3, 0; seed 2024 at 5.7 times the
   activity: 6/10, 0. At 5.7 times the activity the planted hotspots (~67 events each) sit in
   5.7 times the background: two of them are not detectable by any rule (even the exact planted
   circle and period give tail probabilities of only 6e-4 and 1e-5, against a chance maximum
   around 1e-6 over the tests run) and two more lie at the chance ceiling. ``min_ratio``,
   ``min_excess`` (own-history) and ``min_score`` (Gi* z) are optional extra floors, off by
   default. Benjamini-Hochberg per run is available for the cells (``fdr="bh"``) but with 999
   permutations the smallest pseudo p is 0.001, so on ~2,000 cells BH can pass nothing.
8. **Merging.** Patches of the same harm type in overlapping windows whose cells share or touch
   merge into one hotspot (union-find). A hotspot's points are its harm type's points in its
   cells during the windows in which those cells were hot; ``start``/``end`` are its first and
   last point, ``window_start``/``window_end`` the span of those windows; the centre is the mean
   of its points (BNG, returned as WGS84), ``radius_m`` the ``radius_quantile`` (0.9) of their
   distances from it, at least one hexagon edge; ``place`` the nearest named place within the
   radius; ``ward`` the most common non-empty ward of its points; ``score`` its highest Gi* z
   and ``p_value`` that cell's pseudo p.
9. **Status.** ``emerging``: hot in the latest window (the one ending at ``as_of``) and in no
   window that ends before the latest one begins, i.e. it became hot within the last
   ``window_days``; ``persistent``: hot in the latest window and in such an earlier window too;
   ``past``: not hot in the latest window.

Each hotspot is a candidate for an analyst to review, with plain-words reasons; nothing here
scores a person. Hand-written parts (the expectation, the patch filters and merging, the status,
the reasons) are glue that neither esda nor libpysal provides.

The benchmarks' matching rule (a planted hotspot is found when a reported one of the same harm
type lies within ``max(the two radii added, 400 m)`` on the BNG and their periods overlap) is
``match_hotspots`` in ``bench/intel_frames.py``: the platform never reads planted data.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

import h3
import numpy as np
import polars as pl
from esda import G_Local
from esda.crand import compute_chunk, vec_permutations
from esda.getisord import _g_local_star_crand
from libpysal.weights import W
from pyproj import Transformer
from scipy import sparse, special, stats
from scipy.spatial import cKDTree

from efh.intelligence.frames import Snapshot


def harm_label(labels: Mapping[str, str], code: str) -> str:
    """A harm type's name to use inside a sentence: the partnership's own name for it (``labels``,
    from its taxonomy, by code) with its first letter in lower case unless it starts an acronym,
    or the code with spaces when the taxonomy does not name it."""
    name = labels.get(code) or code.replace("_", " ")
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


STATUSES = ("emerging", "persistent", "past")

SCHEMA: dict[str, pl.DataType] = {
    "hotspot": pl.Int64(),
    "harm_type": pl.String(),
    "status": pl.String(),
    "start": pl.Date(),
    "end": pl.Date(),
    "window_start": pl.Date(),
    "window_end": pl.Date(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "radius_m": pl.Float64(),
    "cells": pl.List(pl.String()),
    "score": pl.Float64(),
    "p_value": pl.Float64(),
    "events": pl.Int64(),
    "event_ids": pl.List(pl.Int64()),
    "episode_ids": pl.List(pl.Int64()),
    "place": pl.String(),
    "place_name": pl.String(),
    "ward": pl.String(),
    "reasons": pl.List(pl.String()),
}

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
_TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
_DAY_US = 86_400 * 1_000_000


@dataclass(frozen=True)
class HotspotConfig:
    resolution: int = 10  # H3 resolution (10: cells of about 0.015 km2, ~76 m edge)
    window_days: int = 91
    step_days: int = 30
    lookback_days: int = 730  # windows cover this many days up to as_of
    permutations: int = 999
    seed: int = 20240
    alpha: float = 0.01  # per-cell level (fdr="none") or per-run false discovery rate ("bh")
    fdr: Literal["bh", "none"] = "none"
    baseline: Literal["own_history", "none"] = "own_history"
    min_points: int = 20  # skip a harm type x window with fewer points
    min_events: int = 10  # a patch needs this many points in the window
    # ... and a disk of ``scan_rings`` rings around one of its cells whose window count has a
    # conditional (space-time permutation) tail probability <= scan_alpha / (cells x windows)
    scan_alpha: float = 0.05
    scan_rings: int = 2  # ring-2 disks: 19 cells, ~300 m across at resolution 10
    # Optional extra floors, off by default (the scan test scales with the background itself):
    min_ratio: float = 1.0  # patch count at least this many times its expectation
    min_excess: float = 0.0  # ... and at least this many points above it
    min_score: float = 0.0  # ... and a hot cell with Gi* z at least this
    neighbour_m: float | None = None  # default: 1.25 x the centre spacing of touching cells
    radius_quantile: float = 0.9
    z_screen: float = 1.0  # permutations only for cells with analytic Gi* z above this
    # The partnership's names for harm types, by code (efh refresh passes its taxonomy's).
    harm_labels: Mapping[str, str] = field(default_factory=dict)


# --- points and grid ------------------------------------------------------------------------


def points(
    snapshot_events: pl.DataFrame, missing: pl.DataFrame, places: pl.DataFrame
) -> pl.DataFrame:
    """One row per (event, harm type) with a point, plus missing episodes' found locations.

    Columns: harm_type, at (datetime), latitude, longitude, event_id (null for episodes),
    episode_id (null for events), ward ("" when unknown).
    """
    ev = (
        snapshot_events.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
        .select(
            "event_id",
            at=pl.col("occurred_at"),
            latitude="latitude",
            longitude="longitude",
            ward=pl.col("ward").fill_null(""),
            harm_type=pl.col("harm_types").list.unique(),
        )
        .explode("harm_type")
        .filter(pl.col("harm_type").is_not_null() & (pl.col("harm_type") != ""))
        .with_columns(episode_id=pl.lit(None, dtype=pl.Int64))
    )
    ward_of = places.select(found_place="place", ward=pl.col("ward").fill_null(""))
    ms = (
        missing.filter(
            pl.col("found_latitude").is_not_null() & pl.col("found_longitude").is_not_null()
        )
        .join(ward_of.unique("found_place"), on="found_place", how="left")
        .select(
            event_id=pl.lit(None, dtype=pl.Int64),
            at=pl.coalesce("returned_at", "went_missing_at"),
            latitude="found_latitude",
            longitude="found_longitude",
            ward=pl.col("ward").fill_null(""),
            harm_type=pl.lit("missing"),
            episode_id="episode_id",
        )
        .filter(pl.col("at").is_not_null())
    )
    cols = ["harm_type", "at", "latitude", "longitude", "event_id", "episode_id", "ward"]
    return pl.concat([ev.select(cols), ms.select(cols)])


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_BNG.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BNG easting/northing -> (longitude, latitude)."""
    lon, lat = _TO_WGS.transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _bin(pts: pl.DataFrame, resolution: int) -> pl.DataFrame:
    """Add x, y (BNG metres) and cell (H3 id) to each point; each distinct coordinate once."""
    coords = pts.select("latitude", "longitude").unique()
    lat = coords["latitude"].to_numpy()
    lon = coords["longitude"].to_numpy()
    x, y = to_bng(lon, lat)
    cells = [
        h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)
    ]
    coords = coords.with_columns(
        x=pl.Series(x), y=pl.Series(y), cell=pl.Series(cells, dtype=pl.String)
    )
    return pts.join(coords, on=["latitude", "longitude"], how="left")


@dataclass(frozen=True)
class _Grid:
    cells: list[str]  # the study area, sorted
    x: np.ndarray  # BNG centres
    y: np.ndarray
    neighbours: list[np.ndarray]  # per cell: indices of cells within neighbour_m (not itself)
    spacing_m: float  # distance between the centres of touching cells
    edge_m: float  # hexagon edge (= circumradius)


def _grid(occupied: list[str], neighbour_m: float | None) -> _Grid:
    area: set[str] = set()
    for c in occupied:
        area.update(h3.grid_disk(c, 1))
    cells = sorted(area)
    latlng = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
    x, y = to_bng(latlng[:, 1], latlng[:, 0])
    # The spacing of touching cells, measured on the BNG around the first occupied cell.
    c0 = occupied[0]
    ring = list(h3.grid_ring(c0, 1))
    rl = np.array([h3.cell_to_latlng(c) for c in [c0, *ring]])
    rx, ry = to_bng(rl[:, 1], rl[:, 0])
    spacing = float(np.median(np.hypot(rx[1:] - rx[0], ry[1:] - ry[0])))
    band = neighbour_m if neighbour_m is not None else 1.25 * spacing
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(band, output_type="ndarray")
    nb: list[list[int]] = [[] for _ in cells]
    for i, j in pairs.tolist():
        nb[i].append(j)
        nb[j].append(i)
    return _Grid(
        cells=cells,
        x=x,
        y=y,
        neighbours=[np.array(sorted(n), dtype=np.int64) for n in nb],
        spacing_m=spacing,
        edge_m=spacing / math.sqrt(3.0),
    )


# --- statistics -----------------------------------------------------------------------------


def _bh(p: np.ndarray, alpha: float) -> np.ndarray:
    """Benjamini-Hochberg step-up: which of the m p-values are discoveries at FDR ``alpha``."""
    m = len(p)
    if m == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(p, kind="stable")
    passed = p[order] <= alpha * np.arange(1, m + 1) / m
    out = np.zeros(m, dtype=bool)
    if passed.any():
        k = int(np.max(np.nonzero(passed)[0]))
        out[order[: k + 1]] = True
    return out


class _GiStar:
    """Gi* (esda) on one harm type's study area, reused across its windows.

    ``esda.G_Local(permutations=0)`` gives every cell's analytic z. The conditional permutations
    (the pseudo p-values) are then run only for cells whose z exceeds ``z_screen``, through
    esda's own routine (``esda.crand.compute_chunk`` with esda's Gi* statistic and the same
    seeded permutation table ``G_Local`` draws), so those p-values are exactly what
    ``G_Local(permutations=...)`` returns for them. A cell with z <= ``z_screen`` cannot be hot
    (hot needs z > 0 and p <= alpha; the permutation null of a neighbourhood sum is right-skewed,
    so its pseudo p is above the normal tail of its z) and gets p = 1. Without numba the full run
    costs ~0.2 s per window on ~2,000 cells; the screened one a tenth of that.
    """

    def __init__(self, neighbours: list[np.ndarray], permutations: int, seed: int) -> None:
        n = len(neighbours)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Binary weights with the self-weight set: Gi* (star) as esda expects it.
            self.w = W(
                {i: [i, *neighbours[i].tolist()] for i in range(n)},
                id_order=list(range(n)),
                silence_warnings=True,
            )
        self.card = np.array([len(nb) for nb in neighbours], dtype=np.int64)
        self.self_w = np.ones(n, dtype=float)
        self.permutations = permutations
        self.seed = seed
        self._ids: np.ndarray | None = None

    def ids(self) -> np.ndarray:
        if self._ids is None:
            max_card = max(int(self.card.max()), 1)
            self._ids = vec_permutations(max_card, len(self.card), self.permutations, self.seed)
        return self._ids

    def __call__(self, y: np.ndarray, z_screen: float) -> tuple[np.ndarray, np.ndarray]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = G_Local(y, self.w, transform="B", permutations=0, star=True, n_jobs=1)
        z = np.nan_to_num(np.asarray(g.Zs, dtype=float), nan=0.0)
        p = np.ones(len(y), dtype=float)
        if not self.permutations:
            p = np.asarray(stats.norm.sf(z), dtype=float)
            return z, p
        gs = np.asarray(g.Gs, dtype=float)
        ids = self.ids()
        scaling = float(y.sum())
        for i in np.nonzero(z > z_screen)[0].tolist():
            c = int(self.card[i])
            p_i, _ = compute_chunk(
                i,
                y[i : i + 1],
                y,
                gs[i : i + 1],
                self.card[i : i + 1],
                self.self_w[i : i + 1],
                np.ones(c, dtype=float),
                ids,
                scaling,
                False,
                _g_local_star_crand,
                0.0,
                "directed",
            )
            p[i] = float(p_i[0])
        return z, p


def _components(members: np.ndarray, neighbours: list[np.ndarray]) -> list[np.ndarray]:
    """Connected groups of the given (local) cell indices under the neighbour relation."""
    inside = set(members.tolist())
    seen: set[int] = set()
    out: list[np.ndarray] = []
    for start in members.tolist():
        if start in seen:
            continue
        stack, comp = [start], []
        seen.add(start)
        while stack:
            c = stack.pop()
            comp.append(c)
            for n in neighbours[c].tolist():
                if n in inside and n not in seen:
                    seen.add(n)
                    stack.append(n)
        out.append(np.array(sorted(comp), dtype=np.int64))
    return out


@dataclass(frozen=True)
class _Scan:
    """The patch's strongest disk: its window count against its lookback count."""

    log10_p: float  # log10 of the conditional binomial tail probability
    in_window: int  # the disk's points in the window
    total: int  # the disk's points in the whole lookback
    expected: float  # total x the window's share of the harm type's points
    threshold: float  # log10 of the p-value a disk had to reach in this run


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


def _disks(grid: _Grid, rings: int) -> sparse.csr_matrix:
    """Cell x cell 0/1 matrix: row i marks the cells within ``rings`` steps of cell i."""
    n = len(grid.cells)
    rows = np.repeat(np.arange(n), [len(nb) for nb in grid.neighbours])
    cols = np.concatenate(list(grid.neighbours)) if n else np.zeros(0, dtype=np.int64)
    step = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    step = step + sparse.identity(n, format="csr")
    disk = sparse.identity(n, format="csr")
    for _ in range(max(rings, 0)):
        disk = ((disk @ step) > 0).astype(np.float64).tocsr()
    return disk


def _log10_binom_sf(k: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    """log10 P(X >= k) for X ~ Binomial(n, q), elementwise (0 < k <= n, not necessarily whole:
    the regularised incomplete beta I_q(k, n - k + 1), which equals the tail for whole k, n)."""
    tail = special.betainc(k, n - k + 1.0, q)
    return np.log10(np.maximum(np.asarray(tail, dtype=float), 1e-300))


def _dispersion(count: np.ndarray, total: np.ndarray, q: float) -> float:
    """How much more the disks' window counts vary than the binomial null allows (>= 1).

    The median of the squared Pearson residuals over disks expecting at least 10 points (below
    that the discrete counts bias the median upwards), over the median of a chi-square with
    one degree of freedom (0.455): robust to the few real clusters; 1 when fewer than 30 disks
    qualify. Real deliveries measure 1.0-1.2; events copied in bulk (duplicated records, the
    benchmark's scaled snapshots) measure 3-4, and the scan test divides counts by it.
    """
    mean = total * q
    ok = mean >= 10.0
    if int(ok.sum()) < 30:
        return 1.0
    chi = (count[ok] - mean[ok]) ** 2 / (mean[ok] * (1.0 - q))
    return max(1.0, float(np.median(chi)) / 0.4549)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, a: int) -> int:
        while self.parent[a] != a:
            self.parent[a] = self.parent[self.parent[a]]
            a = self.parent[a]
        return a

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


# --- the analysis ---------------------------------------------------------------------------


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
