"""Malformed deliveries: each is the conformance delivery with one defect.

Every case must be rejected with a problem naming the file, line and column (line 0 and an empty
column mean the file or folder as a whole), and must leave the database exactly as it was after
the valid conformance delivery was imported.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from efh.ingest.services import DeliveryRejected, delivery_import
from efh.ingest.validation import Problem

from .helpers import (
    append,
    copy_delivery,
    drop_column,
    duplicate,
    edit,
    read_rows,
    render,
    replace_bytes,
    snapshot,
    write_rows,
)

FOLDER = "<the delivery folder>"


@pytest.fixture(scope="module")
def _baseline(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator:
    """The conformance delivery imported once for this module, in a transaction rolled back at
    its end (like Django's ``setUpTestData``); each test runs in a savepoint inside it. Every
    database test of this module uses it, so none sees it unexpectedly."""
    folder = copy_delivery(tmp_path_factory.mktemp("baseline") / "conformance")
    with django_db_blocker.unblock(), transaction.atomic():
        yield delivery_import(path=folder)
        transaction.set_rollback(True)


@pytest.fixture
def imported(_baseline, db):
    return _baseline


@dataclass(frozen=True)
class Bad:
    """A defect: ``mutate`` edits a copy of the conformance delivery (and may return another
    path to import); the problem expected is (file, line, column) with ``phrase`` in its reason.
    ``only``: no other problem may be reported."""

    id: str
    mutate: Callable[[Path], Path | None]
    file: str
    line: int
    column: str
    phrase: str
    only: bool = True

    def __str__(self) -> str:
        return self.id


def _nhs_with_check_digit_ten() -> str:
    """A 10-digit number whose mod-11 check digit comes out as 10: never a valid NHS number."""
    for n in range(100_000_000, 999_999_999):
        prefix = f"{n:09d}"
        total = sum((10 - i) * int(d) for i, d in enumerate(prefix))
        if (11 - total % 11) % 11 == 10:
            return prefix + "0"
    raise AssertionError("unreachable")


def _to_bytes(file: str, encoding: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        text = (folder / file).read_text(encoding="utf-8")
        (folder / file).write_bytes(text.encode(encoding))

    return mutate


def _with_delimiter(file: str, delimiter: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        header, rows = read_rows(folder, file)
        (folder / file).write_text(render(header, rows, delimiter=delimiter), encoding="utf-8")

    return mutate


def _add_header_column(file: str, name: str, value: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        header, rows = read_rows(folder, file)
        write_rows(folder, file, [*header, name], [[*row, value] for row in rows])

    return mutate


def _ragged(file: str, line: int, extra: int) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        header, rows = read_rows(folder, file)
        row = rows[line - 2]
        rows[line - 2] = row + ["surplus"] * extra if extra > 0 else row[:extra]
        write_rows(folder, file, header, rows)

    return mutate


def _empty_file(file: str) -> Callable[[Path], None]:
    return lambda folder: (folder / file).write_bytes(b"")


def _no_exchange_files(folder: Path) -> None:
    for path in folder.iterdir():
        path.unlink()
    (folder / "README.txt").write_text("persons to follow\n", encoding="utf-8")


def _a_file(folder: Path) -> Path:
    return folder / "persons.csv"


def _rename(old: str, new: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        (folder / old).rename(folder / new)

    return mutate


P, E, EP, A, M, L, ORG = (
    "persons.csv",
    "events.csv",
    "event_people.csv",
    "associations.csv",
    "missing_episodes.csv",
    "locations.csv",
    "organisations.csv",
)
# persons.csv: 2 P-1 (education), 3 H-77 (health), 4 SC-5 (social_care), 5 P-2 (education),
# 6 PN-9 (police), 7 PN-10 (police). events.csv: 2 EV-1 (police), 3 EV-2 (education).
# event_people.csv: 2 EV-1/PN-9, 3 EV-1/PN-10, 4 EV-2/P-1. associations.csv: 2 AS-1 (PN-10 ->
# person PN-9), 3 AS-2 (PN-9 -> location LOC-1). missing_episodes.csv: 2 MS-1 (PN-10).

CORPUS: list[Bad] = [
    # -- the file and its structure ---------------------------------------------------------
    Bad(
        "missing-required-column",
        lambda d: drop_column(d, M, "went_missing_at"),
        M,
        1,
        "went_missing_at",
        "required column is missing from the header",
    ),
    Bad(
        "missing-required-column-persons",
        lambda d: drop_column(d, P, "given_name"),
        P,
        1,
        "given_name",
        "required column is missing from the header",
        only=False,  # persons.csv is not read, so references to its records fail too
    ),
    Bad(
        "column-twice-in-header",
        _add_header_column(M, "missing_from", "home"),
        M,
        1,
        "missing_from",
        "appears twice",
    ),
    Bad(
        "latin-1-name",
        lambda d: replace_bytes(d, P, b"Leyla,Yilmaz,,2010", b"Leyl\xe9,Yilmaz,,2010"),
        P,
        5,
        "",
        "not valid UTF-8 (byte 0xe9)",
        only=False,
    ),
    Bad("utf-16", _to_bytes(P, "utf-16"), P, 0, "", "UTF-16", only=False),
    Bad("utf-16-without-bom", _to_bytes(P, "utf-16-le"), P, 1, "", "NUL character", only=False),
    Bad("semicolon-delimiter", _with_delimiter(M, ";"), M, 1, "", "separated by ';'"),
    Bad(
        "quoted-newline-in-id",
        lambda d: edit(d, P, 3, source_id="H-\n77"),
        P,
        3,
        "source_id",
        "contains a line break",
    ),
    Bad("empty-file", _empty_file(M), M, 0, "", "the file is empty"),
    Bad("ragged-row-too-many", _ragged(A, 3, 1), A, 3, "", "has 12 fields; the header has 11"),
    Bad("ragged-row-too-few", _ragged(A, 2, -1), A, 2, "", "has 10 fields; the header has 11"),
    Bad(
        "unterminated-quote",
        lambda d: replace_bytes(d, E, b",Kofi absent", b',"Kofi absent'),
        E,
        3,
        "",
        "is not valid CSV",
        only=False,  # events.csv is not read: event_people's references fail too
    ),
    Bad(
        "upper-case-file-name",
        _rename(M, "Missing_Episodes.csv"),
        "Missing_Episodes.csv",
        0,
        "",
        "file names are lower case",
    ),
    Bad(
        "no-exchange-files",
        _no_exchange_files,
        FOLDER,
        0,
        "",
        "holds none of the exchange files",
    ),
    Bad("not-a-folder", _a_file, FOLDER, 0, "", "is not a folder"),
    # -- required values, lengths -------------------------------------------------------------
    Bad(
        "required-value-empty",
        lambda d: edit(d, P, 6, family_name=""),
        P,
        6,
        "family_name",
        "is required",
    ),
    Bad(
        "ten-megabyte-summary",
        lambda d: edit(d, E, 3, summary="x" * 10_000_000),
        E,
        3,
        "summary",
        "is 10,000,000 characters long; the most allowed is 20,000",
    ),
    Bad(
        "source-id-too-long",
        lambda d: edit(d, P, 3, source_id="H" * 65),
        P,
        3,
        "source_id",
        "is 65 characters long; the most allowed is 64",
    ),
    # -- dates and times ----------------------------------------------------------------------
    Bad(
        "bad-date",
        lambda d: edit(d, P, 2, date_of_birth="03/04/2011"),
        P,
        2,
        "date_of_birth",
        "'03/04/2011' is not a date in the form YYYY-MM-DD",
    ),
    Bad(
        "impossible-date",
        lambda d: edit(d, P, 2, date_of_birth="2011-02-30"),
        P,
        2,
        "date_of_birth",
        "'2011-02-30' is not a real calendar date",
    ),
    Bad(
        "date-of-birth-in-future",
        lambda d: edit(d, P, 2, date_of_birth="2099-01-01"),
        P,
        2,
        "date_of_birth",
        "date of birth 2099-01-01 is in the future",
    ),
    Bad(
        "timestamp-not-iso",
        lambda d: edit(d, E, 3, occurred_at="01/09/2026 12:10"),
        E,
        3,
        "occurred_at",
        "is not an ISO 8601 timestamp",
    ),
    Bad(
        "impossible-timestamp-month",
        lambda d: edit(d, E, 3, occurred_at="2026-13-01T10:00:00"),
        E,
        3,
        "occurred_at",
        "'2026-13-01T10:00:00' is not a real date and time",
    ),
    Bad(
        "timestamp-in-clock-change-gap",
        lambda d: edit(d, E, 3, occurred_at="2026-03-29T01:30:00"),
        E,
        3,
        "occurred_at",
        "does not exist in UK local time",
    ),
    Bad(
        "timestamp-in-future",
        lambda d: edit(d, P, 2, recorded_at="2099-01-01T10:00:00"),
        P,
        2,
        "recorded_at",
        "2099-01-01T10:00:00 is in the future",
    ),
    # -- codes --------------------------------------------------------------------------------
    Bad("unknown-sex", lambda d: edit(d, P, 2, sex="Q"), P, 2, "sex", "'Q' is not a known code"),
    Bad(
        "unknown-ethnicity",
        lambda d: edit(d, P, 2, ethnicity="Z9"),
        P,
        2,
        "ethnicity",
        "'Z9' is not a known code",
    ),
    Bad(
        "unknown-flag",
        lambda d: edit(d, P, 2, is_child="yes"),
        P,
        2,
        "is_child",
        "'yes' is not a flag",
    ),
    Bad(
        "unknown-event-kind",
        lambda d: edit(d, E, 2, kind="shooting"),
        E,
        2,
        "kind",
        "'shooting' is not a known code",
    ),
    Bad(
        "unknown-association-kind",
        lambda d: edit(d, A, 2, kind="enemy"),
        A,
        2,
        "kind",
        "'enemy' is not a known code",
    ),
    Bad(
        "unknown-role",
        lambda d: edit(d, EP, 3, role="bystander"),
        EP,
        3,
        "role",
        "'bystander' is not a known code",
    ),
    Bad(
        "unknown-missing-from",
        lambda d: edit(d, M, 2, missing_from="school"),
        M,
        2,
        "missing_from",
        "'school' is not a known code",
    ),
    Bad(
        "unknown-source",
        lambda d: edit(d, P, 3, source="hospital"),
        P,
        3,
        "source",
        "unknown source 'hospital'",
    ),
    Bad(
        "unknown-harm-type",
        lambda d: edit(d, E, 2, harm_types="cce;knife_crime"),
        E,
        2,
        "harm_types",
        "unknown harm type 'knife_crime'",
    ),
    # -- references ---------------------------------------------------------------------------
    Bad(
        "event-person-to-missing-event",
        lambda d: edit(d, EP, 2, event_source_id="EV-404"),
        EP,
        2,
        "event_source_id",
        "no event with source_id 'EV-404' from source 'police'",
    ),
    Bad(
        "event-person-to-missing-person",
        lambda d: edit(d, EP, 3, person_source_id="PN-404"),
        EP,
        3,
        "person_source_id",
        "no person with source_id 'PN-404' from source 'police'",
    ),
    Bad(
        "event-person-to-another-source",
        lambda d: edit(d, EP, 4, person_source_id="PN-9"),
        EP,
        4,
        "person_source_id",
        "no person with source_id 'PN-9' from source 'education'",
    ),
    Bad(
        "association-to-missing-location",
        lambda d: edit(d, A, 3, other_source_id="LOC-404"),
        A,
        3,
        "other_source_id",
        "no location with source_id 'LOC-404'",
    ),
    Bad(
        "association-to-another-sources-organisation",
        lambda d: edit(d, A, 3, other_kind="organisation", other_source_id="SCH-1"),
        A,
        3,
        "other_source_id",
        "no organisation with source_id 'SCH-1' from source 'police'",
    ),
    Bad(
        "missing-episode-of-missing-person",
        lambda d: edit(d, M, 2, person_source_id="PN-404"),
        M,
        2,
        "person_source_id",
        "no person with source_id 'PN-404'",
    ),
    Bad(
        "missing-with-missing-person",
        lambda d: edit(d, M, 2, missing_with="PN-9;PN-404"),
        M,
        2,
        "missing_with",
        "no person with source_id 'PN-404'",
    ),
    Bad(
        "missing-with-the-child-itself",
        lambda d: edit(d, M, 2, missing_with="PN-10"),
        M,
        2,
        "missing_with",
        "names the missing child 'PN-10' as their own companion",
    ),
    Bad(
        "school-is-missing-organisation",
        lambda d: edit(d, P, 2, school_source_id="SCH-404"),
        P,
        2,
        "school_source_id",
        "no organisation with source_id 'SCH-404' from source 'education'",
    ),
    Bad(
        "event-at-missing-location",
        lambda d: edit(d, E, 2, location_source_id="LOC-404"),
        E,
        2,
        "location_source_id",
        "no location or organisation with source_id 'LOC-404'",
    ),
    # -- keys ---------------------------------------------------------------------------------
    Bad(
        "duplicate-source-id",
        lambda d: duplicate(d, P, 2, given_name="Kwame"),
        P,
        8,
        "source_id",
        "first given on line 2",
    ),
    Bad(
        "duplicate-source-id-after-stripping",
        lambda d: duplicate(d, P, 3, source_id=" H-77 "),
        P,
        8,
        "source_id",
        "first given on line 3",
    ),
    Bad(
        "duplicate-event-person",
        lambda d: duplicate(d, EP, 2),
        EP,
        5,
        "",
        "duplicate record (source='police', event_source_id='EV-1', person_source_id='PN-9', role='suspect'); first given on line 2",
    ),
    # -- identifiers and postcodes ------------------------------------------------------------
    Bad(
        "nhs-check-digit",
        lambda d: edit(d, P, 3, nhs_number="9434765918"),
        P,
        3,
        "nhs_number",
        "9434765918 fails the NHS number check digit",
    ),
    Bad(
        "nhs-check-digit-ten",
        lambda d: edit(d, P, 3, nhs_number=_nhs_with_check_digit_ten()),
        P,
        3,
        "nhs_number",
        "fails the NHS number check digit",
    ),
    Bad(
        "nhs-nine-digits",
        lambda d: edit(d, P, 3, nhs_number="943476591"),
        P,
        3,
        "nhs_number",
        "'943476591' is not an NHS number (10 digits)",
    ),
    Bad(
        "malformed-upn",
        lambda d: edit(d, P, 2, upn="K12345"),
        P,
        2,
        "upn",
        "'K12345' is not a unique pupil number",
    ),
    Bad(
        "malformed-pnc",
        lambda d: edit(d, P, 6, pnc_id="12-345678A"),
        P,
        6,
        "pnc_id",
        "'12-345678A' is not a PNC id",
    ),
    Bad(
        "malformed-postcode",
        lambda d: edit(d, P, 5, postcode="E5 0Q"),
        P,
        5,
        "postcode",
        "'E5 0Q' is not a UK postcode",
    ),
    # -- coordinates --------------------------------------------------------------------------
    Bad(
        "latitude-outside-uk",
        lambda d: edit(d, L, 2, latitude="40.4168"),
        L,
        2,
        "latitude",
        "40.4168 is outside the UK",
    ),
    Bad(
        "latitude-without-longitude",
        lambda d: edit(d, E, 3, longitude=""),
        E,
        3,
        "longitude",
        "is missing while latitude is given",
    ),
    Bad(
        "found-longitude-without-latitude",
        lambda d: edit(d, M, 2, found_location_source_id="", found_longitude="-0.06"),
        M,
        2,
        "found_latitude",
        "is missing while found_longitude is given",
    ),
    Bad(
        "latitude-not-a-number",
        lambda d: edit(d, ORG, 2, latitude="51.5N"),
        ORG,
        2,
        "latitude",
        "'51.5N' is not a number",
        only=False,  # also "is missing while longitude is given"
    ),
    Bad(
        "latitude-nan",
        lambda d: edit(d, ORG, 2, latitude="NaN"),
        ORG,
        2,
        "latitude",
        "is not a number",
    ),
    # -- 3x5x2 grading ------------------------------------------------------------------------
    Bad(
        "source-evaluation-4",
        lambda d: edit(d, A, 2, source_evaluation="4"),
        A,
        2,
        "source_evaluation",
        "'4' is not a known code",
    ),
    Bad(
        "intelligence-evaluation-F",
        lambda d: edit(d, A, 2, intelligence_evaluation="F"),
        A,
        2,
        "intelligence_evaluation",
        "'F' is not a known code",
    ),
    Bad(
        "handling-code-X",
        lambda d: edit(d, A, 3, handling_code="X"),
        A,
        3,
        "handling_code",
        "'X' is not a known code",
    ),
    # -- order between values -----------------------------------------------------------------
    Bad(
        "first-seen-after-last-seen",
        lambda d: edit(d, A, 2, first_seen="2026-09-01"),
        A,
        2,
        "last_seen",
        "last seen before first seen",
    ),
    Bad(
        "returned-before-going-missing",
        lambda d: edit(d, M, 2, returned_at="2026-08-27T10:00:00"),
        M,
        2,
        "returned_at",
        "returned before going missing",
    ),
    Bad(
        "rhi-offered-before-return",
        lambda d: edit(d, M, 2, rhi_offered_at="2026-08-29T12:00:00"),
        M,
        2,
        "rhi_offered_at",
        "return home interview offered before the return",
    ),
    Bad(
        "rhi-completed-before-offered",
        lambda d: edit(d, M, 2, rhi_completed_at="2026-08-30T09:00:00"),
        M,
        2,
        "rhi_completed_at",
        "return home interview completed before it was offered",
    ),
    Bad(
        "recorded-before-occurred",
        lambda d: edit(d, E, 2, recorded_at="2026-08-30T20:00:00"),
        E,
        2,
        "recorded_at",
        "recorded before it occurred",
    ),
    # Once importer bugs (see the report of the test suite): regression cases.
    Bad(
        "unterminated-quote-mid-file",
        lambda d: replace_bytes(d, P, b"education,P-1,", b'education,"P-1,'),
        P,
        2,
        "",
        "is not valid CSV",
        only=False,  # persons.csv is not read, so references to its records fail too
    ),
    Bad(
        "impossible-timestamp-seconds",
        lambda d: edit(d, E, 3, occurred_at="2026-08-30T21:15:75"),
        E,
        3,
        "occurred_at",
        "'2026-08-30T21:15:75' is not a real date and time",
    ),
    Bad(
        "impossible-timestamp-seconds-utc",
        lambda d: edit(d, E, 3, occurred_at="2026-08-30T21:15:60Z"),
        E,
        3,
        "occurred_at",
        "is not a real date and time",
    ),
    Bad(
        "alias-longer-than-stored",
        lambda d: edit(d, P, 2, other_names="Kof;" + "A" * 201),
        P,
        2,
        "other_names",
        "has an entry longer than 200 characters",
    ),
]

# Defects the importer does not yet report correctly: (case, "BUG: reason"). Each runs as a
# strict xfail, so a fix shows up as a failure until the case moves into CORPUS.
KNOWN_BUGS: list[tuple[Bad, str]] = []

CASES = [pytest.param(case, id=case.id) for case in CORPUS] + [
    pytest.param(case, id=case.id, marks=pytest.mark.xfail(reason=reason, strict=True))
    for case, reason in KNOWN_BUGS
]


def test_corpus_is_large_and_ids_unique():
    ids = [case.id for case in CORPUS] + [case.id for case, _ in KNOWN_BUGS]
    assert len(CORPUS) >= 30
    assert len(ids) == len(set(ids))


def _prepare(case: Bad, tmp_path: Path) -> tuple[Path, str]:
    folder = copy_delivery(tmp_path / "bad")
    result = case.mutate(folder)
    target = result if isinstance(result, Path) else folder
    return target, str(target) if case.file == FOLDER else case.file


def _matching(case: Bad, file: str, problems: list[Problem]) -> list[Problem]:
    return [
        p
        for p in problems
        if (p.file, p.line, p.column) == (file, case.line, case.column) and case.phrase in p.reason
    ]


@pytest.mark.parametrize("case", CASES)
def test_malformed_delivery_is_rejected_and_stores_nothing(imported, tmp_path, case):
    before = snapshot()
    target, file = _prepare(case, tmp_path)

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=target)

    problems = rejected.value.problems
    shown = "\n".join(map(str, problems))
    found = _matching(case, file, problems)
    assert found, (
        f"expected {file}, line {case.line}, column {case.column!r}: {case.phrase}\n{shown}"
    )
    if case.only:
        assert len(problems) == 1, shown
    message = str(found[0])
    assert message.startswith(file)
    if case.line:
        assert f"line {case.line}" in message
    if case.column:
        assert f"column {case.column}" in message
    assert snapshot() == before


# A few of the corpus through `efh import` (the management command): exit status 2, and every
# problem printed as "FILE, line N, column C: reason".
COMMAND_CASES = ["unknown-sex", "latin-1-name", "duplicate-event-person", "no-exchange-files"]


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id) for c in CORPUS if c.id in COMMAND_CASES]
)
def test_command_exits_2_and_names_the_problem(imported, tmp_path, case):
    before = snapshot()
    target, file = _prepare(case, tmp_path)
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_delivery", str(target), stdout=out, stderr=err)

    assert failed.value.returncode == 2
    assert "nothing from this delivery was stored" in str(failed.value)
    where = file + (f", line {case.line}" if case.line else "")
    where += f", column {case.column}" if case.column else ""
    lines = [line for line in err.getvalue().splitlines() if line.startswith(where + ":")]
    assert any(case.phrase in line for line in lines), err.getvalue()
    assert out.getvalue() == ""
    assert snapshot() == before


def test_command_writes_every_problem_to_problems_out(imported, tmp_path):
    folder = copy_delivery(tmp_path / "bad")
    edit(folder, "persons.csv", 2, sex="Q")
    edit(folder, "events.csv", 3, kind="shooting")
    report = tmp_path / "problems.csv"

    with pytest.raises(CommandError):
        call_command(
            "import_delivery", str(folder), "--problems-out", str(report), stderr=StringIO()
        )

    assert report.read_text(encoding="utf-8").splitlines() == [
        "file,line,column,reason",
        "events.csv,3,kind,\"'shooting' is not a known code (expected one of: concern, incident, "
        'arrest, stop_search, exclusion, ae_attendance, referral, intelligence)"',
        "persons.csv,2,sex,\"'Q' is not a known code (expected one of: F, M, X, U)\"",
    ]


def test_every_problem_is_reported_not_only_the_first(imported, tmp_path):
    before = snapshot()
    folder = copy_delivery(tmp_path / "bad")
    edit(folder, "persons.csv", 2, sex="Q")
    edit(folder, "persons.csv", 5, date_of_birth="20/11/2010")
    edit(folder, "events.csv", 3, kind="shooting")

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=folder)

    assert [(p.file, p.line, p.column) for p in rejected.value.problems] == [
        ("events.csv", 3, "kind"),
        ("persons.csv", 2, "sex"),
        ("persons.csv", 5, "date_of_birth"),
    ]
    assert snapshot() == before


def test_line_numbers_count_quoted_line_breaks_in_free_text(imported, tmp_path):
    """A summary may hold line breaks; a later record's line is its physical first line."""
    before = snapshot()
    folder = copy_delivery(tmp_path / "bad")
    edit(folder, "events.csv", 2, summary="Seen at the gate.\nLater seen in the\r\nunderpass.")
    edit(folder, "events.csv", 3, kind="shooting")
    # EV-1 now spans physical lines 2 to 4, so EV-2 starts on line 5.
    assert (folder / "events.csv").read_bytes().count(b"\n") == 5

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=folder)

    assert [(p.file, p.line, p.column) for p in rejected.value.problems] == [
        ("events.csv", 5, "kind")
    ]
    assert snapshot() == before


