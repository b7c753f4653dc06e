"""Importing twice changes nothing; corrected records update in place and keep their history."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from efh.concerns.models import Event
from efh.core.models import Delivery, RecordVersion
from efh.ingest.services import delivery_import, fingerprint
from efh.people.models import Address, Alias, PersonRecord, Status, StatusKind

from .helpers import (
    AUDIT,
    copy_delivery,
    edit,
    keep_rows,
    raw_row,
    snapshot,
)

ALL_UNCHANGED = {
    "organisation": {"new": 0, "changed": 0, "unchanged": 1},
    "location": {"new": 0, "changed": 0, "unchanged": 1},
    "person": {"new": 0, "changed": 0, "unchanged": 6},
    "event": {"new": 0, "changed": 0, "unchanged": 2},
    "event_person": {"new": 0, "changed": 0, "unchanged": 3},
    "association": {"new": 0, "changed": 0, "unchanged": 2},
    "missing_episode": {"new": 0, "changed": 0, "unchanged": 1},
}


def _resent(tmp_path: Path, name: str) -> Path:
    """The conformance delivery sent again: the same rows, but not the same bytes."""
    folder = copy_delivery(tmp_path / name)
    for path in folder.iterdir():
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return folder


def test_the_same_delivery_twice_changes_nothing(imported):
    before = snapshot()

    again = delivery_import(path=Path(imported.delivery.path))

    assert again.already_imported
    assert again.delivery == imported.delivery
    assert snapshot() == before


def test_the_same_delivery_twice_through_the_command(imported):
    before = snapshot()
    out = StringIO()

    call_command("import_delivery", imported.delivery.path, stdout=out, stderr=StringIO())

    assert "already imported" in out.getvalue()
    assert "nothing changed" in out.getvalue()
    assert snapshot() == before


def test_the_fingerprint_is_of_the_files_not_the_folder(tmp_path):
    a = copy_delivery(tmp_path / "a")
    b = copy_delivery(tmp_path / "b")
    (b / "notes.txt").write_text("not part of the delivery\n", encoding="utf-8")
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a) != fingerprint(_resent(tmp_path, "c"))
    keep_rows(b, "event_people.csv", 2, 3)
    assert fingerprint(a) != fingerprint(b)


def test_the_same_rows_in_another_delivery_store_a_delivery_and_change_no_record(
    imported, tmp_path
):
    folder = _resent(tmp_path, "resent")
    assert fingerprint(folder) != imported.delivery.fingerprint
    before = snapshot(exclude=["core.Delivery", *AUDIT])

    again = delivery_import(path=folder)

    assert not again.already_imported
    assert again.counts == ALL_UNCHANGED
    assert Delivery.objects.count() == 2
    assert snapshot(exclude=["core.Delivery", *AUDIT]) == before


def test_a_corrected_person_record_updates_in_place_and_keeps_its_history(imported, tmp_path):
    record = PersonRecord.objects.get(source="education", source_id="P-1")
    old_address = Address.objects.get(record=record)
    assert not Status.objects.filter(record=record).exists()
    assert not RecordVersion.objects.exists()
    folder = copy_delivery(tmp_path / "corrected")
    edit(
        folder,
        "persons.csv",
        2,
        given_name="Kofi Junior",
        postcode="E8 2BB",
        looked_after="Y",
        recorded_at="2026-09-10T09:00:00",
    )

    result = delivery_import(path=folder)

    assert result.counts["person"] == {"new": 0, "changed": 1, "unchanged": 5}
    corrected = PersonRecord.objects.get(source="education", source_id="P-1")
    assert corrected.pk == record.pk
    assert corrected.person_id == record.person_id
    assert corrected.given_name == "Kofi Junior"
    assert corrected.delivery_id == result.delivery.pk
    assert raw_row(corrected.raw)["given_name"] == "Kofi Junior"
    assert raw_row(corrected.raw)["postcode"] == "E8 2BB"
    # The version it replaced is kept, as received, with the delivery that brought it.
    version = RecordVersion.objects.get()
    assert (version.kind, version.record_id, version.source, version.key) == (
        "person",
        record.pk,
        "education",
        "P-1",
    )
    assert (version.delivery_id, version.superseded_by_id) == (
        imported.delivery.pk,
        result.delivery.pk,
    )
    assert (version.line, version.row_hash) == (record.line, record.row_hash)
    assert raw_row(version.raw) == raw_row(record.raw)
    assert raw_row(version.raw)["given_name"] == "Kofi"
    moved = datetime(2026, 9, 10, 8, 0, tzinfo=UTC)
    assert list(Address.objects.filter(record=record).values_list("postcode", "valid_to")) == [
        ("E8 1AB", moved),
        ("E8 2BB", None),
    ]
    assert Address.objects.get(pk=old_address.pk).valid_from == old_address.valid_from
    assert list(Status.objects.filter(record=record).values_list("kind", "started", "ended")) == [
        (StatusKind.LOOKED_AFTER, moved, None)
    ]


def test_a_record_corrected_twice_keeps_both_earlier_versions(imported, tmp_path):
    deliveries = [imported.delivery.pk]
    for n, name in enumerate(["Kwame", "Kwabena"]):
        folder = copy_delivery(tmp_path / f"correction-{n}")
        edit(folder, "persons.csv", 5, given_name=name)
        deliveries.append(delivery_import(path=folder).delivery.pk)

    record = PersonRecord.objects.get(source_id="P-2")
    versions = RecordVersion.objects.filter(kind="person", record_id=record.pk).order_by("pk")
    history = [raw_row(v.raw)["given_name"] for v in versions] + [raw_row(record.raw)["given_name"]]
    assert history == ["Leyla", "Kwame", "Kwabena"]
    assert [(v.delivery_id, v.superseded_by_id) for v in versions] == [
        (deliveries[0], deliveries[1]),
        (deliveries[1], deliveries[2]),
    ]
    assert record.delivery_id == deliveries[2]


def test_a_status_ends_when_a_later_record_says_n_and_aliases_are_replaced(imported, tmp_path):
    folder = copy_delivery(tmp_path / "corrected")
    edit(folder, "persons.csv", 4, looked_after="N", recorded_at="2026-09-20T12:00:00")
    edit(folder, "persons.csv", 6, other_names="Big D;Dee")

    delivery_import(path=folder)

    status = Status.objects.get(record__source_id="SC-5")
    assert (status.kind, status.ended) == (
        StatusKind.LOOKED_AFTER,
        datetime(2026, 9, 20, 11, 0, tzinfo=UTC),
    )
    aliases = Alias.objects.filter(record__source_id="PN-9").values_list("name", flat=True)
    assert sorted(aliases) == ["Big D", "Dee"]


def test_a_corrected_event_updates_its_harm_types(imported, tmp_path):
    event = Event.objects.get(source="education", source_id="EV-2")
    assert sorted(event.harm_types.values_list("code", flat=True)) == ["cce", "missing"]
    folder = copy_delivery(tmp_path / "corrected")
    edit(folder, "events.csv", 3, harm_types="missing;online", summary="Now believed online")

    result = delivery_import(path=folder)

    assert result.counts["event"] == {"new": 0, "changed": 1, "unchanged": 1}
    event.refresh_from_db()
    assert sorted(event.harm_types.values_list("code", flat=True)) == ["missing", "online"]
    assert event.summary == "Now believed online"
    other = Event.objects.get(source_id="EV-1")
    assert sorted(other.harm_types.values_list("code", flat=True)) == ["cce", "county_lines"]
    version = RecordVersion.objects.get(kind="event")
    assert version.record_id == event.pk
    assert raw_row(version.raw)["harm_types"] == "missing;cce"


def test_a_delivery_may_refer_to_records_stored_earlier(imported, tmp_path):
    folder = tmp_path / "later"
    folder.mkdir()
    (folder / "event_people.csv").write_text(
        "source,event_source_id,person_source_id,role\npolice,EV-1,PN-10,witness\n",
        encoding="utf-8",
    )

    result = delivery_import(path=folder)

    assert result.counts == {"event_person": {"new": 1, "changed": 0, "unchanged": 0}}
    roles = Event.objects.get(source_id="EV-1").people.values_list("record__source_id", "role")
    assert sorted(roles) == [("PN-10", "victim"), ("PN-10", "witness"), ("PN-9", "suspect")]


def test_a_second_delivery_of_new_records_adds_them_and_keeps_the_first(imported, tmp_path):
    """Every record of the conformance delivery again, from other sending systems: all new."""
    before = snapshot(exclude=["core.AccessLogHead"])
    folder = copy_delivery(tmp_path / "others")
    renamed = {
        b"police,": b"youth_justice,",
        b"education,": b"vcs,",
        b"health,": b"public,",
        b"social_care,": b"community_safety,",
    }
    for path in folder.iterdir():
        data = path.read_bytes()
        for old, new in renamed.items():
            data = data.replace(old, new)
        path.write_bytes(data)

    result = delivery_import(path=folder)

    assert {kind: c["new"] for kind, c in result.counts.items()} == {
        kind: c["unchanged"] for kind, c in ALL_UNCHANGED.items()
    }
    after = snapshot(exclude=["core.AccessLogHead"])
    for label, rows in before.items():
        assert after[label][: len(rows)] == rows, label
    assert PersonRecord.objects.count() == 12
    # The public copy of H-77 carries the same NHS number: it joins H-77's person.
    h77 = dict(PersonRecord.objects.filter(source_id="H-77").values_list("source", "person_id"))
    assert h77["public"] == h77["health"]
