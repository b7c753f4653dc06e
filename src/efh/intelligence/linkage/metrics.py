"""Pairwise precision, recall and F1 of links (the issue's accuracy measure)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

import polars as pl


def _norm(pairs: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    return {(a, b) if a < b else (b, a) for a, b in pairs if a != b}


def pairwise_scores(
    predicted_pairs: Iterable[tuple[int, int]], true_pairs: Iterable[tuple[int, int]]
) -> tuple[float, float, float]:
    """(precision, recall, F1) of the predicted record pairs against the true ones; order
    within a pair does not matter. An empty prediction has precision 1 (it claims nothing);
    no true pairs give recall 1."""
    predicted, actual = _norm(predicted_pairs), _norm(true_pairs)
    hits = len(predicted & actual)
    precision = hits / len(predicted) if predicted else 1.0
    recall = hits / len(actual) if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def pairs_of_groups(groups: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    """Every record pair within each group (the pairs a clustering asserts)."""
    out: set[tuple[int, int]] = set()
    for group in groups:
        out.update(combinations(sorted(set(group)), 2))
    return out


def pairs_of_labels(frame: pl.DataFrame, *, id_col: str, label_col: str) -> set[tuple[int, int]]:
    """Every pair of ids sharing a label (a known identity, in an evaluation)."""
    grouped = frame.group_by(label_col).agg(pl.col(id_col)).get_column(id_col)
    return pairs_of_groups(g for g in grouped.to_list() if len(g) > 1)