def test_line_numbers_after_a_line_break_inside_quoted_text_and_bad_bytes(imported, tmp_path):
    folder = copy_delivery(tmp_path / "bad")
    edit(folder, "persons.csv", 2, address="Flat 1\nExample House")
    replace_bytes(folder, "persons.csv", b"Leyla,Yilmaz,,2010", b"Leyl\xe9,Yilmaz,,2010")

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=folder)

    # P-2's record, on line 5 of the original file, is now on line 6.
    encoding = [p for p in rejected.value.problems if "UTF-8" in p.reason]
    assert [(p.file, p.line) for p in encoding] == [("persons.csv", 6)]


def test_line_numbers_in_a_file_with_a_byte_order_mark(imported, tmp_path):
    folder = copy_delivery(tmp_path / "bom")
    append(folder, "missing_episodes.csv", source="police", source_id="MS-2")
    data = (folder / "missing_episodes.csv").read_bytes()
    (folder / "missing_episodes.csv").write_bytes(codecs.BOM_UTF8 + data)

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=folder)

    assert {(p.file, p.line, p.column) for p in rejected.value.problems} == {
        ("missing_episodes.csv", 3, "person_source_id"),
        ("missing_episodes.csv", 3, "missing_from"),
        ("missing_episodes.csv", 3, "went_missing_at"),
    }


