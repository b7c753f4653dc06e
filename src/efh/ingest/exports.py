"""What ``efh export`` writes: header and rows, read straight from the database."""

from __future__ import annotations

from collections.abc import Iterable

from efh.people.models import PersonRecord


def persons() -> tuple[list[str], Iterable[tuple]]:
    """``source, source_id, person_id`` for every imported person record."""
    rows = (
        PersonRecord.objects.order_by("source", "source_id")
        .values_list("source", "source_id", "person_id")
        .iterator(chunk_size=5000)
    )
    return ["source", "source_id", "person_id"], rows
