"""The access log: append-only, hash-chained, and `efh audit verify` finds tampering done
directly in the database (altered, deleted, inserted entries, and entries cut from the end)."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from efh.core.models import AccessAction, AccessLogEntry, AppendOnlyError
from efh.core.selectors import access_log_verify
from efh.core.services import access_log_record


@pytest.fixture
def log(db):
    for n in range(1, 6):
        access_log_record(
            actor=None,
            action=AccessAction.VIEW,
            object_type="person",
            object_id=n,
            fields=["name", "date_of_birth"],
            reason="safeguarding enquiry" if n == 3 else "",
        )
    return list(AccessLogEntry.objects.order_by("seq"))


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _problems() -> list[str]:
    return access_log_verify().problems


def test_an_untouched_log_verifies(log, capsys):
    report = access_log_verify()
    assert report.intact and report.entries == 5
    assert [e.seq for e in log] == [1, 2, 3, 4, 5]
    assert log[0].prev_hash == "0" * 64
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(log))
    assert log[0].origin.startswith("command line")
    call_command("audit", "verify")
    assert "Access log intact: 5 entries; head #5" in capsys.readouterr().out


def test_entries_cannot_be_changed_or_deleted_through_the_application(log):
    entry = log[1]
    entry.reason = "changed my mind"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_an_altered_entry_is_found(log):
    table = AccessLogEntry._meta.db_table
    _sql(f"UPDATE {table} SET reason = %s WHERE seq = 3", ["nothing to see"])  # noqa: S608
    assert _problems() == ["entry #3: altered (its content no longer matches its hash)"]
    with pytest.raises(CommandError, match="tampered with: 1 problem"):
        call_command("audit", "verify")


def test_a_deleted_entry_is_found(log):
    _sql(f"DELETE FROM {AccessLogEntry._meta.db_table} WHERE seq = 2")  # noqa: S608
    problems = _problems()
    assert "entries #2: deleted (the numbering jumps)" in problems
    assert any(p.startswith("entry #3: does not follow") for p in problems)


def test_an_inserted_entry_is_found(log):
    table = AccessLogEntry._meta.db_table
    first = AccessLogEntry.objects.values().get(seq=1)
    columns = [c for c in first if c != "id"]
    forged = {**first, "seq": 6, "hash": "f" * 64, "prev_hash": log[-1].hash, "object_id": "99"}
    marks = ", ".join(["%s"] * len(columns))
    values = [
        forged[c] if c not in ("fields", "detail") else str(forged[c]).replace("'", '"')
        for c in columns
    ]
    _sql(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)  # noqa: S608
    problems = _problems()
    assert "entry #6: altered (its content no longer matches its hash)" in problems
    assert any("its head records #5" in p for p in problems)


def test_entries_cut_from_the_end_are_found(log):
    _sql(f"DELETE FROM {AccessLogEntry._meta.db_table} WHERE seq >= 4")  # noqa: S608
    assert _problems() == [
        "the log ends at #3 but its head records #5: entries were deleted from its end, "
        "or the head was altered"
    ]


def test_the_chain_continues_after_verification(log):
    access_log_record(actor=None, action=AccessAction.SEARCH, detail={"terms": "Kofi"})
    report = access_log_verify()
    assert report.intact and report.entries == 6 and report.head_seq == 6


def test_an_entry_names_its_object_type_from_the_one_list(db) -> None:
    """ "merge", "merges" and "person_merge" once meant one thing: only ObjectType's names are
    accepted, and nothing is written for any other."""
    from efh.core.models import ObjectType
    from efh.core.services import access_log_record

    before = AccessLogEntry.objects.count()
    with pytest.raises(ValueError, match="unknown access-log object type 'merges'"):
        access_log_record(actor=None, action="view", object_type="merges")
    assert AccessLogEntry.objects.count() == before
    entry = access_log_record(actor=None, action="view", object_type=ObjectType.MERGE)
    assert entry.object_type == "merge"