def _kind_problem_line(imported_folder: Path) -> list[int]:
    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=imported_folder)
    return [p.line for p in rejected.value.problems if p.column == "kind"]


def test_line_numbers_with_a_quoted_lone_carriage_return_are_consistent(imported, tmp_path):
    lines = []
    for name, text in (("cr", b'"Two\ryoung people'), ("cr-lf", b'"Two\ryoung\npeople')):
        folder = copy_delivery(tmp_path / name)
        replace_bytes(folder, "events.csv", b'"Two young people', text)  # in EV-1's summary
        edit(folder, "events.csv", 3, kind="shooting")
        lines += _kind_problem_line(folder)

    # Whatever a lone CR counts as, one more LF puts EV-2 one line further down.
    assert lines[1] == lines[0] + 1


def test_line_numbers_when_a_bare_carriage_return_splits_a_row(imported, tmp_path):
    folder = copy_delivery(tmp_path / "bad")
    edit(folder, "events.csv", 2, summary="seen at\nthe gate")  # EV-1: lines 2 and 3
    edit(folder, "events.csv", 3, kind="shooting")
    replace_bytes(folder, "events.csv", b"Kofi absent after", b"Kofi absent\rafter")

    with pytest.raises(DeliveryRejected) as rejected:
        delivery_import(path=folder)

    problems = rejected.value.problems
    assert [(p.line, p.column) for p in problems if p.column] == [(4, "kind")]
    assert [p.reason for p in problems if not p.column] == ["has 1 fields; the header has 10"]
