"""Adults linked to many children: planted exploiters first, decoys below, reasons in words."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import polars as pl
import pytest

from efh.intelligence.frames import Snapshot
from efh.intelligence.metrics import precision_at, recall_at
from efh.intelligence.network import (
    ADULT_COLUMNS,
    ORDERING_RULE,
    NetworkConfig,
    adults_linked,
    build_network,
    peer_groups,
)

from .network_world import (
    AS_OF,
    association,
    event,
    frame,
    persons,
    snapshot,
    synth,
)


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Any]:
    return synth(tmp_path_factory.mktemp("network-adults") / "b", children=4000, seed=12)


def test_planted_exploiters_lead_the_order(borough: tuple[Snapshot, Any]) -> None:
    snap, truth = borough
    net = build_network(snap)
    pg = peer_groups(net, snap)
    out = adults_linked(net, snap, pg.membership)
    assert tuple(out.columns) == ADULT_COLUMNS
    planted = truth.exploiters["person_id"].to_list()
    ranked = out["person_id"].to_list()
    assert recall_at(ranked, planted, 20) == 1.0
    assert recall_at(ranked, planted, len(planted)) >= 0.75
    assert precision_at(ranked, planted, len(planted)) >= 0.75
    adults = set(snap.persons.filter(~pl.col("is_child"))["person_id"].to_list())
    assert set(ranked) <= adults
    assert (out["children_linked"] >= 2).all()
    assert out["order"].to_list() == list(range(1, out.height + 1))
    top = out.row(0, named=True)
    assert top["direct_groups"] >= 2 and top["refs"]
    assert any("events with" in r for r in top["reasons"])


def _decoy_snapshot() -> Snapshot:
    """Adult 100 with children of three groups; adult 200 with three children of one group."""
    groups = {1: [1, 2, 3], 2: [4, 5, 6], 3: [7, 8, 9]}
    events, people, eid = [], [], 0
    for members in groups.values():
        for _ in range(3):
            eid += 1
            events.append(event(eid, AS_OF - timedelta(days=eid)))
            people += [{"event_id": eid, "person_id": p, "role": "suspect"} for p in members]
    for child in (1, 4, 7):
        for _ in range(2):
            eid += 1
            events.append(event(eid, AS_OF - timedelta(days=eid), harms=["cce"]))
            people += [
                {"event_id": eid, "person_id": 100, "role": "suspect"},
                {"event_id": eid, "person_id": child, "role": "victim"},
            ]
    assoc = [association(1, 7, 100, "suspected_exploiter", ("2", "B"))]
    assoc += [association(10 + c, 200, c, "associate") for c in (1, 2, 3)]
    return snapshot(
        persons=persons(list(range(1, 10)), [100, 200, 300]),
        events=frame("events", events),
        event_people=frame("event_people", people),
        associations=frame("associations", assoc),
    )


def test_decoy_ranks_below_adult_reaching_several_groups() -> None:
    cfg = NetworkConfig(half_life_days=None)
    snap = _decoy_snapshot()
    net = build_network(snap, cfg)
    pg = peer_groups(net, snap, cfg)
    assert pg.groups.height == 3
    out = adults_linked(net, snap, pg.membership, cfg)
    assert out["person_id"].to_list() == [100, 200]  # 300 is linked to no one
    first, second = out.row(0, named=True), out.row(1, named=True)
    assert (first["direct_children"], first["direct_groups"]) == (3, 3)
    assert (second["direct_children"], second["direct_groups"]) == (3, 1)
    assert "suspect in 6 events with 3 children" in first["reasons"]
    assert (
        "recorded association 'suspected_exploiter' with 1 child (grading 2/B)" in first["reasons"]
    )
    assert any(r.startswith("linked through one person to 6 children") for r in first["reasons"])
    assert "recorded association 'associate' with 3 children (grading 1/A)" in second["reasons"]
    assert first["children"] == [1, 4, 7]
    assert "not a score" in ORDERING_RULE


def test_shared_address_alone_does_not_link_an_adult() -> None:
    contacts = [{"person_id": p, "kind": "address", "value": "1 HIGH ST"} for p in (1, 2, 3, 100)]
    snap = snapshot(persons=persons([1, 2, 3], [100]), contacts=frame("contacts", contacts))
    net = build_network(snap)
    assert adults_linked(net, snap, pg_empty()).height == 0


def pg_empty() -> pl.DataFrame:
    return pl.DataFrame(schema={"person_id": pl.Int64(), "group": pl.Int64()})
