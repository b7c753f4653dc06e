"""All or nothing, with real commits (transactional tests), and provenance of every record."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command

from efh.concerns.models import Event, EventPerson, MissingEpisode
from efh.contexts.models import Association, Location, Organisation
from efh.core.models import Delivery, RecordVersion
from efh.ingest import services
from efh.ingest.services import DeliveryRejected, delivery_import
from efh.people.models import PersonRecord

from .helpers import copy_delivery, edit, raw_row, read_rows, snapshot, write_rows

# Transactional tests empty every table afterwards; serialized rollback restores the sources
# and harm types the migrations seed, for the tests that follow.
transactional = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@transactional
def test_a_bad_row_in_the_last_file_stores_nothing_from_earlier_files(tmp_path):
    before = snapshot()
    folder = copy_delivery(tmp_path / "bad")
    edit(folder, "missing_episodes.csv", 2, missing_from="school")

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=folder)

    assert [str(p) for p in rejected.value.problems] == [
        "missing_episodes.csv, line 2, column missing_from: 'school' is not a known code "
        "(expected one of: home, care, education)"
    ]
    assert snapshot() == before
    assert not Delivery.objects.exists()


@transactional
def test_a_failure_while_storing_rolls_back_everything_already_written(tmp_path, monkeypatch):
    before = snapshot()

    def fail(self, spec):
        # Everything before missing_episodes.csv has been written by now.
        assert PersonRecord.objects.count() == 6
        assert Association.objects.count() == 2
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services._Loader, "_load_missing_episodes", fail)

    with pytest.raises(RuntimeError, match="went away"):
        call_command("import_delivery", str(copy_delivery(tmp_path / "d")))

    assert snapshot() == before
    monkeypatch.undo()
    # Nothing was recorded as imported: the same delivery can be sent again.
    result = delivery_import(path=tmp_path / "d")
    assert not result.already_imported
    assert PersonRecord.objects.count() == 6


SOURCED = {
    "organisations.csv": Organisation,
    "locations.csv": Location,
    "persons.csv": PersonRecord,
    "events.csv": Event,
    "associations.csv": Association,
    "missing_episodes.csv": MissingEpisode,
}


def _received(folder: Path, file: str) -> list[tuple[int, dict[str, str]]]:
    """(line, row) for every record of a file the csv module reads."""
    with (folder / file).open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows, line = [], 2
        for row in reader:
            rows.append((line, row))
            line = reader.line_num + 1
    return rows


def test_every_record_keeps_its_source_delivery_line_and_row_as_received(db, conformance):
    header, rows = read_rows(conformance, "persons.csv")
    write_rows(
        conformance,
        "persons.csv",
        [*header, "case_worker"],
        [[*row, f"  worker {i} "] for i, row in enumerate(rows)],
    )
    edit(conformance, "events.csv", 2, summary="  padded, with a line\nbreak  ")

    result = delivery_import(path=conformance)

    delivery = result.delivery
    for file, model in SOURCED.items():
        received = {
            (r["source"], r["source_id"]): (line, r) for line, r in _received(conformance, file)
        }
        stored = list(model.objects.order_by("pk"))
        assert len(stored) == len(received), file
        for record in stored:
            line, row = received[record.source, record.source_id]
            assert record.delivery_id == delivery.pk
            assert record.line == line, (file, record.source_id)
            assert raw_row(record.raw) == row, (file, record.source_id)
            assert len(record.row_hash) == 32
    # A new record has no earlier version.
    assert not RecordVersion.objects.exists()
    p2 = PersonRecord.objects.get(source_id="P-2")
    assert raw_row(p2.raw)["case_worker"] == "  worker 3 "
    assert p2.given_name == "Leyla"
    ev1 = Event.objects.get(source_id="EV-1")
    assert raw_row(ev1.raw)["summary"] == "  padded, with a line\nbreak  "
    assert ev1.summary == "padded, with a line\nbreak"
    assert Event.objects.get(source_id="EV-2").line == 4


def test_event_people_keep_their_delivery_line_and_row_as_received(db, conformance):
    result = delivery_import(path=conformance)

    roles = EventPerson.objects.order_by("line")
    assert [(r.source, r.delivery_id, r.line, r.role) for r in roles] == [
        ("police", result.delivery.pk, 2, "suspect"),
        ("police", result.delivery.pk, 3, "victim"),
        ("education", result.delivery.pk, 4, "subject"),
    ]
    assert [raw_row(r.raw) for r in roles] == [
        row for _line, row in _received(conformance, "event_people.csv")
    ]


def test_the_delivery_records_its_files_and_counts(db, conformance):
    result = delivery_import(path=conformance)

    delivery = Delivery.objects.get()
    assert delivery.path == str(Path(conformance).resolve())
    assert (
        delivery.files
        == result.rows
        == {
            "organisations.csv": 1,
            "locations.csv": 1,
            "persons.csv": 6,
            "events.csv": 2,
            "event_people.csv": 3,
            "associations.csv": 2,
            "missing_episodes.csv": 1,
        }
    )
    assert delivery.counts["person"] == {"new": 6, "changed": 0, "unchanged": 0}
