"""Reads the importer needs. These run as the system (an import is an agency's delivery, not a
person's view), never return personal details beyond keys and identifiers, and are not used by
any view."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from efh.concerns.models import EventPerson, HarmType
from efh.contexts.models import PeerGroup, Ward
from efh.core.models import Delivery, Source
from efh.ingest.spec import FileSpec
from efh.ingest.targets import model_for
from efh.ingest.validation import Vocabulary
from efh.people.models import PersonRecord


def delivery_by_fingerprint(fingerprint: str) -> Delivery | None:
    return Delivery.objects.filter(fingerprint=fingerprint).first()


def vocabulary() -> Vocabulary:
    return Vocabulary(
        sources=frozenset(Source.objects.values_list("code", flat=True)),
        harm_types=frozenset(HarmType.objects.filter(active=True).values_list("code", flat=True)),
    )


class StoredKeys:
    """Keys, ids and content hashes of stored records, read once per file kind per import."""

    def __init__(self) -> None:
        self._cache: dict[str, pl.DataFrame] = {}

    def keys(self, spec: FileSpec, with_hash: bool = False) -> pl.DataFrame:
        if spec.name not in self._cache:
            rows = model_for(spec)._default_manager.values_list(
                "source", "source_id", "id", "row_hash"
            )
            self._cache[spec.name] = pl.DataFrame(
                list(rows),
                schema={
                    "source": pl.String,
                    "source_id": pl.String,
                    "_id": pl.Int64,
                    "row_hash": pl.String,
                },
                orient="row",
            )
        frame = self._cache[spec.name]
        return frame if with_hash else frame.select("source", "source_id")


def records_with_identifiers() -> list[tuple[int, int, str, str, str]]:
    """Every person record holding a strong identifier: (id, person, nhs, upn, pnc)."""
    return list(
        PersonRecord.objects.exclude(nhs_number="", upn="", pnc_id="")
        .order_by("id")
        .values_list("id", "person_id", "nhs_number", "upn", "pnc_id")
    )


def persons_of(record_ids: Iterable[int]) -> dict[int, int]:
    """record id -> person id."""
    ids = list(record_ids)
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        found.update(
            PersonRecord.objects.filter(id__in=ids[start : start + 500]).values_list(
                "id", "person_id"
            )
        )
    return found


def harm_type_ids() -> dict[str, int]:
    return dict(HarmType.objects.values_list("code", "id"))


def event_people_keys(sources: list[str]) -> pl.DataFrame:
    rows = EventPerson.objects.filter(source__in=sources).values_list(
        "event_id", "record_id", "role"
    )
    return pl.DataFrame(
        list(rows),
        schema={"event_id": pl.Int64, "record_id": pl.Int64, "role": pl.String},
        orient="row",
    )


def peer_group_ids(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    pairs = list(pairs)
    if not pairs:
        return {}
    sources = {s for s, _ in pairs}
    names = {n for _, n in pairs}
    found = PeerGroup.objects.filter(source__in=sources, name__in=names).values_list(
        "source", "name", "id"
    )
    return {(s, n): i for s, n, i in found}


def ward_points() -> list[tuple[int, float, float]]:
    return list(Ward.objects.order_by("id").values_list("id", "latitude", "longitude"))
