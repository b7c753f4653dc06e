"""Deterministic linkage on strong identifiers (NHS number, UPN, PNC id).

At import, two source records are the same person when they share a valid strong identifier
(``efh link`` finds the rest, probabilistically; the importer ties the records of people it joined
with a ``person:<id>`` key so that no import splits them). This module is pure: it takes records with their
current person and identifiers and says which person each belongs to, keeping existing person ids
stable so that re-importing never renumbers anyone. A union-find this small is written here rather
than pulled in from a graph library because it must also apply the person-id claiming rule below.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class NewPerson:
    """A person not yet stored; ``n`` numbers them from 0 in a stable order."""

    n: int


def assign_persons(
    records: Iterable[tuple[Hashable, int | None, tuple[str, ...]]],
) -> dict[Hashable, int | NewPerson]:
    """Group records sharing any identifier; give each group one person.

    ``records`` are ``(key, current_person_id or None, identifiers)``, identifiers already
    prefixed by their kind (``nhs:...``). Each group keeps the smallest current person id that no
    earlier group has claimed (groups ordered by their smallest key), so a split keeps the old id
    on one side and a merge keeps the oldest id; a group with nothing to claim gets a NewPerson.
    """
    items = list(records)
    parent = list(range(len(items)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for index, (_key, _person, identifiers) in enumerate(items):
        for identifier in identifiers:
            if identifier in owner:
                a, b = find(index), find(owner[identifier])
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[identifier] = index
    groups: dict[int, list[int]] = {}
    for index in range(len(items)):
        groups.setdefault(find(index), []).append(index)

    claimed: set[int] = set()
    result: dict[Hashable, int | NewPerson] = {}
    fresh = 0
    for root in sorted(groups):  # roots are each group's smallest index: a stable order
        members = groups[root]
        candidates = sorted({p for i in members if (p := items[i][1]) is not None} - claimed)
        person: int | NewPerson
        if candidates:
            person = candidates[0]
            claimed.add(person)
        else:
            person = NewPerson(fresh)
            fresh += 1
        for i in members:
            result[items[i][0]] = person
    return result


def identifiers(nhs_number: str, upn: str, pnc_id: str) -> tuple[str, ...]:
    """The strong identifiers of a validated record, each prefixed with its kind."""
    found = []
    if nhs_number:
        found.append(f"nhs:{nhs_number}")
    if upn:
        found.append(f"upn:{upn}")
    if pnc_id:
        found.append(f"pnc:{pnc_id}")
    return tuple(found)
