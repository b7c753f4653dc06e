"""The command line: `efh import DIR` exit codes and output, `efh export persons`."""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from .helpers import CONFORMANCE, copy_delivery, edit, snapshot

EFH = Path(sys.executable).with_name("efh")


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def test_import_prints_counts(db, conformance):
    out = StringIO()

    call_command("import_delivery", str(conformance), stdout=out, stderr=StringIO())

    text = out.getvalue()
    assert text.startswith(f"Imported {conformance} as delivery ")
    assert "person                   6 new        0 changed          0 unchanged" in text
    assert "16 rows in" in text


def test_import_of_a_missing_folder_exits_2(db, tmp_path):
    err = StringIO()

    with pytest.raises(CommandError) as failed:
        call_command("import_delivery", str(tmp_path / "nowhere"), stderr=err)

    assert failed.value.returncode == 2
    assert f"{tmp_path / 'nowhere'}: is not a folder" in err.getvalue()


def test_export_persons_lists_every_record_with_its_person(db, conformance):
    edit(
        conformance,
        "persons.csv",
        3,
        source_id="=1+1",
        given_name='=HYPERLINK("http://example.invalid","x")',
    )
    edit(conformance, "persons.csv", 4, source_id="-SC-5")
    call_command("import_delivery", str(conformance), stdout=StringIO(), stderr=StringIO())
    out = conformance.parent / "persons-export.csv"

    call_command("export", "persons", "--out", str(out), stdout=StringIO())

    rows = _read_csv(out)
    assert rows[0] == ["source", "source_id", "person_id"]
    by_key = {(source, source_id): person for source, source_id, person in rows[1:]}
    assert set(by_key) == {
        ("education", "P-1"),
        ("education", "P-2"),
        ("health", "'=1+1"),
        ("police", "PN-10"),
        ("police", "PN-9"),
        ("social_care", "'-SC-5"),
    }
    assert by_key["health", "'=1+1"] == by_key["social_care", "'-SC-5"]
    assert all(person.isdigit() for person in by_key.values())
    assert "=1+1\n" not in out.read_text(encoding="utf-8")


def test_export_of_an_unknown_kind_exits_2(db, tmp_path):
    with pytest.raises(CommandError) as failed:
        call_command("export", "everything", "--out", str(tmp_path / "x.csv"))

    assert failed.value.returncode == 2


def _migrated_sqlite(path: Path) -> None:
    """A migrated SQLite database at ``path``: a copy of the test database when that is
    SQLite (fast), else ``efh migrate``."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return
    run = subprocess.run(
        [str(EFH), "migrate", "--noinput"],
        env=_env(path),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr


def _env(database: Path) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{database}"}


def _efh(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(EFH), *args],
        env=_env(database),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_efh_import_exit_codes(db, tmp_path):
    """`efh import`: exit 2 and nothing stored for a bad delivery; exit 0 for a good one."""
    assert not snapshot()["people.PersonRecord"]
    database = tmp_path / "cli.sqlite3"
    _migrated_sqlite(database)
    bad = copy_delivery(tmp_path / "bad")
    edit(bad, "associations.csv", 2, source_evaluation="4")

    rejected = _efh(database, "import", str(bad))
    imported = _efh(database, "import", str(CONFORMANCE))

    assert rejected.returncode == 2, rejected.stderr
    assert "associations.csv, line 2, column source_evaluation: '4' is not a known code" in (
        rejected.stderr
    )
    assert "nothing from this delivery was stored" in rejected.stderr
    assert imported.returncode == 0, imported.stderr
    assert f"Imported {CONFORMANCE} as delivery 1:" in imported.stdout
    with sqlite3.connect(database) as db_file:
        deliveries = db_file.execute("SELECT count(*) FROM core_delivery").fetchone()[0]
        records = db_file.execute("SELECT count(*) FROM people_personrecord").fetchone()[0]
    assert (deliveries, records) == (1, 6)


def test_imports_and_exports_are_in_the_access_log(db, tmp_path):
    from efh.core.models import AccessLogEntry
    from efh.core.selectors import access_log_verify

    from .helpers import copy_delivery

    call_command("import_delivery", str(copy_delivery(tmp_path / "d")))
    call_command("export", "persons", "--out", str(tmp_path / "p.csv"))
    entries = list(
        AccessLogEntry.objects.order_by("seq").values_list("action", "object_type", "object_id")
    )
    assert [e[:2] for e in entries] == [("import", "delivery"), ("export", "export")]
    assert entries[1][2] == "persons"
    export = AccessLogEntry.objects.get(action="export")
    assert export.fields == ["source", "source_id", "person_id"]
    assert export.detail["rows"] == 6
    assert access_log_verify().intact
