"""Reads the importer needs. These run as the system (an import is an agency's delivery, not a
person's view), never return personal details beyond keys and identifiers, and are not used by
any view."""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from efh.concerns.models import EventPerson, HarmType
from efh.contexts.models import PeerGroup, Ward
from efh.core.bulk import read_frame
from efh.core.models import Delivery, Source
from efh.ingest.spec import FileSpec
from efh.ingest.targets import model_for
from efh.ingest.validation import Vocabulary
from efh.people.models import (
    Address,
    Alias,
    LinkDecision,
    LinkDecisionKind,
    LinkRun,
    LinkRunStatus,
    Merge,
    PersonRecord,
    ReviewPair,
)


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


def persons_joined_by_linkage() -> set[int]:
    """People a merge still in force made (by ``efh link`` or a reviewer)."""
    return set(Merge.objects.filter(unmerged_at__isnull=True).values_list("survivor_id", flat=True))


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


def link_records() -> pl.DataFrame:
    """Every person record as the linkage engine takes it (``efh.intelligence.linkage``'s input
    columns), with its current ``person_id`` and ``delivery_id`` beside them.

    Run by ``efh link`` as the system; never shown to anyone. Aliases are gathered into a list per
    record, and the record's current address (the latest one still valid) gives address and
    postcode.
    """
    records = read_frame(
        "SELECT id, source, person_id, delivery_id, given_name, family_name, "  # noqa: S608
        "date_of_birth, sex, nhs_number, upn, pnc_id, phone "
        f"FROM {PersonRecord._meta.db_table}",
        {
            "unique_id": pl.Int64,
            "source": pl.String,
            "person_id": pl.Int64,
            "delivery_id": pl.Int64,
            "given_name": pl.String,
            "family_name": pl.String,
            "date_of_birth": pl.Date,
            "sex": pl.String,
            "nhs_number": pl.String,
            "upn": pl.String,
            "pnc_id": pl.String,
            "phone": pl.String,
        },
    )
    aliases = read_frame(
        f"SELECT record_id, name FROM {Alias._meta.db_table}",  # noqa: S608
        {"unique_id": pl.Int64, "name": pl.String},
    )
    addresses = read_frame(
        "SELECT record_id, address, postcode, valid_from "  # noqa: S608
        f"FROM {Address._meta.db_table} WHERE valid_to IS NULL",
        {
            "unique_id": pl.Int64,
            "address": pl.String,
            "postcode": pl.String,
            "valid_from": pl.String,
        },
    )
    other_names = aliases.group_by("unique_id").agg(pl.col("name").alias("other_names"))
    current = (
        addresses.sort("valid_from")
        .group_by("unique_id")
        .agg(pl.col("address").last(), pl.col("postcode").last())
    )
    text = ["given_name", "family_name", "sex", "nhs_number", "upn", "pnc_id", "phone"]
    return (
        records.join(other_names, on="unique_id", how="left")
        .join(current, on="unique_id", how="left")
        .with_columns(
            *[pl.col(c).fill_null("") for c in [*text, "address", "postcode"]],
            pl.col("other_names").fill_null(pl.lit([], dtype=pl.List(pl.String))),
        )
        .sort("unique_id")
    )


def link_decided_apart() -> list[tuple[int, int]]:
    """Record pairs a person decided are different people, or was not sure about: the model
    must never link them (nor the people they belong to)."""
    return list(
        LinkDecision.objects.exclude(decision=LinkDecisionKind.SAME).values_list(
            "record_a_id", "record_b_id"
        )
    )


def link_decided_pairs() -> set[tuple[int, int]]:
    """Every record pair a person has decided (never put on the review queue again)."""
    return set(LinkDecision.objects.values_list("record_a_id", "record_b_id"))


def link_open_review_pairs() -> dict[tuple[int, int], int]:
    """The review queue as it stands: (record_a, record_b) -> ReviewPair id, for open pairs."""
    return {
        (a, b): pk
        for pk, a, b in ReviewPair.objects.filter(resolved_at__isnull=True).values_list(
            "id", "record_a_id", "record_b_id"
        )
    }


def link_last_run() -> LinkRun | None:
    """The latest successful link run (its watermarks say which records are new since)."""
    return LinkRun.objects.filter(status=LinkRunStatus.SUCCEEDED).order_by("-finished_at").first()


def link_runs_running() -> list[LinkRun]:
    """Link runs whose row still says running (some may have died: see ``linking``)."""
    return list(LinkRun.objects.filter(status=LinkRunStatus.RUNNING))
