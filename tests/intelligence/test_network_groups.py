"""Peer groups: accuracy floors on a synthetic borough and an LFR graph, summaries, stable ids."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import networkx as nx
import numpy as np
import polars as pl
import pytest

from efh.intelligence.frames import Snapshot
from efh.intelligence.metrics import nmi
from efh.intelligence.network import (
    GROUP_COLUMNS,
    NetworkConfig,
    build_network,
    communities,
    match_groups,
    peer_groups,
)

from .network_world import AS_OF, event, frame, persons, snapshot, synth


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Any]:
    return synth(tmp_path_factory.mktemp("network-groups") / "b", children=3000, seed=11)


def planted_nmi(truth_groups: pl.DataFrame, membership: pl.DataFrame) -> float:
    first = truth_groups.unique("person_id", keep="first", maintain_order=True)
    joined = first.join(membership, on="person_id", how="left").with_columns(
        found=pl.when(pl.col("group").is_null())
        .then(-pl.col("person_id"))  # not in any group: a singleton
        .otherwise(pl.col("group"))
    )
    return nmi(joined["group_id"].to_list(), joined["found"].to_list())


def test_peer_groups_recover_planted_groups(borough: tuple[Snapshot, Any]) -> None:
    snap, truth = borough
    net = build_network(snap)
    pg = peer_groups(net, snap)
    score = planted_nmi(truth.groups, pg.membership)
    assert score >= 0.9, score
    # Groups are of children only, at least 3, and mostly planted members (tight enough).
    kids = set(snap.persons.filter("is_child")["person_id"].to_list())
    assert set(pg.membership["person_id"].to_list()) <= kids
    assert pg.groups["size"].min() >= 3
    planted = pg.membership["person_id"].is_in(truth.groups["person_id"].implode()).mean()
    assert planted is not None and planted >= 0.6
    assert tuple(pg.groups.columns) == GROUP_COLUMNS
    # Each group explains itself: reasons between two members, places and a trend of 12 months.
    row = pg.groups.row(0, named=True)
    members = set(row["members"])
    assert row["reasons"] and all({r["a"], r["b"]} <= members for r in row["reasons"])
    assert len(row["trend"]) == 12 and row["trend_word"] in {"rising", "steady", "falling"}
    assert row["places"][0]["events"] >= row["places"][-1]["events"]
    assert pg.groups["joint_events"].sum() > 0
    # Same input, same seed: same answer.
    again = peer_groups(build_network(snap), snap)
    assert again.membership.equals(pg.membership)


def test_leiden_on_lfr_benchmark() -> None:
    g = nx.LFR_benchmark_graph(
        2000, 3, 1.5, 0.3, average_degree=20, max_degree=50, min_community=20, seed=10
    )
    truth = {}
    for c, nodes in enumerate({frozenset(g.nodes[v]["community"]) for v in g}):
        for v in nodes:
            truth[v] = c
    edges = pl.DataFrame(
        [(min(u, v), max(u, v), 1.0) for u, v in g.edges() if u != v],
        schema={"a": pl.Int64(), "b": pl.Int64(), "weight": pl.Float64()},
        orient="row",
    )
    for cfg in (NetworkConfig(resolution=1.0, resolution_scaled=False), NetworkConfig()):
        found = communities(edges, cfg)
        score = nmi([truth[v] for v in found["person_id"]], found["community"].to_list())
        assert score >= 0.9, (cfg.resolution_scaled, score)


def _clique_snapshot(months_ago: list[int]) -> Snapshot:
    """Children 1-4 together in events at the given months before as_of; 5 and 6 loosely."""
    events, people = [], []
    for i, m in enumerate(months_ago, 1):
        events.append(event(i, AS_OF - timedelta(days=30 * m + 1), harms=["cce"]))
        people += [{"event_id": i, "person_id": p, "role": "suspect"} for p in (1, 2, 3, 4)]
    events.append(event(999, AS_OF - timedelta(days=3), place="location:2"))
    people += [
        {"event_id": 999, "person_id": 5, "role": "witness"},
        {"event_id": 999, "person_id": 6, "role": "witness"},
    ]
    return snapshot(
        persons=persons([1, 2, 3, 4, 5, 6], [100]),
        events=frame("events", events),
        event_people=frame("event_people", people),
    )


def test_trend_words_and_tightness() -> None:
    cfg = NetworkConfig(half_life_days=None)
    rising = _clique_snapshot([0, 0, 0, 1, 1, 2, 6])
    pg = peer_groups(build_network(rising, cfg), rising, cfg)
    assert pg.membership["person_id"].to_list() == [1, 2, 3, 4]  # 5 and 6 are too loose
    row = pg.groups.row(0, named=True)
    assert row["trend_word"] == "rising" and sum(row["trend"]) == 7
    assert row["harm_types"] == [{"harm_type": "cce", "events": 7}]
    assert row["places"][0]["place"] == "location:1"
    falling = _clique_snapshot([4, 4, 5, 5, 6, 0])
    row = peer_groups(build_network(falling, cfg), falling, cfg).groups.row(0, named=True)
    assert row["trend_word"] == "falling"
    steady = _clique_snapshot([0, 4, 1, 5])
    row = peer_groups(build_network(steady, cfg), steady, cfg).groups.row(0, named=True)
    assert row["trend_word"] == "steady"


def test_a_month_in_progress_is_not_read_as_a_fall() -> None:
    """As of 1 January at noon, January has barely begun: three joint events a month from July
    to December is steady, not falling (the word compares complete months only)."""
    cfg = NetworkConfig(half_life_days=None)
    every_month = _clique_snapshot([m for m in (0, 2, 3, 4, 5, 6) for _ in range(3)])
    row = peer_groups(build_network(every_month, cfg), every_month, cfg).groups.row(0, named=True)
    assert row["trend"][-1] == 0  # nothing yet in January
    assert row["trend_word"] == "steady"


def test_match_groups_carries_codes_one_to_one() -> None:
    previous = pl.DataFrame(
        {"person_id": [1, 2, 3, 4, 10, 11, 12, 20, 21, 22],
         "code": ["PG-1"] * 4 + ["PG-2"] * 3 + ["PG-3"] * 3}
    )  # fmt: skip
    membership = pl.DataFrame(
        {"person_id": [1, 2, 3, 5, 10, 30, 31, 32, 20, 21, 22, 23],
         "group": [7, 7, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9]}
    )  # fmt: skip
    out = match_groups(previous, membership)
    got = dict(out.iter_rows())
    assert got == {7: "PG-1", 8: None, 9: "PG-3"}  # 7: J=3/5; 8: J=1/7; 9: J=3/4
    assert match_groups(previous.head(0), membership)["code"].null_count() == 3
    # Two new groups overlapping one old group equally: only one takes the code.
    split = pl.DataFrame({"person_id": [1, 2, 3, 4], "group": [1, 1, 2, 2]})
    old = pl.DataFrame({"person_id": [1, 2, 3, 4], "code": ["X"] * 4})
    assert match_groups(old, split)["code"].to_list() == ["X", None]  # J = 0.5 each: tie
    assert match_groups(old, split, min_jaccard=0.6)["code"].null_count() == 2


def test_nmi_matches_igraph() -> None:
    import igraph as ig

    rng = np.random.default_rng(3)
    a = rng.integers(0, 7, 500)
    b = np.where(rng.random(500) < 0.7, a, rng.integers(0, 9, 500))
    ours = nmi(a, b)
    theirs = ig.compare_communities(a.tolist(), b.tolist(), method="nmi")
    assert ours == pytest.approx(theirs, abs=1e-9)
    assert nmi([1, 1, 2, 2], ["x", "x", "y", "y"]) == pytest.approx(1.0)
    assert nmi([1, 2, 3, 4], [1, 1, 1, 1]) == pytest.approx(0.0)


def test_empty_network_gives_empty_groups() -> None:
    snap = snapshot(persons=persons([1, 2], []))
    pg = peer_groups(build_network(snap), snap)
    assert pg.membership.height == 0 and pg.groups.height == 0
