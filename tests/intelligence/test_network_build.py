"""build_network: evidence kinds, weights, windows and decay on a hand-made snapshot."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from efh.intelligence.network import EVIDENCE_SCHEMA, NetworkConfig, build_network

from .network_world import (
    AS_OF,
    association,
    event,
    frame,
    persons,
    snapshot,
)

NO_DECAY = NetworkConfig(half_life_days=None)


def weight(net_edges: pl.DataFrame, a: int, b: int) -> float:
    row = net_edges.filter((pl.col("a") == a) & (pl.col("b") == b))
    return float(row["weight"].sum())


def test_event_pairs_are_weighted_by_roles_and_crowd_size() -> None:
    at = AS_OF - timedelta(days=1)
    people = [
        {"event_id": 1, "person_id": 2, "role": "suspect"},
        {"event_id": 1, "person_id": 1, "role": "victim"},
        {"event_id": 2, "person_id": 1, "role": "witness"},
        {"event_id": 2, "person_id": 3, "role": "witness"},
        {"event_id": 2, "person_id": 4, "role": "subject"},
    ]
    snap = snapshot(
        persons=persons([1, 2, 3, 4], []),
        events=frame("events", [event(1, at), event(2, at)]),
        event_people=frame("event_people", people),
    )
    net = build_network(snap, NO_DECAY)
    assert weight(net.edges, 1, 2) == pytest.approx(1.0)  # suspect+victim, 2 people
    assert weight(net.edges, 1, 3) == pytest.approx(0.3 * 0.3 / 2)  # witnesses, 3 people
    assert weight(net.edges, 1, 4) == pytest.approx(0.3 / 2)
    ev = net.evidence.filter((pl.col("a") == 1) & (pl.col("b") == 2)).row(0, named=True)
    assert ev["kind"] == "event" and ev["ref"] == "event:1"
    assert ev["detail"] == "victim+suspect"  # a's role first
    assert (net.edges["a"] < net.edges["b"]).all()
    assert net.evidence.schema == pl.Schema(EVIDENCE_SCHEMA)


def test_crowded_events_are_skipped() -> None:
    at = AS_OF - timedelta(days=1)
    people = [{"event_id": 1, "person_id": p, "role": "subject"} for p in range(1, 40)]
    snap = snapshot(
        persons=persons(list(range(1, 40)), []),
        events=frame("events", [event(1, at)]),
        event_people=frame("event_people", people),
    )
    assert build_network(snap, NO_DECAY).edges.height == 0
    wide = NetworkConfig(half_life_days=None, max_event_participants=50)
    assert build_network(snap, wide).edges.height == 39 * 38 // 2


def test_associations_are_weighted_by_kind_and_grading() -> None:
    rows = [
        association(1, 1, 2, "friend", ("1", "A")),
        association(2, 3, 4, "friend", ("3", "E")),
        association(3, 6, 5, "suspected_exploiter", ("2", "B")),
        association(4, 7, None, "frequents"),
    ]
    snap = snapshot(
        persons=persons([1, 2, 3, 4, 5, 6, 7], []), associations=frame("associations", rows)
    )
    net = build_network(snap, NO_DECAY)
    assert weight(net.edges, 1, 2) == pytest.approx(1.0)
    assert weight(net.edges, 3, 4) == pytest.approx(0.5 * 0.1)
    assert weight(net.edges, 5, 6) == pytest.approx(1.5 * 0.8 * 0.85)
    assert net.edges.height == 3
    ev = net.evidence.filter(pl.col("ref") == "association:3").row(0, named=True)
    assert (ev["a"], ev["b"], ev["detail"]) == (5, 6, "suspected_exploiter 2/B")


def test_group_labels_missing_and_contacts() -> None:
    rows = [
        association(i, p, None, "member_of", label="police:Upland Boys")
        for i, p in enumerate([1, 2, 3], 1)
    ]
    went = AS_OF - timedelta(days=10)
    missing = [
        {"episode_id": 1, "person_id": 1, "missing_from": "home", "went_missing_at": went,
         "returned_at": went + timedelta(hours=10), "found_place": "location:9",
         "found_latitude": None, "found_longitude": None},
        {"episode_id": 2, "person_id": 4, "missing_from": "care", "went_missing_at": went + timedelta(hours=2),
         "returned_at": went + timedelta(hours=11), "found_place": "location:9",
         "found_latitude": None, "found_longitude": None},
    ]  # fmt: skip
    contacts = [
        {"person_id": 5, "kind": "address", "value": "1 HIGH ST E8"},
        {"person_id": 6, "kind": "address", "value": "1 HIGH ST E8"},
        {"person_id": 5, "kind": "phone", "value": "07700900000"},
        {"person_id": 7, "kind": "phone", "value": "07700900000"},
    ]
    snap = snapshot(
        persons=persons([1, 2, 3, 4, 5, 6, 7], []),
        associations=frame("associations", rows),
        missing=frame("missing", missing),
        missing_with=frame("missing_with", [{"episode_id": 1, "person_id": 2}]),
        contacts=frame("contacts", contacts),
    )
    net = build_network(snap, NO_DECAY)
    kinds = dict(net.evidence.group_by("kind").len().iter_rows())
    assert kinds == {"group": 3, "missing_with": 1, "missing_overlap": 1, "address": 1, "phone": 1}
    assert weight(net.edges, 1, 2) == pytest.approx(1.5 / 2 + 1.5)  # group + missing_with
    assert weight(net.edges, 1, 4) == pytest.approx(1.0)
    assert weight(net.edges, 5, 6) == pytest.approx(0.2)
    assert weight(net.edges, 5, 7) == pytest.approx(0.5)
    assert net.evidence.filter(pl.col("kind") == "address")["at"].is_null().all()


def test_window_and_half_life() -> None:
    old = datetime(2024, 1, 1)
    recent = AS_OF - timedelta(days=365)
    rows = [
        association(1, 1, 2, "friend", seen=date(2025, 1, 1)),
        association(2, 3, 4, "friend", seen=old.date()),
        association(3, 5, 6, "friend", seen=date(2027, 1, 1)),  # after as_of: ignored
    ]
    people = [
        {"event_id": 1, "person_id": 7, "role": "subject"},
        {"event_id": 1, "person_id": 8, "role": "subject"},
    ]
    snap = snapshot(
        persons=persons(list(range(1, 9)), []),
        associations=frame("associations", rows),
        events=frame("events", [event(1, recent)]),
        event_people=frame("event_people", people),
    )
    net = build_network(snap, NetworkConfig(half_life_days=365))
    assert weight(net.edges, 7, 8) == pytest.approx(0.5, rel=1e-6)
    assert weight(net.edges, 1, 2) == pytest.approx(0.5 ** (365.5 / 365), rel=1e-3)
    assert weight(net.edges, 5, 6) == 0.0
    windowed = build_network(snap, NetworkConfig(half_life_days=None, window_days=500))
    assert set(windowed.edges.select("a", "b").iter_rows()) == {(1, 2), (7, 8)}
    # Every edge is exactly the sum of its evidence.
    total = net.evidence.group_by("a", "b").agg(pl.col("weight").sum()).sort("a", "b")
    assert total.equals(net.edges)
