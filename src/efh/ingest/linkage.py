"""Deterministic linkage on strong identifiers (NHS number, UPN, PNC id).

At import, two source records are the same person when they share a valid strong identifier
(``efh link`` finds the rest, probabilistically; the importer ties the records of people it joined
with a ``person:<id>`` key so that no import splits them). This module is pure: it takes records with their
current person and identifiers and says which person each belongs to, keeping existing person ids
stable so that re-importing never renumbers anyone. The groups are the connected components of
the graph of records and the identifiers they hold (``scipy.sparse.csgraph``); the person-id
claiming rule below is the platform's own.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


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
    n = len(items)
    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for index, (_key, _person, identifiers) in enumerate(items):
        for identifier in identifiers:
            rows.append(index)
            cols.append(n + columns.setdefault(identifier, len(columns)))
    size = n + len(columns)
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(size, size))
    _, labels = connected_components(graph, directed=False)
    groups: dict[int, list[int]] = {}
    for index in range(n):  # in index order: each group's members sorted, keyed by its label
        groups.setdefault(int(labels[index]), []).append(index)

    claimed: set[int] = set()
    result: dict[Hashable, int | NewPerson] = {}
    fresh = 0
    for members in sorted(groups.values()):  # by each group's smallest index: a stable order
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
