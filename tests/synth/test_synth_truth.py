"""The truth files describe the delivery: every id refers to records that exist, and the planted
structure (groups, exploiters, hotspots) is really in the data."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

from efh.synth import checks
from efh.synth.geography import distance_m


def _truth(delivery: Path) -> dict[tuple[str, str], str]:
    return checks.truth_index(delivery)


def _persons(delivery: Path) -> dict[tuple[str, str], dict[str, str]]:
    _, rows = checks.read(delivery / "persons.csv")
    return {(r["source"], r["source_id"]): r for r in rows}


def _is_child(rows: list[dict[str, str]], as_of: date) -> bool:
    for r in rows:
        if r["is_child"]:
            return r["is_child"] == "Y"
    dob = next(date.fromisoformat(r["date_of_birth"]) for r in rows if r["date_of_birth"])
    return (as_of - dob).days < 18 * 365.25


def test_persons_and_persons_truth_hold_the_same_records(delivery: Path) -> None:
    truth = _truth(delivery)
    persons = _persons(delivery)
    assert set(truth) == set(persons)
    _, truth_rows = checks.read(delivery / "truth" / "persons_truth.csv")
    assert len(truth_rows) == len(truth)


def test_truth_ids_refer_to_people_in_the_delivery(delivery: Path) -> None:
    people = set(_truth(delivery).values())
    _, groups = checks.read(delivery / "truth" / "groups_truth.csv")
    _, exploiters = checks.read(delivery / "truth" / "exploiters_truth.csv")
    assert groups and exploiters
    assert {g["true_person_id"] for g in groups} <= people
    assert {e["true_person_id"] for e in exploiters} <= people
    assert {g["role"] for g in groups} == {"member", "leader"}


def test_peer_groups_have_3_to_15_members_one_or_two_leaders_and_some_overlap(
    delivery: Path,
) -> None:
    _, groups = checks.read(delivery / "truth" / "groups_truth.csv")
    members: dict[str, list[str]] = defaultdict(list)
    leaders: dict[str, int] = defaultdict(int)
    groups_of: dict[str, int] = defaultdict(int)
    for g in groups:
        members[g["group_id"]].append(g["true_person_id"])
        leaders[g["group_id"]] += g["role"] == "leader"
        groups_of[g["true_person_id"]] += 1
    assert len(members) >= 2000 / 150 * 0.8
    assert all(3 <= len(m) <= 15 for m in members.values())
    assert all(len(set(m)) == len(m) for m in members.values())
    assert all(1 <= leaders[g] <= 2 for g in members)
    assert sum(1 for n in groups_of.values() if n == 2) >= 2


def test_group_members_are_linked_to_each_other(delivery: Path) -> None:
    truth = _truth(delivery)
    _, groups = checks.read(delivery / "truth" / "groups_truth.csv")
    group_of: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        group_of[g["true_person_id"]].add(g["group_id"])
    _, assoc = checks.read(delivery / "associations.csv")
    linked_groups = set()
    labelled = 0
    for a in assoc:
        me = truth[(a["source"], a["person_source_id"])]
        if a["other_kind"] == "group" and group_of[me]:
            labelled += 1
        if a["other_kind"] != "person":
            continue
        other = truth[(a["source"], a["other_source_id"])]
        linked_groups |= group_of[me] & group_of[other]
    assert labelled > 0
    assert len(linked_groups) >= 0.9 * len({g["group_id"] for g in groups})
    # Members also turn up together in events.
    _, event_people = checks.read(delivery / "event_people.csv")
    together: dict[tuple[str, str], set[str]] = defaultdict(set)
    for ep in event_people:
        person = truth[(ep["source"], ep["person_source_id"])]
        for g in group_of[person]:
            together[(ep["source"], ep["event_source_id"])].add(f"{g}|{person}")
    co = {k for k, v in together.items() if len({x.split("|")[0] for x in v}) < len(v)}
    assert len(co) >= len(linked_groups)


def test_exploiters_are_adults_linked_to_children_across_groups(borough) -> None:  # type: ignore[no-untyped-def]
    delivery = borough.path
    truth = _truth(delivery)
    persons = _persons(delivery)
    records_of: dict[str, list[dict[str, str]]] = defaultdict(list)
    for key, tid in truth.items():
        records_of[tid].append(persons[key])
    _, groups = checks.read(delivery / "truth" / "groups_truth.csv")
    group_of: dict[str, set[str]] = defaultdict(set)
    for g in groups:
        group_of[g["true_person_id"]].add(g["group_id"])
    _, exploiters = checks.read(delivery / "truth" / "exploiters_truth.csv")
    _, assoc = checks.read(delivery / "associations.csv")
    links: dict[str, set[str]] = defaultdict(set)
    for a in assoc:
        if a["other_kind"] != "person":
            continue
        x = truth[(a["source"], a["person_source_id"])]
        y = truth[(a["source"], a["other_source_id"])]
        links[x].add(y)
        links[y].add(x)
    for row in exploiters:
        ex = row["true_person_id"]
        assert not _is_child(records_of[ex], borough.as_of)
        children = {p for p in links[ex] if _is_child(records_of[p], borough.as_of)}
        assert len(children) >= 3, ex
        reached = set().union(*(group_of[c] for c in children))
        assert len(reached) >= 2, ex


def test_hotspots_are_discs_of_150_to_400_m_for_2_to_4_months_with_clustered_incidents(
    delivery: Path,
) -> None:
    _, spots = checks.read(delivery / "truth" / "hotspots_truth.csv")
    _, events = checks.read(delivery / "events.csv")
    _, locations = checks.read(delivery / "locations.csv")
    _, organisations = checks.read(delivery / "organisations.csv")
    where = {
        (p["source"], p["source_id"]): (float(p["latitude"]), float(p["longitude"]))
        for p in locations + organisations
    }
    assert len(spots) >= 3
    for spot in spots:
        lat, lon, radius = float(spot["latitude"]), float(spot["longitude"]), int(spot["radius_m"])
        start, end = date.fromisoformat(spot["start"]), date.fromisoformat(spot["end"])
        assert 150 <= radius <= 400
        assert 55 <= (end - start).days <= 125
        assert spot["harm_type"] in checks.HARMS
        inside = 0
        for e in events:
            if spot["harm_type"] not in e["harm_types"].split(";"):
                continue
            day = datetime.fromisoformat(e["occurred_at"]).date()
            if not start <= day <= end:
                continue
            if e["latitude"]:
                point = (float(e["latitude"]), float(e["longitude"]))
            elif e["location_source_id"]:
                point = where[(e["source"], e["location_source_id"])]
            else:
                continue
            if distance_m(point[0], point[1], lat, lon) <= radius + 30:
                inside += 1
        assert inside >= 15, spot
