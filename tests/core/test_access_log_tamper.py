"""Tampering that knows how the chain works: `efh audit verify` still finds it.

tests/core/test_access_log.py covers an altered, a deleted, an inserted (badly hashed) entry and
entries cut from the end. These go further: the forger recomputes hashes with the published
algorithm, renumbers entries to make room, edits through the ORM's bulk update (which skips
``save()``), or alters the head itself."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from efh.core.audit import entry_hash
from efh.core.models import AccessAction, AccessLogEntry, AccessLogHead
from efh.core.selectors import access_log_verify
from efh.core.services import access_log_record

TABLE = AccessLogEntry._meta.db_table


@pytest.fixture
def log(db):
    for n in range(1, 6):
        access_log_record(
            actor=None, action=AccessAction.VIEW, object_type="person", object_id=n, reason=f"r{n}"
        )
    return list(AccessLogEntry.objects.order_by("seq"))


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def _insert(values: dict) -> None:
    columns = [c for c in values if c != "id"]
    marks = ", ".join(["%s"] * len(columns))
    params = [json.dumps(values[c]) if c in ("fields", "detail") else values[c] for c in columns]
    _sql(f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({marks})", params)  # noqa: S608


def test_an_altered_entry_with_its_hash_recomputed_breaks_the_next_link(log):
    row = AccessLogEntry.objects.values().get(seq=3)
    row["reason"] = "covering my tracks"
    new_hash = entry_hash(row)
    _sql(f"UPDATE {TABLE} SET reason = %s, hash = %s WHERE seq = 3", [row["reason"], new_hash])  # noqa: S608
    problems = access_log_verify().problems
    assert problems == [
        "entry #4: does not follow the entry before it (inserted, or one before it was deleted "
        "or altered)"
    ]


def test_a_bulk_update_through_the_orm_is_found(log):
    AccessLogEntry.objects.filter(seq=2).update(username="someone else")  # skips save()
    assert access_log_verify().problems == [
        "entry #2: altered (its content no longer matches its hash)"
    ]


def test_an_entry_inserted_mid_chain_by_renumbering_is_found(log):
    _sql(f"UPDATE {TABLE} SET seq = seq + 100 WHERE seq >= 3")  # noqa: S608
    _sql(f"UPDATE {TABLE} SET seq = seq - 99 WHERE seq >= 100")  # noqa: S608
    forged = AccessLogEntry.objects.values().get(seq=2)
    forged.update(seq=3, object_id="99", prev_hash=log[1].hash)
    forged["hash"] = entry_hash(forged)
    _insert(forged)
    problems = access_log_verify().problems
    # The forged #3 is well formed; the entry that was #3 (now #4) gives it away.
    assert "entry #4: altered (its content no longer matches its hash)" in problems
    assert any(p.startswith("entry #4: does not follow") for p in problems)
    assert not any(p.startswith("entry #3") for p in problems)


def test_a_well_forged_entry_appended_without_the_head_is_found(log):
    forged = AccessLogEntry.objects.values().get(seq=5)
    forged.update(seq=6, object_id="42", prev_hash=log[-1].hash)
    forged["hash"] = entry_hash(forged)
    _insert(forged)
    assert access_log_verify().problems == [
        "the log ends at #6 but its head records #5: entries were deleted from its end, "
        "or the head was altered"
    ]


def test_an_altered_head_is_found(log):
    AccessLogHead.objects.filter(pk=1).update(hash="a" * 64)
    problems = access_log_verify().problems
    assert len(problems) == 1 and "its head records #5" in problems[0]


def test_the_command_lists_each_problem_and_fails(log, capsys):
    _sql(f"UPDATE {TABLE} SET reason = %s WHERE seq = 1", ["x"])  # noqa: S608
    _sql(f"DELETE FROM {TABLE} WHERE seq = 4")  # noqa: S608
    with pytest.raises(CommandError) as failure:
        call_command("audit", "verify")
    assert failure.value.returncode == 1
    assert "3 problem(s) in 4 entries" in str(failure.value)
    errors = capsys.readouterr().err
    assert "entry #1: altered" in errors
    assert "entries #4: deleted (the numbering jumps)" in errors
    assert "entry #5: does not follow" in errors
