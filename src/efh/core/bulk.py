"""Fast bulk reads and writes (the importer, link runs): ``COPY`` on PostgreSQL, ``executemany``
on SQLite.

Django's ``bulk_create`` builds model instances and multi-row ``INSERT`` statements; for a
borough's delivery (about a million rows) PostgreSQL's ``COPY`` through psycopg is several times
faster, and no maintained Django library wraps psycopg 3's copy for plain rows, so this small
adapter does. Ids are allocated first (from the table's sequence on PostgreSQL; after the
current maximum on SQLite, whose single writer lock the import transaction already holds) so
rows referring to each other can be written without reading anything back.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import polars as pl
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


def max_id(model: type[models.Model]) -> int:
    """The largest id in the model's table (0 when empty)."""
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value


def insert_frame(model: type[models.Model], frame: pl.DataFrame) -> int:
    """Insert a frame's rows; its column names are the model's field names (attnames)."""
    if frame.is_empty():
        return 0
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in _columns(model, frame.columns))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Polars writes the CSV in native code; strings are always quoted so that an empty
            # string stays empty while an unquoted empty field is NULL.
            buffer = io.BytesIO()
            frame.write_csv(
                buffer,
                include_header=False,
                null_value="",
                quote_style="non_numeric",
                datetime_format="%Y-%m-%dT%H:%M:%S%.f%z",
                date_format="%Y-%m-%d",
            )
            statement = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)"
            with cursor.cursor.copy(statement) as copy:
                view = buffer.getbuffer()
                for start in range(0, len(view), 1 << 20):
                    copy.write(view[start : start + (1 << 20)])
        else:
            marks = ", ".join(["%s"] * frame.width)
            cursor.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608
                [tuple(_sqlite_value(v) for v in row) for row in frame.iter_rows()],
            )
    return frame.height


@contextmanager
def foreign_keys_rebuilt(models_loaded: Sequence[type[models.Model]]) -> Iterator[None]:
    """For a large load, drop the loaded tables' foreign keys and add them back afterwards.

    PostgreSQL's own advice for populating a database ("Remove Foreign Key Constraints"):
    re-adding a constraint validates every row with one set-based join, where a constraint in
    place runs a trigger per inserted row (about half of a borough's import time here). The
    constraints come back exactly as defined (``pg_get_constraintdef``) and are fully validated
    before the transaction can commit; if validation failed, the whole import would roll back
    with the constraints intact. Dropping takes ACCESS EXCLUSIVE locks on the loaded tables for
    the rest of the transaction, so this is for large batches only (see ``BULK_LOAD_ROWS``).
    Must run inside the import's transaction. Does nothing on other databases.
    """
    if connection.vendor != "postgresql":
        yield
        return
    tables = [m._meta.db_table for m in models_loaded]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) "
            "ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        constraints = cursor.fetchall()
        for table, name, _definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        # Each re-added key is validated by one join; give it room to hash in memory.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        for table, name, definition in constraints:
            cursor.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}"
            )


def statistics_refreshed(tables: Sequence[str]) -> None:
    """``ANALYZE`` the tables a large load wrote to (PostgreSQL's advice after populating a
    database: "Run ANALYZE Afterwards"), so the planner does not plan the next queries (a
    need-to-know check over a borough, say) on the statistics of nearly empty tables when
    autovacuum is off or has not caught up. Runs inside the import's transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def read_frame(sql: str, schema: dict[str, Any]) -> pl.DataFrame:
    """Run a query and return its rows as a frame with ``schema`` (column names in order).

    On PostgreSQL the rows come through ``COPY (query) TO STDOUT`` as CSV, parsed by Polars in
    native code: for a million person records several times faster than fetching Python tuples.
    The query must take no parameters (callers build it from table names only).
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv)") as copy:
                for block in copy:
                    buffer.write(block)
            if not buffer.getbuffer().nbytes:
                return pl.DataFrame(schema=schema)
            buffer.seek(0)
            text_schema = {
                k: (pl.String if v in (pl.Date, pl.Datetime) else v) for k, v in schema.items()
            }
            frame = pl.read_csv(
                buffer,
                has_header=False,
                new_columns=list(schema),
                schema=text_schema,
            )
        else:
            cursor.execute(sql)
            # Django's SQLite adapter returns dates and datetimes as objects: text columns are
            # given as text (ISO), date columns as dates.
            kinds = list(schema.values())
            rows = [
                tuple(
                    v.isoformat() if kind == pl.String and isinstance(v, date) else v
                    for v, kind in zip(row, kinds, strict=True)
                )
                for row in cursor.fetchall()
            ]
            return pl.DataFrame(rows, schema=schema, orient="row")
    dates = [pl.col(k).str.to_date("%Y-%m-%d") for k, v in schema.items() if v == pl.Date]
    return frame.with_columns(dates) if dates else frame


def update_from_pairs(
    model: type[models.Model], *, match: str, set_field: str, pairs: Sequence[tuple[int, int]]
) -> int:
    """For each ``(old, new)``: set ``set_field`` to ``new`` on the rows whose ``match`` field is
    ``old``. One ``UPDATE ... FROM (VALUES ...)`` per 5,000 pairs, a hash join in the database
    (PostgreSQL, and SQLite from 3.33): Django's ``Case``/``When`` builds one expression object per
    pair and the database then tests each row against every branch, which was most of a link
    run's time at a borough's scale. Returns the number of rows changed."""
    table = connection.ops.quote_name(model._meta.db_table)
    match_col = connection.ops.quote_name(_columns(model, [match])[0])
    set_col = connection.ops.quote_name(_columns(model, [set_field])[0])
    postgres = connection.vendor == "postgresql"
    changed = 0
    with connection.cursor() as cursor:
        for start in range(0, len(pairs), 5000):
            chunk = pairs[start : start + 5000]
            if postgres:
                rows = ", ".join(["(%s::bigint, %s::bigint)"] * len(chunk))
                sql = (
                    f"UPDATE {table} SET {set_col} = v.new FROM (VALUES {rows}) AS v(old, new) "  # noqa: S608
                    f"WHERE {table}.{match_col} = v.old"
                )
            else:
                rows = ", ".join(["(%s, %s)"] * len(chunk))
                sql = (
                    f"UPDATE {table} SET {set_col} = v.column2 FROM (VALUES {rows}) AS v "  # noqa: S608
                    f"WHERE {table}.{match_col} = v.column1"
                )
            cursor.execute(sql, [int(x) for pair in chunk for x in pair])
            changed += cursor.rowcount
    return changed
