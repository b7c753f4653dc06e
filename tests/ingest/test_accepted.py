"""Deliveries that are accepted: harmless variations of the format, normalisation, derived
values (is_child, wards) and formula-like text stored verbatim."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db import transaction

from efh.concerns.models import Event, EventPerson
from efh.contexts.models import Location, Organisation, Ward
from efh.ingest.services import delivery_import
from efh.people.models import Address, PersonRecord

from .helpers import (
    CONFORMANCE,
    RAW_MODELS,
    SHARED_CONFORMANCE,
    append,
    content,
    copy_delivery,
    edit,
    keep_rows,
    raw_row,
    read_rows,
    write_rows,
)

FILES = (
    "organisations.csv",
    "locations.csv",
    "persons.csv",
    "events.csv",
    "event_people.csv",
    "associations.csv",
    "missing_episodes.csv",
)


RAW = [f"{model}.raw" for model in RAW_MODELS]


@pytest.fixture(scope="module")
def _plain(django_db_setup, django_db_blocker, tmp_path_factory):
    """What importing the unmodified conformance delivery stores (computed once, then undone):
    all of it, and all but the rows as received."""
    folder = copy_delivery(tmp_path_factory.mktemp("plain") / "conformance")
    with django_db_blocker.unblock(), transaction.atomic():
        result = delivery_import(path=folder)
        state = content(), content(exclude=RAW)
        transaction.set_rollback(True)
    assert result.warnings == []
    return state


@pytest.fixture
def expected(_plain, db):
    return _plain[0]


@pytest.fixture
def expected_but_raw(_plain, db):
    return _plain[1]


def _every_file(folder: Path, change) -> None:
    for name in FILES:
        path = folder / name
        path.write_bytes(change(path.read_bytes()))


def test_byte_order_mark_is_ignored_with_a_warning(expected, tmp_path):
    folder = copy_delivery(tmp_path / "bom")
    _every_file(folder, lambda data: codecs.BOM_UTF8 + data)

    result = delivery_import(path=folder)

    assert result.warnings == [f"{name}: UTF-8 byte-order mark ignored" for name in FILES]
    assert content() == expected
    assert next(iter(raw_row(Organisation.objects.get().raw))) == "source"


def test_windows_line_endings_import_identically(expected, tmp_path):
    folder = copy_delivery(tmp_path / "crlf")
    _every_file(folder, lambda data: data.replace(b"\n", b"\r\n"))

    delivery_import(path=folder)

    assert content() == expected


def test_shuffled_column_order_imports_identically(expected, tmp_path):
    folder = copy_delivery(tmp_path / "shuffled")
    for name in FILES:
        header, rows = read_rows(folder, name)
        order = list(reversed(range(len(header))))
        order = order[1::2] + order[0::2]
        write_rows(folder, name, [header[i] for i in order], [[r[i] for i in order] for r in rows])

    result = delivery_import(path=folder)

    assert result.warnings == []
    assert content() == expected
    # The row as received keeps the file's column order.
    header = read_rows(folder, "persons.csv")[0]
    assert list(raw_row(PersonRecord.objects.get(source_id="P-1").raw)) == header


def test_blank_trailing_lines_are_ignored(expected, tmp_path):
    folder = copy_delivery(tmp_path / "blank")
    _every_file(folder, lambda data: data + b"\n\r\n   \n")

    result = delivery_import(path=folder)

    assert result.rows == {name: len(read_rows(folder, name)[1]) - 3 for name in FILES}
    assert content() == expected


def test_surrounding_spaces_are_stripped_but_kept_in_the_raw_row(expected_but_raw, tmp_path):
    folder = copy_delivery(tmp_path / "spaces")
    for name in FILES:
        header, rows = read_rows(folder, name)
        write_rows(
            folder, name, [f" {h} " for h in header], [[f"  {v}\t" for v in r] for r in rows]
        )

    result = delivery_import(path=folder)

    assert result.warnings == []
    assert content(exclude=RAW) == expected_but_raw
    assert raw_row(PersonRecord.objects.get(source_id="P-1").raw)["given_name"] == "  Kofi\t"
    assert PersonRecord.objects.get(source_id="P-1").given_name == "Kofi"


def test_unknown_column_is_ignored_with_a_warning_and_kept_in_the_raw_row(
    expected_but_raw, tmp_path
):
    folder = copy_delivery(tmp_path / "extra")
    header, rows = read_rows(folder, "persons.csv")
    write_rows(
        folder,
        "persons.csv",
        [*header, "case_worker"],
        [[*row, f"worker {i}"] for i, row in enumerate(rows)],
    )

    result = delivery_import(path=folder)

    assert result.warnings == ["persons.csv: unknown column(s) ignored: case_worker"]
    assert content(exclude=RAW) == expected_but_raw
    assert raw_row(PersonRecord.objects.get(source_id="P-1").raw)["case_worker"] == "worker 0"


def test_header_only_file_without_loader_state_is_accepted_with_a_warning(db, conformance):
    keep_rows(conformance, "event_people.csv")

    result = delivery_import(path=conformance)

    assert result.warnings == ["event_people.csv: header only, no records"]
    assert result.rows["event_people.csv"] == 0
    assert PersonRecord.objects.count() == 6
    assert not EventPerson.objects.exists()


def test_header_only_file_is_accepted_with_a_warning(db, conformance):
    keep_rows(conformance, "missing_episodes.csv")

    result = delivery_import(path=conformance)

    assert result.warnings == ["missing_episodes.csv: header only, no records"]
    assert result.rows["missing_episodes.csv"] == 0
    assert PersonRecord.objects.count() == 6


def test_other_files_in_the_folder_are_ignored_with_a_warning(expected, tmp_path):
    folder = copy_delivery(tmp_path / "others")
    (folder / "notes.txt").write_text("sent by the data team\n", encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")

    result = delivery_import(path=folder)

    assert result.warnings == ["notes.txt: not an exchange-format file; ignored"]
    assert content() == expected


def test_quoted_line_breaks_in_summary_are_stored(db, conformance):
    edit(conformance, "events.csv", 2, summary='Seen at the "gate".\r\nLater, in the\nunderpass.')

    delivery_import(path=conformance)

    event = Event.objects.get(source_id="EV-1")
    assert event.summary == 'Seen at the "gate".\r\nLater, in the\nunderpass.'
    assert Event.objects.get(source_id="EV-2").line == 5


# -- normalisation ----------------------------------------------------------------------------


def test_identifiers_and_postcodes_are_normalised(db, conformance):
    edit(conformance, "persons.csv", 2, upn="k123456789012", postcode="e81ab")
    edit(conformance, "persons.csv", 3, nhs_number="943 476 5919")
    edit(conformance, "persons.csv", 6, pnc_id="12/345678a", postcode="E97HT")
    edit(conformance, "locations.csv", 2, postcode="  e8   3aa ")

    delivery_import(path=conformance)

    records = {r.source_id: r for r in PersonRecord.objects.all()}
    assert records["P-1"].upn == "K123456789012"
    assert records["H-77"].nhs_number == "9434765919"
    assert records["H-77"].person_id == records["SC-5"].person_id
    assert records["PN-9"].pnc_id == "12/345678A"
    assert Address.objects.get(record=records["P-1"]).postcode == "E8 1AB"
    assert Address.objects.get(record=records["PN-9"]).postcode == "E9 7HT"
    assert Location.objects.get().postcode == "E8 3AA"


def test_no_address_is_recorded_when_none_was_given(db, conformance):
    """SC-5 gives neither address nor postcode; LOC-1 without a postcode stores none."""
    edit(conformance, "locations.csv", 2, postcode="")

    delivery_import(path=conformance)

    assert not Address.objects.filter(record__source_id="SC-5").exists()
    assert Location.objects.get().postcode == ""


TIMESTAMPS = {
    "2026-08-30T21:15:00": datetime(2026, 8, 30, 20, 15, tzinfo=UTC),  # BST
    "2026-08-30T21:15": datetime(2026, 8, 30, 20, 15, tzinfo=UTC),
    "2026-08-30T20:15:00Z": datetime(2026, 8, 30, 20, 15, tzinfo=UTC),
    "2026-08-30T22:15:00+02:00": datetime(2026, 8, 30, 20, 15, tzinfo=UTC),
    "2026-08-30T19:45:00-0030": datetime(2026, 8, 30, 20, 15, tzinfo=UTC),
    "2026-01-30T21:15:00": datetime(2026, 1, 30, 21, 15, tzinfo=UTC),  # GMT
    "2026-01-30T21:15:00.250000": datetime(2026, 1, 30, 21, 15, 0, 250000, tzinfo=UTC),
    # In the spring gap only with an offset; the autumn's repeated hour is read as BST.
    "2026-03-29T01:30:00+00:00": datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
    "2026-10-25T01:30:00": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    "2026-10-25T01:30:00+00:00": datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
}


def test_timestamps_are_read_as_uk_local_time_unless_an_offset_is_given(db, conformance):
    for n, text in enumerate(TIMESTAMPS):
        append(
            conformance,
            "events.csv",
            source="police",
            source_id=f"T-{n}",
            kind="incident",
            occurred_at=text,
            recorded_at="2026-11-01T12:00:00",
        )

    delivery_import(path=conformance)

    stored = dict(
        Event.objects.filter(source_id__startswith="T-").values_list("source_id", "occurred_at")
    )
    assert {text: stored[f"T-{n}"] for n, text in enumerate(TIMESTAMPS)} == TIMESTAMPS


# -- derived values ---------------------------------------------------------------------------


def _people(folder: Path, cases: list[tuple[str, str, str]]) -> None:
    for n, (is_child, date_of_birth, recorded_at) in enumerate(cases):
        append(
            folder,
            "persons.csv",
            source="vcs",
            source_id=f"C-{n}",
            given_name="Test",
            family_name=f"Case {n}",
            is_child=is_child,
            date_of_birth=date_of_birth,
            recorded_at=recorded_at,
        )


def _is_child(cases) -> list[bool | None]:
    stored = dict(PersonRecord.objects.filter(source="vcs").values_list("source_id", "is_child"))
    return [stored[f"C-{n}"] for n in range(len(cases))]


IS_CHILD = [
    # (is_child, date_of_birth, recorded_at) -> stored is_child
    (("", "2011-04-03", "2026-09-01T08:30:00"), True),
    (("", "1994-02-14", "2026-09-01T08:30:00"), False),
    (("", "", "2026-09-01T08:30:00"), None),
    (("N", "2011-04-03", "2026-09-01T08:30:00"), False),
    (("Y", "1994-02-14", "2026-09-01T08:30:00"), True),
    (("N", "", "2026-09-01T08:30:00"), False),
    # 18 on the birthday itself; 17 the day before.
    (("", "2007-09-01", "2025-09-01T08:30:00"), False),
    (("", "2007-09-02", "2025-09-01T08:30:00"), True),
    # Born on 29 February: 18 on 1 March in a year without one.
    (("", "2008-02-29", "2026-02-28T12:00:00"), True),
    (("", "2008-02-29", "2026-03-01T12:00:00"), False),
]


def test_is_child_is_derived_from_date_of_birth_when_not_given(db, conformance):
    _people(conformance, [case for case, _ in IS_CHILD])

    delivery_import(path=conformance)

    assert _is_child(IS_CHILD) == [expected for _, expected in IS_CHILD]


def test_is_child_around_birthdays_in_leap_years(db, conformance):
    cases = [
        (("", "2008-03-01", "2026-03-01T12:00:00"), False),
        (("", "2004-12-31", "2022-12-31T12:00:00"), False),
        (("", "2006-03-01", "2024-02-29T12:00:00"), True),
    ]
    _people(conformance, [case for case, _ in cases])

    delivery_import(path=conformance)

    assert _is_child(cases) == [expected for _, expected in cases]


def test_is_child_uses_the_uk_date_of_recorded_at(db, conformance):
    cases = [(("", "2007-07-01", "2025-07-01T00:30:00"), False)]
    _people(conformance, [case for case, _ in cases])

    delivery_import(path=conformance)

    assert _is_child(cases) == [expected for _, expected in cases]


def test_places_get_the_nearest_ward_within_the_area(db, conformance):
    near_park = Ward.objects.create(
        code="E05009367", name="Hackney Downs", latitude=51.5405, longitude=-0.0610
    )
    near_school = Ward.objects.create(
        code="E05009372", name="Homerton", latitude=51.5480, longitude=-0.0540
    )
    Ward.objects.create(code="E05009380", name="Far", latitude=51.60, longitude=0.05)
    # About 20 km north of every ward: outside the area.
    append(
        conformance,
        "locations.csv",
        source="police",
        source_id="LOC-2",
        name="Lay-by, A10 near Ware",
        kind="street",
        latitude="51.7200",
        longitude="-0.0600",
    )
    append(
        conformance,
        "locations.csv",
        source="police",
        source_id="LOC-3",
        name="No fix",
        kind="other",
    )

    delivery_import(path=conformance)

    wards = dict(Location.objects.values_list("source_id", "ward_id"))
    assert wards == {"LOC-1": near_park.pk, "LOC-2": None, "LOC-3": None}
    assert Organisation.objects.get().ward_id == near_school.pk


def test_places_get_no_ward_when_no_wards_are_loaded(db, conformance):
    delivery_import(path=conformance)

    assert list(Location.objects.values_list("ward_id", flat=True)) == [None]


# -- formula-like text --------------------------------------------------------------------------

FORMULA_NAME = '=HYPERLINK("http://example.invalid","x")'


def test_formula_like_text_is_stored_verbatim(db, conformance):
    edit(
        conformance,
        "persons.csv",
        3,
        source_id="=1+1",
        given_name=FORMULA_NAME,
        family_name="@SUM(A1)",
    )
    edit(conformance, "events.csv", 3, summary="+44 7700 900123 -- call back\t=2*3")

    delivery_import(path=conformance)

    record = PersonRecord.objects.get(source_id="=1+1")
    assert (record.given_name, record.family_name) == (FORMULA_NAME, "@SUM(A1)")
    assert raw_row(record.raw)["given_name"] == FORMULA_NAME
    assert Event.objects.get(source_id="EV-2").summary == "+44 7700 900123 -- call back\t=2*3"


@pytest.mark.skipif(not SHARED_CONFORMANCE.is_dir(), reason="no shared conformance delivery here")
def test_the_copy_of_the_conformance_delivery_is_current():
    """tests/ingest/data/conformance is a copy of the shared conformance delivery."""
    ours = {p.name: p.read_bytes() for p in CONFORMANCE.iterdir()}
    shared = {p.name: p.read_bytes() for p in SHARED_CONFORMANCE.iterdir() if p.is_file()}
    assert ours == shared
