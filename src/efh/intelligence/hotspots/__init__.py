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
   busy background around it (``docs/benchmarks.md`` has the recall at each).
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
   ``_GiStar``: identical p-values, in less time).
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
   The recall this gives on the benchmark boroughs is in ``docs/benchmarks.md``. ``min_ratio``,
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

The steps live in ``grid`` (points, cells, neighbours), ``statistics`` (Gi*, the scan test,
patches), ``assembly`` (windows, merging, ``hotspots``) and ``wording`` (the reasons); this
package re-exports what other modules use.

Each hotspot is a candidate for an analyst to review, with plain-words reasons; nothing here
scores a person. Hand-written parts (the expectation, the patch filters and merging, the status,
the reasons) are glue that neither esda nor libpysal provides.

The benchmarks' matching rule (a planted hotspot is found when a reported one of the same harm
type lies within ``max(the two radii added, 400 m)`` on the BNG and their periods overlap) is
``match_hotspots`` in ``bench/intel_frames.py``: the platform never reads planted data.
"""

from __future__ import annotations

from efh.intelligence.hotspots.assembly import hotspots
from efh.intelligence.hotspots.config import SCHEMA, STATUSES, HotspotConfig
from efh.intelligence.hotspots.grid import points, to_bng, to_wgs84
from efh.intelligence.hotspots.statistics import _dispersion, _GiStar, _log10_binom_sf
from efh.intelligence.hotspots.wording import harm_label

__all__ = [
    "SCHEMA",
    "STATUSES",
    "HotspotConfig",
    "_GiStar",
    "_dispersion",
    "_log10_binom_sf",
    "harm_label",
    "hotspots",
    "points",
    "to_bng",
    "to_wgs84",
]
