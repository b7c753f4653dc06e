"""Deterministic linkage on strong identifiers (efh.ingest.linkage): pure, no database."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from efh.ingest.linkage import NewPerson, assign_persons, identifiers


def test_identifiers_are_prefixed_by_kind_and_empty_ones_dropped():
    assert identifiers("9434765919", "", "12/345678A") == ("nhs:9434765919", "pnc:12/345678A")
    assert identifiers("", "", "") == ()
    # The same text as different kinds of identifier is not a match.
    assert set(identifiers("1", "", "")).isdisjoint(identifiers("", "1", ""))


def test_records_sharing_any_identifier_are_one_person():
    assigned = assign_persons(
        [
            ("nhs-a", None, ("nhs:1",)),
            ("nhs-b", None, ("nhs:1",)),
            ("upn-a", None, ("upn:K1",)),
            ("upn-b", None, ("upn:K1",)),
            ("pnc-a", None, ("pnc:12/1A",)),
            ("pnc-b", None, ("pnc:12/1A",)),
            ("alone", None, ("nhs:2",)),
            ("none", None, ()),
        ]
    )

    assert assigned["nhs-a"] == assigned["nhs-b"] == NewPerson(0)
    assert assigned["upn-a"] == assigned["upn-b"] == NewPerson(1)
    assert assigned["pnc-a"] == assigned["pnc-b"] == NewPerson(2)
    assert assigned["alone"] == NewPerson(3)
    assert assigned["none"] == NewPerson(4)


def test_the_same_text_as_different_kinds_does_not_link():
    assigned = assign_persons([("a", None, ("nhs:1",)), ("b", None, ("upn:1",))])

    assert assigned["a"] != assigned["b"]


def test_chains_form_one_person():
    # A ~ B by NHS number, B ~ C by UPN, C ~ D by PNC id: one person, though A and D share nothing.
    assigned = assign_persons(
        [
            ("A", None, ("nhs:1",)),
            ("D", None, ("pnc:12/1A",)),
            ("C", None, ("upn:K1", "pnc:12/1A")),
            ("B", None, ("nhs:1", "upn:K1")),
        ]
    )

    assert set(assigned.values()) == {NewPerson(0)}


def test_ids_are_stable_when_run_again():
    records = [
        ("a", None, ("nhs:1",)),
        ("b", None, ("upn:K1",)),
        ("c", None, ("nhs:1", "pnc:12/1A")),
        ("d", None, ()),
    ]
    first = assign_persons(records)
    person_ids = {p: 100 + p.n for p in set(first.values())}
    stored = [(key, person_ids[first[key]], ids) for key, _none, ids in records]

    second = assign_persons(stored)
    third = assign_persons(list(reversed(stored)))

    expected = {key: person_ids[first[key]] for key, _none, _ids in records}
    assert second == expected
    assert third == expected


def test_new_records_join_the_stored_person_they_match():
    assigned = assign_persons(
        [
            ("stored", 7, ("upn:K1",)),
            ("new", None, ("upn:K1", "nhs:1")),
            ("newer", None, ("nhs:1",)),
        ]
    )

    assert assigned == {"stored": 7, "new": 7, "newer": 7}


def test_a_split_keeps_the_old_id_on_one_side_and_gives_the_other_a_new_person():
    # a and b were person 5 through NHS 1; b has been corrected to NHS 2.
    assigned = assign_persons([("a", 5, ("nhs:1",)), ("b", 5, ("nhs:2",))])

    assert assigned == {"a": 5, "b": NewPerson(0)}


def test_a_three_way_split_numbers_new_persons_in_record_order():
    assigned = assign_persons([("a", 5, ("nhs:1",)), ("b", 5, ("nhs:2",)), ("c", 5, ("nhs:3",))])

    assert assigned == {"a": 5, "b": NewPerson(0), "c": NewPerson(1)}


def test_a_merge_keeps_the_smallest_id():
    assigned = assign_persons(
        [
            ("x", 9, ("nhs:1",)),
            ("y", 4, ("upn:K1",)),
            ("z", 6, ("pnc:12/1A",)),
            ("bridge", None, ("nhs:1", "upn:K1", "pnc:12/1A")),
        ]
    )

    assert set(assigned.values()) == {4}


def test_a_person_id_is_never_given_to_two_groups():
    # After a split, the freed id 3 of y is taken by nobody else; the larger id stays with y.
    assigned = assign_persons([("x", 3, ("nhs:1",)), ("y", 3, ("nhs:2",)), ("z", 8, ("nhs:2",))])

    assert assigned == {"x": 3, "y": 8, "z": 8}


def test_no_records():
    assert assign_persons([]) == {}


_ids = st.lists(
    st.sampled_from(["nhs:1", "nhs:2", "upn:K1", "upn:K2", "pnc:1", "pnc:2", "nhs:3"]),
    max_size=3,
    unique=True,
)


@settings(max_examples=200, deadline=None, database=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.integers(1, 6)), _ids), max_size=12))
def test_linkage_properties(rows):
    records = [(i, person, tuple(ids)) for i, (person, ids) in enumerate(rows)]

    assigned = assign_persons(records)

    assert set(assigned) == {key for key, _p, _ids in records}
    # Records sharing an identifier are one person.
    for a_key, _a, a_ids in records:
        for b_key, _b, b_ids in records:
            if set(a_ids) & set(b_ids):
                assert assigned[a_key] == assigned[b_key]
    # Each person's records are connected through shared identifiers (so groups never share
    # a person).
    groups: dict[object, set[int]] = {}
    for key, person in assigned.items():
        groups.setdefault(person, set()).add(key)
    for members in groups.values():
        reached, frontier = set(), [min(members)]
        while frontier:
            key = frontier.pop()
            if key in reached:
                continue
            reached.add(key)
            ids = set(records[key][2])
            frontier += [k for k in members if set(records[k][2]) & ids]
        assert reached == members
    # A group keeps a stored id only if one of its records had it; new persons count from 0.
    for person, members in groups.items():
        if not isinstance(person, NewPerson):
            assert person in {records[k][1] for k in members}
    fresh = sorted(p.n for p in groups if isinstance(p, NewPerson))
    assert fresh == list(range(len(fresh)))
    # Storing the result and running again changes no stored id.
    stored = [
        (key, None if isinstance(assigned[key], NewPerson) else assigned[key], ids)
        for key, _p, ids in records
    ]
    again = assign_persons(stored)
    kept = {k: p for k, p in assigned.items() if not isinstance(p, NewPerson)}
    assert {k: again[k] for k in kept} == kept
