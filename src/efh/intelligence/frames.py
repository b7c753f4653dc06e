"""The snapshot the intelligence jobs read: one Polars frame per kind of fact, keyed by person.

The ``efh refresh`` job builds a ``Snapshot`` from the database (linked persons, not source
records: every id here is a ``people.Person`` id after linkage); benchmarks and tests build one
from a synthetic delivery. The analytics (``network``, ``hotspots``, ``trends``) take a snapshot
and return frames; none of them reads anything else.

Places are keyed by a string, ``"location:<id>"`` or ``"organisation:<id>"``. Times are naive
UTC ``datetime[us]``. ``SCHEMAS`` is the contract; ``Snapshot.validate`` checks a snapshot
against it so a caller's mistake fails loudly here, not deep in an algorithm.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

import polars as pl

DT = pl.Datetime("us")

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    # One row per linked person.
    "persons": {
        "person_id": pl.Int64(),
        "is_child": pl.Boolean(),
        "date_of_birth": pl.Date(),  # null when unknown
        "sex": pl.String(),  # "F", "M", "X" or ""
        "ethnicity": pl.String(),  # census code ("A3") or ""
        "ward": pl.String(),  # ward code of the latest address, or ""
    },
    # One row per event (incident, stop and search, concern, intelligence, ...).
    "events": {
        "event_id": pl.Int64(),
        "kind": pl.String(),
        "occurred_at": DT,
        "harm_types": pl.List(pl.String()),  # harm type codes, possibly empty
        "place": pl.String(),  # "location:12" or null
        "latitude": pl.Float64(),  # the event's own point, else its place's; null when neither
        "longitude": pl.Float64(),
        "ward": pl.String(),  # ward code of the point, or ""
    },
    # Who was in each event, in what role.
    "event_people": {
        "event_id": pl.Int64(),
        "person_id": pl.Int64(),
        "role": pl.String(),  # subject, victim, suspect, witness, associate
    },
    # Recorded associations from a person to a person, a group label or a place.
    "associations": {
        "association_id": pl.Int64(),
        "person_id": pl.Int64(),
        "other_person_id": pl.Int64(),  # null unless the other side is a person
        "group_label": pl.String(),  # "<source>:<label>" for member_of a group, else null
        "place": pl.String(),  # for frequents / attends / found_at / lives_at, else null
        "kind": pl.String(),  # friend, associate, sibling, partner, suspected_exploiter, ...
        "first_seen": pl.Date(),
        "last_seen": pl.Date(),
        "source_evaluation": pl.String(),  # "1" to "3" or ""
        "intelligence_evaluation": pl.String(),  # "A" to "E" or ""
        "source": pl.String(),
    },
    # Missing episodes.
    "missing": {
        "episode_id": pl.Int64(),
        "person_id": pl.Int64(),
        "missing_from": pl.String(),  # home, care, education
        "went_missing_at": DT,
        "returned_at": DT,
        "found_place": pl.String(),
        "found_latitude": pl.Float64(),  # the recorded point, else the found place's
        "found_longitude": pl.Float64(),
    },
    # Who the child was missing with, as recorded on the episode.
    "missing_with": {
        "episode_id": pl.Int64(),
        "person_id": pl.Int64(),
    },
    # Addresses and phones, normalised (upper case, single spaces), for shared-contact links.
    "contacts": {
        "person_id": pl.Int64(),
        "kind": pl.String(),  # "address" or "phone"
        "value": pl.String(),
    },
    # Every place any of the above names.
    "places": {
        "place": pl.String(),
        "name": pl.String(),
        "kind": pl.String(),
        "latitude": pl.Float64(),
        "longitude": pl.Float64(),
        "ward": pl.String(),
    },
}


class SnapshotError(ValueError):
    """A snapshot frame is missing a column or has the wrong type."""


@dataclass(frozen=True)
class Snapshot:
    persons: pl.DataFrame
    events: pl.DataFrame
    event_people: pl.DataFrame
    associations: pl.DataFrame
    missing: pl.DataFrame
    missing_with: pl.DataFrame
    contacts: pl.DataFrame
    places: pl.DataFrame
    as_of: datetime  # the moment the snapshot describes (naive UTC); windows end here

    def validate(self) -> Snapshot:
        for f in fields(self):
            if f.name == "as_of":
                continue
            frame = getattr(self, f.name)
            for column, dtype in SCHEMAS[f.name].items():
                if column not in frame.columns:
                    raise SnapshotError(f"{f.name}: no column {column!r}")
                if frame.schema[column] != dtype:
                    raise SnapshotError(
                        f"{f.name}.{column}: expected {dtype}, got {frame.schema[column]}"
                    )
        return self


def empty(name: str) -> pl.DataFrame:
    """An empty frame of the named kind, with its schema."""
    return pl.DataFrame(schema=SCHEMAS[name])
