"""Co-missing: pairs and clusters of children who went missing together."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import polars as pl

from efh.intelligence.network import NetworkConfig, co_missing, match_groups

from .network_world import AS_OF, frame, persons, snapshot

T0 = AS_OF - timedelta(days=20)


def episode(eid: int, pid: int, went: datetime, hours: float, place: str | None) -> dict[str, Any]:
    return {"episode_id": eid, "person_id": pid, "missing_from": "care" if pid % 2 else "home",
            "went_missing_at": went, "returned_at": went + timedelta(hours=hours),
            "found_place": place, "found_latitude": None, "found_longitude": None}  # fmt: skip


def test_pairs_and_clusters() -> None:
    episodes = [
        episode(1, 1, T0, 10, "location:5"),
        episode(2, 2, T0 + timedelta(minutes=15), 12, "location:7"),  # recorded with 1
        episode(3, 3, T0 + timedelta(hours=3), 8, "location:5"),  # found with 1
        episode(4, 4, T0 + timedelta(days=2), 5, "location:9"),
        episode(5, 5, T0 + timedelta(days=2, minutes=30), 30, "location:9"),  # went with 4
        episode(6, 6, T0 + timedelta(days=9), 5, "location:9"),  # alone
        episode(7, 7, T0 + timedelta(days=4), 5, None),  # with adult 100 only
    ]
    snap = snapshot(
        persons=persons([1, 2, 3, 4, 5, 6, 7], [100]),
        missing=frame("missing", episodes),
        missing_with=frame("missing_with", [{"episode_id": 1, "person_id": 2}, {"episode_id": 7, "person_id": 100}]),
        places=frame("places", [{"place": "location:5", "name": "Mare Street Chicken", "kind": "takeaway",
                                 "latitude": None, "longitude": None, "ward": ""}]),
    )  # fmt: skip
    cm = co_missing(snap, NetworkConfig())
    pairs = {(r["child_a"], r["child_b"]): r["how"] for r in cm.pairs.iter_rows(named=True)}
    assert pairs == {
        (1, 2): ["missing_with"],
        (1, 3): ["found_together"],
        (4, 5): ["went_together"],
    }
    assert cm.membership.sort("person_id").rows() == [(1, 1), (2, 1), (3, 1), (4, 2), (5, 2)]
    first = cm.clusters.row(0, named=True)
    assert first["size"] == 3 and first["members"] == [1, 2, 3]
    assert first["episodes"] == [1, 3]
    assert first["found_at"][0] == {
        "place": "location:5",
        "name": "Mare Street Chicken",
        "episodes": 2,
    }
    assert first["first"] == T0 and first["last"] == T0 + timedelta(hours=3)
    assert "1 and 2: recorded as missing together (1 episode)" in first["reasons"]
    # A window that ends before the episodes sees nothing.
    early = snapshot(persons=snap.persons, missing=snap.missing, missing_with=snap.missing_with)
    assert co_missing(early, NetworkConfig(window_days=1)).clusters.height == 0
    # Codes carry over for clusters too.
    previous = pl.DataFrame({"person_id": [1, 2, 3], "code": ["CM-1"] * 3})
    codes = match_groups(previous, cm.membership, group_col="cluster")
    assert dict(codes.iter_rows()) == {1: "CM-1", 2: None}


def test_no_missing_gives_empty_frames() -> None:
    cm = co_missing(snapshot(persons=persons([1], [])))
    assert cm.pairs.height == 0 and cm.clusters.height == 0 and cm.membership.height == 0
