"""Co-missing: children who go missing together, and clusters of them with their episodes.

A *pair* of children went missing together when either
- an episode of one records the other as ``missing_with`` (``how="missing_with"``), or
- two of their episodes overlap in time and they were found at the same place, returning within
  ``found_within_hours`` of each other (``how="found_together"``; see
  ``build.overlapping_episodes``), or
- two of their episodes started within ``together_minutes`` of each other and they were found at
  the same place (``how="went_together"``; the episodes need not overlap at the return).

``missing_from`` is a kind (home, care, education), not a place, so "missing from the same place"
can only be tested through where the children were found. Adults named in ``missing_with`` are
left out here (they appear in ``adults.py``): co-missing lists children only.

*Clusters* are the connected components of the pair graph (igraph), at least
``co_missing_min_cluster`` children; each with its members, the episodes behind its pairs, the
places they were found at and the kinds of place they went missing from (most first), the
period (first and last episode start) and its reasons (one row per pair). Cluster numbers run
from 1 (largest); ``groups.match_groups(previous, membership, group_col="cluster")`` carries
codes over between runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import igraph as ig
import numpy as np
import polars as pl

from efh.intelligence.frames import DT, Snapshot
from efh.intelligence.network.build import NetworkConfig, overlapping_episodes


@dataclass(frozen=True)
class CoMissing:
    """``pairs``: child_a < child_b, how (list[str]), episodes (list[i64]), first, last.
    ``membership``: person_id, cluster. ``clusters``: cluster, size, members,
    episodes, found_at (list[struct{place, name, episodes}]), missing_from
    (list[struct{missing_from, episodes}]), first, last, reasons (list[str])."""

    pairs: pl.DataFrame
    membership: pl.DataFrame
    clusters: pl.DataFrame


_PAIR_SCHEMA = {
    "child_a": pl.Int64(),
    "child_b": pl.Int64(),
    "how": pl.String(),
    "episode_a": pl.Int64(),
    "episode_b": pl.Int64(),
    "at": DT,
}


def _episode_pairs(snapshot: Snapshot, config: NetworkConfig) -> pl.DataFrame:
    kids = snapshot.persons.filter(pl.col("is_child")).select("person_id")
    ep = snapshot.missing.select("episode_id", "person_id", "went_missing_at", "found_place")
    # 1. Recorded missing_with (the companion's own episode is not known: episode_b null).
    recorded = (
        snapshot.missing_with.join(
            ep.select("episode_id", owner="person_id", at="went_missing_at"), on="episode_id"
        )
        .filter(pl.col("owner") != pl.col("person_id"))
        .select(
            child_a=pl.min_horizontal("owner", "person_id"),
            child_b=pl.max_horizontal("owner", "person_id"),
            how=pl.lit("missing_with"),
            episode_a=pl.col("episode_id"),
            episode_b=pl.lit(None, dtype=pl.Int64),
            at="at",
        )
    )
    # 2. Overlapping and found at the same place, returning within a few hours.
    found = (
        overlapping_episodes(snapshot, config)
        .collect()
        .select(
            child_a="person_a",
            child_b="person_b",
            how=pl.lit("found_together"),
            episode_a="episode_a",
            episode_b="episode_b",
            at="at",
        )
    )
    # 3. Started within ``together_minutes`` and found at the same place.
    right = ep.select(
        "found_place", episode_b="episode_id", person_b="person_id", went_b="went_missing_at"
    )
    near = timedelta(minutes=config.together_minutes)
    went = (
        ep.drop_nulls("found_place")
        .join(right, on="found_place")
        .filter(
            (pl.col("person_id") < pl.col("person_b"))
            & ((pl.col("went_missing_at") - pl.col("went_b")).abs() <= near)
        )
        .select(
            child_a="person_id",
            child_b="person_b",
            how=pl.lit("went_together"),
            episode_a="episode_id",
            episode_b="episode_b",
            at=pl.max_horizontal("went_missing_at", "went_b"),
        )
    )
    rows = pl.concat(
        [
            f.select(pl.col(c).cast(t) for c, t in _PAIR_SCHEMA.items())
            for f in (recorded, found, went)
        ]
    )
    rows = rows.join(kids, left_on="child_a", right_on="person_id", how="semi").join(
        kids, left_on="child_b", right_on="person_id", how="semi"
    )
    return rows.filter(pl.col("at") <= snapshot.as_of)


def co_missing(snapshot: Snapshot, config: NetworkConfig | None = None) -> CoMissing:
    """Pairs and clusters of children who went missing together (see the module docstring)."""
    config = config or NetworkConfig()
    rows = _episode_pairs(snapshot, config)
    if config.window_days is not None:
        rows = rows.filter(pl.col("at") >= snapshot.as_of - timedelta(days=config.window_days))
    pairs = (
        rows.group_by("child_a", "child_b")
        .agg(
            how=pl.col("how").unique().sort(),
            episodes=pl.concat_list("episode_a", "episode_b")
            .explode()
            .drop_nulls()
            .unique()
            .sort(),
            first=pl.col("at").min(),
            last=pl.col("at").max(),
        )
        .sort("child_a", "child_b")
    )
    if pairs.height == 0:
        return _empty()
    ids = pl.concat([pairs["child_a"], pairs["child_b"]]).unique().sort()
    ai = ids.search_sorted(pairs["child_a"]).to_numpy()
    bi = ids.search_sorted(pairs["child_b"]).to_numpy()
    g = ig.Graph(n=len(ids), edges=np.column_stack([ai, bi]))
    comp = np.asarray(g.connected_components().membership, dtype=np.int64)
    label = pl.DataFrame({"person_id": ids, "component": pl.Series(comp, dtype=pl.Int64)})
    sizes = (
        label.group_by("component")
        .agg(size=pl.len(), first_member=pl.col("person_id").min())
        .filter(pl.col("size") >= config.co_missing_min_cluster)
        .sort(["size", "first_member"], descending=[True, False])
        .with_row_index("cluster", offset=1)
        .with_columns(pl.col("cluster").cast(pl.Int64))
    )
    membership = (
        label.join(sizes.select("component", "cluster"), on="component")
        .select("person_id", "cluster")
        .sort("cluster", "person_id")
    )
    pair_cluster = pairs.join(membership, left_on="child_a", right_on="person_id")
    episodes = (
        pair_cluster.select("cluster", episode_id="episodes")
        .explode("episode_id")
        .drop_nulls()
        .unique()
        .join(
            snapshot.missing.select("episode_id", "missing_from", "found_place", "went_missing_at"),
            on="episode_id",
        )
    )
    names = snapshot.places.select("place", "name").unique("place")
    found_at = (
        episodes.drop_nulls("found_place")
        .group_by("cluster", place="found_place")
        .agg(episodes=pl.len())
        .join(names, on="place", how="left")
        .sort(["cluster", "episodes", "place"], descending=[False, True, False])
        .group_by("cluster", maintain_order=True)
        .agg(found_at=pl.struct("place", pl.col("name").fill_null(""), "episodes"))
    )
    missing_from = (
        episodes.group_by("cluster", "missing_from")
        .agg(episodes=pl.len())
        .sort(["cluster", "episodes", "missing_from"], descending=[False, True, False])
        .group_by("cluster", maintain_order=True)
        .agg(missing_from=pl.struct("missing_from", "episodes"))
    )
    words = {
        "missing_with": "recorded as missing together",
        "found_together": "missing at the same time and found at the same place",
        "went_together": "went missing within the same hour and found at the same place",
    }
    reasons = (
        pair_cluster.with_columns(
            text=pl.format(
                "{} and {}: {} ({} {})",
                "child_a",
                "child_b",
                pl.col("how")
                .list.eval(pl.element().replace_strict(words, default=pl.element()))
                .list.join("; "),
                pl.col("episodes").list.len(),
                pl.when(pl.col("episodes").list.len() == 1)
                .then(pl.lit("episode"))
                .otherwise(pl.lit("episodes")),
            )
        )
        .sort("cluster", "child_a", "child_b")
        .group_by("cluster", maintain_order=True)
        .agg(reasons=pl.col("text"), first=pl.col("first").min(), last=pl.col("last").max())
    )
    clusters = (
        membership.group_by("cluster")
        .agg(size=pl.len(), members=pl.col("person_id").sort())
        .join(
            episodes.group_by("cluster").agg(episodes=pl.col("episode_id").sort()),
            on="cluster",
            how="left",
        )
        .join(found_at, on="cluster", how="left")
        .join(missing_from, on="cluster", how="left")
        .join(reasons, on="cluster", how="left")
        .sort("cluster")
        .select(
            "cluster",
            pl.col("size").cast(pl.Int64),
            "members",
            pl.col("episodes").fill_null(pl.lit([], dtype=pl.List(pl.Int64()))),
            pl.col("found_at").fill_null(
                pl.lit(
                    [],
                    dtype=pl.List(
                        pl.Struct(
                            {"place": pl.String(), "name": pl.String(), "episodes": pl.UInt32()}
                        )
                    ),
                )
            ),
            "missing_from",
            "first",
            "last",
            "reasons",
        )
    )
    return CoMissing(pairs=pairs, membership=membership, clusters=clusters)


def _empty() -> CoMissing:
    return CoMissing(
        pairs=pl.DataFrame(
            schema={
                "child_a": pl.Int64(),
                "child_b": pl.Int64(),
                "how": pl.List(pl.String()),
                "episodes": pl.List(pl.Int64()),
                "first": DT,
                "last": DT,
            }
        ),
        membership=pl.DataFrame(schema={"person_id": pl.Int64(), "cluster": pl.Int64()}),
        clusters=pl.DataFrame(
            schema={
                "cluster": pl.Int64(),
                "size": pl.Int64(),
                "members": pl.List(pl.Int64()),
                "episodes": pl.List(pl.Int64()),
                "found_at": pl.List(
                    pl.Struct({"place": pl.String(), "name": pl.String(), "episodes": pl.UInt32()})
                ),
                "missing_from": pl.List(
                    pl.Struct({"missing_from": pl.String(), "episodes": pl.UInt32()})
                ),
                "first": DT,
                "last": DT,
                "reasons": pl.List(pl.String()),
            }
        ),
    )
