"""Realism statistics of the generated borough (2,000 children, so loose bounds)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from efh.synth import checks


def _rows(delivery, name):  # type: ignore[no-untyped-def]
    return checks.read(delivery / name)[1]


def _children(persons: list[dict[str, str]], truth: dict, as_of: date) -> dict[str, list]:  # type: ignore[type-arg]
    by_person: dict[str, list[dict[str, str]]] = defaultdict(list)
    for p in persons:
        by_person[truth[(p["source"], p["source_id"])]].append(p)
    out = {}
    for tid, recs in by_person.items():
        flags = [r["is_child"] for r in recs if r["is_child"]]
        if flags and flags[0] == "Y":
            out[tid] = recs
    return out


def test_volumes_scale_as_promised(borough) -> None:  # type: ignore[no-untyped-def]
    n = borough.children
    c = borough.counts
    assert 1.6 * n <= c["persons.csv"] <= 2.6 * n
    assert 2.5 * n <= c["events.csv"] <= 3.6 * n
    assert 4.0 * n <= c["event_people.csv"] <= 6.0 * n
    assert 0.7 * n <= c["associations.csv"] <= 1.4 * n
    assert 0.1 * n <= c["missing_episodes.csv"] <= 0.2 * n


def test_population_mix(borough) -> None:  # type: ignore[no-untyped-def]
    persons = _rows(borough.path, "persons.csv")
    truth = checks.truth_index(borough.path)
    children = _children(persons, truth, borough.as_of)
    assert 0.9 * borough.children <= len(children) <= borough.children
    adults = sum(1 for p in persons if p["is_child"] == "N")
    assert 0.08 <= adults / len(persons) <= 0.16
    sex = Counter(p["sex"] for p in persons)
    assert 0.44 <= sex["F"] / len(persons) <= 0.55
    assert sex["X"] + sex["U"] < 0.05 * len(persons)
    eth = Counter(p["ethnicity"] for p in persons if p["ethnicity"])
    total = sum(eth.values())
    assert 0.28 <= eth["W1"] / total <= 0.42
    assert 0.10 <= eth["W5"] / total <= 0.20
    assert 0.06 <= eth["B1"] / total <= 0.14
    asian = sum(v for k, v in eth.items() if k.startswith("A"))
    mixed = sum(v for k, v in eth.items() if k.startswith("M"))
    assert 0.06 <= asian / total <= 0.14
    assert 0.06 <= mixed / total <= 0.14


def test_looked_after_send_and_child_protection_rates(borough) -> None:  # type: ignore[no-untyped-def]
    persons = _rows(borough.path, "persons.csv")
    truth = checks.truth_index(borough.path)
    children = _children(persons, truth, borough.as_of)
    lac = sum(1 for recs in children.values() if any(r["looked_after"] == "Y" for r in recs))
    assert 0.005 <= lac / len(children) <= 0.02
    pupils = [p for p in persons if p["source"] == "education" and p["is_child"] == "Y"]
    send = sum(p["send"] == "Y" for p in pupils) / len(pupils)
    assert 0.10 <= send <= 0.22
    cpp = sum(
        1 for recs in children.values() if any(r["child_protection_plan"] == "Y" for r in recs)
    )
    assert 0.01 <= cpp / len(children) <= 0.06


def test_about_duplicate_rate_of_children_have_several_records(borough) -> None:  # type: ignore[no-untyped-def]
    persons = _rows(borough.path, "persons.csv")
    truth = checks.truth_index(borough.path)
    children = _children(persons, truth, borough.as_of)
    several = sum(1 for recs in children.values() if len(recs) > 1) / len(children)
    assert 0.25 <= several <= 0.38
    sources = Counter(len({r["source"] for r in recs}) for recs in children.values())
    assert set(sources) <= {1, 2, 3, 4}
    same_source = sum(
        1 for recs in children.values() if len({r["source"] for r in recs}) < len(recs)
    )
    assert same_source > 0


def test_records_of_one_child_differ_as_real_ones_do(borough) -> None:  # type: ignore[no-untyped-def]
    persons = _rows(borough.path, "persons.csv")
    truth = checks.truth_index(borough.path)
    children = _children(persons, truth, borough.as_of)
    multi = [recs for recs in children.values() if len(recs) > 1]
    given = sum(len({r["given_name"] for r in recs}) > 1 for recs in multi)
    family = sum(len({r["family_name"].lower() for r in recs}) > 1 for recs in multi)
    dob = sum(len({r["date_of_birth"] for r in recs if r["date_of_birth"]}) > 1 for recs in multi)
    assert 0.05 * len(multi) <= given <= 0.5 * len(multi)
    assert 0.03 * len(multi) <= family <= 0.4 * len(multi)
    assert dob >= 0.01 * len(multi)
    # Look-alikes: different children sharing a full name, and twins.
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    births: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for tid, recs in children.items():
        r = recs[0]
        names[(r["given_name"], r["family_name"])].add(tid)
        if r["date_of_birth"] and r["postcode"]:
            births[(r["family_name"], r["date_of_birth"], r["postcode"])].add(tid)
    assert sum(len(v) > 1 for v in names.values()) >= 3
    assert sum(len(v) > 1 for v in births.values()) >= 1


def test_events_concentrate_on_adolescents(borough) -> None:  # type: ignore[no-untyped-def]
    persons = {(p["source"], p["source_id"]): p for p in _rows(borough.path, "persons.csv")}
    ages = []
    for ep in _rows(borough.path, "event_people.csv"):
        p = persons[(ep["source"], ep["person_source_id"])]
        if p["is_child"] == "Y" and p["date_of_birth"]:
            ages.append((borough.as_of - date.fromisoformat(p["date_of_birth"])).days / 365.25)
    teen = sum(10 <= a < 18 for a in ages) / len(ages)
    assert teen >= 0.75


def test_missing_episodes_are_heavy_tailed(borough) -> None:  # type: ignore[no-untyped-def]
    truth = checks.truth_index(borough.path)
    episodes = _rows(borough.path, "missing_episodes.csv")
    per_child = Counter(truth[(e["source"], e["person_source_id"])] for e in episodes)
    counts = sorted(per_child.values(), reverse=True)
    top = max(1, round(0.05 * len(counts)))
    share = sum(counts[:top]) / sum(counts)
    assert 0.35 <= share <= 0.45, share
    assert sum(1 for e in episodes if e["missing_with"]) >= 0.03 * len(episodes)
    assert {e["missing_from"] for e in episodes} == {"home", "care", "education"}


def test_return_home_interviews(borough) -> None:  # type: ignore[no-untyped-def]
    episodes = _rows(borough.path, "missing_episodes.csv")
    returned = [e for e in episodes if e["returned_at"]]
    assert len(returned) < len(episodes)  # a few children are not back yet
    quick = 0
    for e in returned:
        if e["rhi_completed_at"]:
            back = datetime.fromisoformat(e["returned_at"])
            done = datetime.fromisoformat(e["rhi_completed_at"])
            quick += done - back <= timedelta(hours=72)
    assert 0.52 <= quick / len(returned) <= 0.72
    assert any(not e["rhi_offered_at"] for e in returned)
