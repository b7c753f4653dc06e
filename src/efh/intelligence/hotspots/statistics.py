"""Statistics: Getis-Ord Gi* per cell (esda, permutations screened), the scan test's binomial
tail and dispersion, Benjamini-Hochberg, connected patches and the union-find that merges them."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from esda import G_Local
from esda.crand import compute_chunk, vec_permutations
from esda.getisord import _g_local_star_crand
from libpysal.weights import W
from scipy import special, stats


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
    so its pseudo p is above the normal tail of its z) and gets p = 1. What the screen saves is
    in ``docs/benchmarks.md``.
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
    qualify. Events copied in bulk (duplicated records, the benchmark's scaled snapshots) measure
    well above 1 (``docs/benchmarks.md``), and the scan test divides counts by it.
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
