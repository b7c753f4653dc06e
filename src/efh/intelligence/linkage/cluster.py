"""Turning automatic links into merges of persons, with the reviewers' "different people"
decisions as hard constraints.

Written by hand rather than with Splink's clustering: Splink's
``cluster_pairwise_predictions_at_threshold`` is plain connected components and has no notion
of two records that must never end up together, and here a human's "different people" must
always win over the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl


@dataclass(frozen=True)
class MergePlan:
    """Absorb person ``absorbed_id`` into ``survivor_id``; ``evidence`` is the record pair
    (smaller id first) whose link joined the absorbed person to the group, with its weight."""

    survivor_id: int
    absorbed_id: int
    evidence: tuple[int, int]
    match_weight: float


def _person_lookup(person_of: dict[int, int] | pl.DataFrame, records: np.ndarray) -> np.ndarray:
    """The current person of each record in ``records``; KeyError for a record without one."""
    if isinstance(person_of, pl.DataFrame):
        cols = person_of.columns
        rec_col = "unique_id" if "unique_id" in cols else cols[0]
        per_col = "person_id" if "person_id" in cols else cols[1]
        keys = person_of.get_column(rec_col).to_numpy().astype(np.int64)
        vals = person_of.get_column(per_col).to_numpy().astype(np.int64)
    else:
        keys = np.fromiter(person_of.keys(), dtype=np.int64, count=len(person_of))
        vals = np.fromiter(person_of.values(), dtype=np.int64, count=len(person_of))
    order = np.argsort(keys, kind="stable")
    keys, vals = keys[order], vals[order]
    if len(keys) == 0:
        if len(records):
            raise KeyError(f"record {int(records[0])} has no current person")
        return records.copy()
    pos = np.clip(np.searchsorted(keys, records), 0, len(keys) - 1)
    missing = keys[pos] != records
    if missing.any():
        raise KeyError(f"record {int(records[missing][0])} has no current person")
    return vals[pos]


def cluster(
    pairs: pl.DataFrame,
    *,
    person_of: dict[int, int] | pl.DataFrame,
    upper: float,
    cannot_link: Iterable[tuple[int, int]] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> list[MergePlan]:
    """The merges that the automatic links call for.

    ``pairs``: record pairs (``unique_id_l``, ``unique_id_r``, ``match_weight`` and, if present,
    ``auto_allowed``); only those at or above ``upper`` and auto-allowed are used. ``person_of``
    maps every record in them to its current person (a dict, or a frame of ``unique_id`` and
    ``person_id``). ``cannot_link``: pairs of *persons* that must never be in one group (a
    human said "different people", or the two were unmerged).

    Works on persons: pairs are taken in descending weight (ties by ids, so the result is
    deterministic) and join their two persons' groups (union-find) unless the joined group
    would then hold two persons with a cannot-link between them; such a pair is skipped. Each
    final group of several persons gives one plan per absorbed person, in order of the
    absorbed person's id: survivor is the smallest person id; the evidence of an absorbed person is
    the strongest link that was used and touches it. Flat: no survivor is absorbed.
    """
    say = progress or (lambda _stage, _done, _total: None)
    say("cluster", 0, 1)
    plans = _cluster(pairs, person_of, upper, cannot_link)
    say("cluster", 1, 1)
    return plans


def _cluster(
    pairs: pl.DataFrame,
    person_of: dict[int, int] | pl.DataFrame,
    upper: float,
    cannot_link: Iterable[tuple[int, int]],
) -> list[MergePlan]:
    usable = pairs.filter(pl.col("match_weight") >= upper)
    if "auto_allowed" in usable.columns:
        usable = usable.filter(pl.col("auto_allowed"))
    if usable.height == 0:
        return []
    left = usable.get_column("unique_id_l").to_numpy().astype(np.int64)
    right = usable.get_column("unique_id_r").to_numpy().astype(np.int64)
    weight = usable.get_column("match_weight").to_numpy().astype(np.float64)
    pl_ = _person_lookup(person_of, left)
    pr_ = _person_lookup(person_of, right)
    keep = pl_ != pr_
    left, right, weight, pl_, pr_ = left[keep], right[keep], weight[keep], pl_[keep], pr_[keep]
    order = np.lexsort((right, left, -weight))
    left, right, weight, pl_, pr_ = left[order], right[order], weight[order], pl_[order], pr_[order]

    persons, idx = np.unique(np.concatenate([pl_, pr_]), return_inverse=True)
    a_list, b_list = idx[: len(pl_)].tolist(), idx[len(pl_) :].tolist()
    n = len(persons)
    parent = list(range(n))
    position = {int(p): i for i, p in enumerate(persons)}
    # Cannot-links between persons of this run, as sets of person indices per group root.
    forbidden: dict[int, set[int]] = {}
    for x, y in cannot_link:
        i, j = position.get(int(x)), position.get(int(y))
        if i is not None and j is not None and i != j:
            forbidden.setdefault(i, set()).add(j)
            forbidden.setdefault(j, set()).add(i)

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_link = [-1] * n  # the strongest accepted link touching each person
    for k in range(len(a_list)):
        a, b = a_list[k], b_list[k]
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if forbidden:
            fa, fb = forbidden.get(ra), forbidden.get(rb)
            if fa or fb:
                # Symmetric relation: a clash shows from either side, so check the smaller.
                if len(fa or ()) <= len(fb or ()):
                    clash = any(find(x) == rb for x in fa or ())
                else:
                    clash = any(find(x) == ra for x in fb or ())
                if clash:
                    continue
                if len(fa or ()) < len(fb or ()):
                    ra, rb = rb, ra
                if rb in forbidden:
                    forbidden[ra] = forbidden.get(ra, set()) | forbidden.pop(rb)
        parent[rb] = ra
        if first_link[a] < 0:
            first_link[a] = k
        if first_link[b] < 0:
            first_link[b] = k

    roots = np.fromiter((find(i) for i in range(n)), dtype=np.int64, count=n)
    # persons are sorted, so a group's first index is its smallest person id: the survivor.
    _, first = np.unique(roots, return_index=True)
    survivor_of_root = np.full(n, -1, dtype=np.int64)
    survivor_of_root[roots[first]] = first
    survivor = survivor_of_root[roots]
    absorbed = np.flatnonzero(survivor != np.arange(n))
    links = np.asarray(first_link, dtype=np.int64)[absorbed]
    return [
        MergePlan(int(s_), int(a_), (int(l_), int(r_)), float(w_))
        for s_, a_, l_, r_, w_ in zip(
            persons[survivor[absorbed]].tolist(),
            persons[absorbed].tolist(),
            left[links].tolist(),
            right[links].tolist(),
            weight[links].tolist(),
            strict=True,
        )
    ]
