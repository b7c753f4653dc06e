"""Fast bulk writes for the importer: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

Django's ``bulk_create`` builds model instances and multi-row ``INSERT`` statements; for a
borough's delivery (about a million rows) PostgreSQL's ``COPY`` through psycopg is several times
faster, and no maintained Django library wraps psycopg 3's copy for plain rows, so this small
adapter does. Ids are allocated first (from the table's sequence on PostgreSQL; after the
current maximum on SQLite, whose single writer lock the import transaction already holds) so
rows referring to each other can be written without reading anything back.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.db import connection, models


def _columns(model: type[models.Model], fields: Sequence[str]) -> list[str]:
    return [model._meta.get_field(f).column for f in fields]  # type: ignore[union-attr,misc]


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve ``count`` primary keys for rows about to be inserted."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


def insert_rows(
    model: type[models.Model], fields: Sequence[str], columns: Sequence[Sequence[Any]]
) -> int:
    """Insert rows given column-wise (one sequence per field, all the same length)."""
    if not columns or not len(columns[0]):
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in _columns(model, fields))
    rows = zip(*columns, strict=True)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )
    return len(columns[0])
