"""Extension points of the people app, filled by the apps above it when they start
(``AppConfig.ready``), so that ``people`` imports none of them:

- **rows that hang off a person** (not off one of their records): a merge moves them to the
  survivor and an unmerge moves them back (``people.services.linking``). People's own are
  involvements, information-sharing decisions and break-glass accesses; concerns adds concern
  drafts and the Philomena profile (one per person: a survivor that has its own keeps it, and
  the absorbed person's stays with it until an unmerge);
- **ways an agency comes to have recorded about a person**, which give its staff need to know
  (``people.policy``): the person's records from the agency's sources, and whatever the apps
  above add (concerns: events and missing episodes the agency recorded);
- **other grounds a user has to open a person's record** (casework: the child's case is led by
  the user's agency, or the user is its lead practitioner or allocated worker).

The merge and the policy read these lists at run time, after every app is ready.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q


@dataclass(frozen=True)
class PersonRows:
    kind: str
    """Its name in ``Merge.moved`` (stored: never rename one that merges have used)."""
    model: Any
    """A model with a ``person`` foreign key."""
    label: str
    """What one is called, in "a concern draft that moved with this merge"."""
    one_per_person: bool = False

    @property
    def kept_kind(self) -> str:
        """Where ``Merge.moved`` notes a one-per-person row left with the absorbed person."""
        return f"{self.kind}_kept_on_absorbed"


_person_rows: dict[str, PersonRows] = {}
_agency_recorded: list[Callable[[list[str]], Q]] = []
_need_to_know: list[Callable[[Any, datetime], Q]] = []


def register_person_rows(
    kind: str, model: Any, label: str, *, one_per_person: bool = False
) -> PersonRows:
    if kind in _person_rows and _person_rows[kind].model is not model:
        raise ValueError(f"Person rows {kind!r} are already registered for another model")
    rows = _person_rows[kind] = PersonRows(kind, model, label, one_per_person)
    return rows


def person_rows() -> list[PersonRows]:
    """Every registered kind, in registration order; many-per-person kinds first."""
    rows = list(_person_rows.values())
    return [r for r in rows if not r.one_per_person] + [r for r in rows if r.one_per_person]


def register_agency_recorded(condition: Callable[[list[str]], Q]) -> None:
    """``condition(source_codes)``: a ``Q`` on ``Person`` true where one of those sources
    recorded something about the person."""
    if condition not in _agency_recorded:
        _agency_recorded.append(condition)


def agency_recorded_conditions() -> list[Callable[[list[str]], Q]]:
    return list(_agency_recorded)


def register_need_to_know(condition: Callable[[Any, datetime], Q]) -> None:
    """``condition(user, at)``: a ``Q`` on ``Person`` true where another app gives the user a
    ground to open the person's whole record at ``at`` (``people.policy.Ground.CASE``)."""
    if condition not in _need_to_know:
        _need_to_know.append(condition)


def need_to_know_conditions() -> list[Callable[[Any, datetime], Q]]:
    return list(_need_to_know)
