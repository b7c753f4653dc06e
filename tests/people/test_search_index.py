"""The search index: normalisation, the keys a record gives, and keeping the index in step
with imports, the platform's own saves and ``efh search_index``."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from efh.people.models import Address, Alias, PersonRecord, SearchName
from efh.people.search_index import (
    canonical_identifier,
    canonical_postcode,
    identifier_candidates,
    name_keys,
    normalise,
    record_rows,
    search_index_rebuild,
)

CONFORMANCE = Path(__file__).resolve().parents[1] / "ingest" / "data" / "conformance"


def copy_delivery(dest: Path) -> Path:
    shutil.copytree(CONFORMANCE, dest)
    return dest


def edit(folder: Path, file: str, line: int, **values: str) -> None:
    """Set columns of the record on physical ``line`` (2 = the first record)."""
    with (folder / file).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    for column, value in values.items():
        rows[line - 1][rows[0].index(column)] = value
    with (folder / file).open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def test_normalise() -> None:
    assert normalise("Zoë O'Brien-Smith") == "zoe obrien smith"
    assert normalise("  ANNA\u2013MARIA\t") == "anna maria"
    assert normalise("Big\u2019Z") == "bigz"
    assert normalise("!!!") == ""


def test_keys_match_sound_alikes_and_swapped_letters() -> None:
    assert name_keys("mohammed")[:2] == name_keys("muhammad")[:2]
    assert name_keys("smith")[2] == name_keys("smtih")[2]
    assert name_keys("j") == ("", "", "")


def test_postcodes_and_identifiers() -> None:
    assert canonical_postcode(" e81ab ") == "E8 1AB"
    assert canonical_postcode("n16") == "N16"
    assert canonical_identifier("943 476-5919") == "9434765919"
    assert canonical_identifier("21 1227714q") == "21/1227714Q"
    assert identifier_candidates("211227714Q") == ["211227714Q", "21/1227714Q", "2112/27714Q"]


def test_record_rows() -> None:
    rows = record_rows(
        7, "Mary-Jane", "Smith", date(2011, 1, 2), True, "9434765919", "", "", ["Lil MJ"], ["e81ab"]
    )
    assert [(kind, text) for _id, kind, text, *_ in rows] == [
        ("given", "mary"),
        ("given", "jane"),
        ("family", "smith"),
        ("alias", "lil"),
        ("alias", "mj"),
        ("postcode", "E8 1AB"),
        ("nhs", "9434765919"),
    ]
    assert all(row[0] == 7 and row[6] == date(2011, 1, 2) and row[7] is True for row in rows)


def index_snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        SearchName.objects.values_list(
            "record_id",
            "kind",
            "text",
            "metaphone",
            "nysiis",
            "anagram",
            "date_of_birth",
            "is_child",
        )
    )


@pytest.mark.django_db
def test_an_import_indexes_what_it_added_and_changed(tmp_path: Path) -> None:
    from efh.ingest.services import delivery_import

    first = copy_delivery(tmp_path / "first")
    delivery_import(path=first)
    records = PersonRecord.objects.count()
    assert records
    assert set(SearchName.objects.values_list("record_id", flat=True).distinct()) == set(
        PersonRecord.objects.values_list("pk", flat=True)
    )
    imported = index_snapshot()
    search_index_rebuild()
    assert index_snapshot() == imported  # the import's refresh is what a rebuild gives

    second = copy_delivery(tmp_path / "second")
    edit(second, "persons.csv", 2, family_name="Adjei-Brown", other_names="Kofz")
    delivery_import(path=second)
    record = PersonRecord.objects.get(source="education", source_id="P-1")
    texts = set(SearchName.objects.filter(record=record).values_list("kind", "text"))
    assert {("family", "adjei"), ("family", "brown"), ("alias", "kofz")} <= texts
    assert ("family", "mensah") not in texts


@pytest.mark.django_db
def test_an_unchanged_reimport_does_not_touch_the_index(tmp_path: Path) -> None:
    from efh.ingest.services import delivery_import

    delivery_import(path=copy_delivery(tmp_path / "first"))
    before = list(SearchName.objects.order_by("pk").values_list("pk", flat=True))
    delivery_import(path=copy_delivery(tmp_path / "again"))
    assert list(SearchName.objects.order_by("pk").values_list("pk", flat=True)) == before


@pytest.mark.django_db
def test_saves_on_the_platform_refresh_the_record(make_person: Any) -> None:
    person = make_person(source="police", given_name="Ada", family_name="Lovelace")
    record = person.records.get()
    assert ("family", "lovelace") in set(
        SearchName.objects.filter(record=record).values_list("kind", "text")
    )
    Alias.objects.create(record=record, name="Countess")
    Address.objects.create(
        record=record, postcode="n16 9qg", valid_from=datetime(2026, 1, 1, tzinfo=UTC)
    )
    texts = set(SearchName.objects.filter(record=record).values_list("kind", "text"))
    assert {("alias", "countess"), ("postcode", "N16 9QG")} <= texts


@pytest.mark.django_db
def test_the_command_rebuilds_the_index(make_person: Any) -> None:
    make_person(source="police", given_name="Ada", family_name="Lovelace", nhs_number="9434765919")
    expected = index_snapshot()
    SearchName.objects.all().delete()
    out = io.StringIO()
    call_command("search_index", stdout=out)
    assert index_snapshot() == expected
    assert "Search index rebuilt: 3 keys" in out.getvalue()
