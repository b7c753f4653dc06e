"""Linkage through the importer: records sharing an NHS number, UPN or PNC id are one person."""

from __future__ import annotations

from pathlib import Path

from efh.ingest.services import delivery_import
from efh.people.models import Person, PersonRecord

from .helpers import copy_delivery, edit, write_rows

HEADER = [
    "source",
    "source_id",
    "given_name",
    "family_name",
    "nhs_number",
    "upn",
    "pnc_id",
    "recorded_at",
]


def _persons() -> dict[str, int]:
    return dict(PersonRecord.objects.values_list("source_id", "person_id"))


def _persons_only(tmp_path: Path, *rows: list[str]) -> Path:
    folder = tmp_path / "persons-only"
    folder.mkdir()
    write_rows(folder, "persons.csv", HEADER, [list(r) for r in rows])
    return folder


def test_conformance_records_sharing_an_nhs_number_are_one_person(imported):
    persons = _persons()

    assert persons["H-77"] == persons["SC-5"]
    # Kofi's school record has a UPN only, and the two Leylas share no identifier: until
    # probabilistic linkage, they stay apart.
    assert (
        len({persons["P-1"], persons["H-77"], persons["P-2"], persons["PN-9"], persons["PN-10"]})
        == 5
    )
    assert Person.objects.count() == 5
    assert not Person.objects.filter(records__isnull=True).exists()


def test_person_ids_do_not_change_when_the_delivery_is_imported_again(imported, tmp_path):
    persons = _persons()
    folder = copy_delivery(tmp_path / "again")
    (folder / "notes.txt").write_text("same files\n", encoding="utf-8")

    assert delivery_import(path=folder).already_imported
    assert _persons() == persons


def test_a_new_record_sharing_a_upn_joins_that_person(imported, tmp_path):
    before = _persons()
    folder = _persons_only(
        tmp_path,
        ["youth_justice", "YJ-1", "Kofi", "Mensah", "", "K123456789012", "", "2026-09-05T10:00:00"],
    )

    delivery_import(path=folder)

    after = _persons()
    assert after["YJ-1"] == before["P-1"]
    assert {k: after[k] for k in before} == before
    assert Person.objects.count() == 5


def test_a_record_bridging_two_persons_merges_them_under_the_older_id(imported, tmp_path):
    before = _persons()
    kofi_school, kofi_health = before["P-1"], before["H-77"]
    assert kofi_school != kofi_health
    folder = _persons_only(
        tmp_path,
        [
            "youth_justice",
            "YJ-1",
            "Kofi",
            "Mensah",
            "9434765919",
            "K123456789012",
            "",
            "2026-09-05T10:00:00",
        ],
    )

    delivery_import(path=folder)

    after = _persons()
    kept = min(kofi_school, kofi_health)
    assert after["P-1"] == after["H-77"] == after["SC-5"] == after["YJ-1"] == kept
    assert not Person.objects.filter(pk=max(kofi_school, kofi_health)).exists()
    assert Person.objects.count() == 4
    assert {k: after[k] for k in ("P-2", "PN-9", "PN-10")} == {
        k: before[k] for k in ("P-2", "PN-9", "PN-10")
    }


def test_a_corrected_identifier_splits_a_person_and_keeps_the_id_on_one_side(imported, tmp_path):
    before = _persons()
    folder = copy_delivery(tmp_path / "corrected")
    edit(folder, "persons.csv", 4, nhs_number="")  # SC-5 no longer carries H-77's NHS number

    delivery_import(path=folder)

    after = _persons()
    assert after["H-77"] == before["H-77"]
    assert after["SC-5"] != before["SC-5"]
    assert after["SC-5"] not in before.values()
    assert Person.objects.count() == 6


def test_new_records_from_one_delivery_sharing_a_pnc_id_are_one_person(db, conformance):
    edit(conformance, "persons.csv", 7, pnc_id="12/345678a")  # PN-10 now shares PN-9's PNC id

    delivery_import(path=conformance)

    persons = _persons()
    assert persons["PN-9"] == persons["PN-10"]
    assert Person.objects.count() == 4
