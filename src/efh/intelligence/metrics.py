"""Accuracy measures for the intelligence analytics, comparing found structure with planted structure.

``nmi(labels_a, labels_b)``: normalised mutual information of two partitions of the same items,
``2 I(A;B) / (H(A) + H(B))`` (Danon et al. 2005; the "arithmetic" normalisation, identical to
igraph's ``compare_communities(method="nmi")`` and scikit-learn's default). Written with numpy
(a sparse contingency table from ``np.unique``) so that the pure core needs neither igraph nor
scikit-learn to score itself; the tests check it against igraph.

``precision_at(ranked, relevant, k)`` and ``recall_at(ranked, relevant, k)``: the share of the
first ``k`` ranked ids that are relevant, and the share of the relevant ids found in the first
``k``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import numpy.typing as npt


def _codes(labels: Sequence[object] | npt.ArrayLike) -> npt.NDArray[np.int64]:
    values = np.asarray(labels, dtype=object) if not isinstance(labels, np.ndarray) else labels
    _, inverse = np.unique(
        values.astype(str) if values.dtype == object else values, return_inverse=True
    )
    return inverse.astype(np.int64).ravel()


def _entropy(counts: npt.NDArray[np.float64], n: float) -> float:
    p = counts[counts > 0] / n
    return float(-(p * np.log(p)).sum())


def nmi(
    labels_a: Sequence[object] | npt.ArrayLike, labels_b: Sequence[object] | npt.ArrayLike
) -> float:
    """Normalised mutual information of two labelings of the same items (1.0 = identical
    partitions, 0.0 = independent). Two single-cluster labelings score 1.0."""
    a, b = _codes(labels_a), _codes(labels_b)
    if a.shape != b.shape:
        raise ValueError(f"labelings differ in length: {a.shape[0]} and {b.shape[0]}")
    n = float(a.shape[0])
    if n == 0:
        raise ValueError("no items")
    na, nb = int(a.max()) + 1, int(b.max()) + 1
    pair, joint = np.unique(a * nb + b, return_counts=True)
    ca = np.bincount(a, minlength=na).astype(np.float64)
    cb = np.bincount(b, minlength=nb).astype(np.float64)
    ha, hb = _entropy(ca, n), _entropy(cb, n)
    if ha == 0.0 and hb == 0.0:
        return 1.0
    pa, pb = ca[pair // nb], cb[pair % nb]
    mi = float((joint / n * np.log(joint * n / (pa * pb))).sum())
    return max(0.0, min(1.0, 2.0 * mi / (ha + hb)))


def precision_at(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """Share of the first ``k`` of ``ranked`` that are in ``relevant`` (0 when k is 0)."""
    if k <= 0:
        return 0.0
    rel = set(relevant)
    top = list(ranked)[:k]
    return sum(1 for x in top if x in rel) / k


def recall_at(ranked: Sequence[int], relevant: Iterable[int], k: int) -> float:
    """Share of ``relevant`` found in the first ``k`` of ``ranked`` (1 when nothing is relevant)."""
    rel = set(relevant)
    if not rel:
        return 1.0
    top = set(list(ranked)[:k])
    return len(rel & top) / len(rel)
