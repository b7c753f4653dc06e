"""Building exchange-format deliveries for tests: copy the conformance delivery, then edit it.

Lines are physical line numbers as the importer reports them (the header is line 1). The
conformance delivery has no quoted line breaks, so its record on line N is data row N - 2.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.apps import apps

CONFORMANCE = Path(__file__).resolve().parent / "data" / "conformance"
SHARED_CONFORMANCE = Path("/work/shared/conformance/delivery")
APPS = ("core", "accounts", "people", "contexts", "concerns")
# The access log records every import by design (tests/core/test_access_log.py); comparisons of
# what two imports stored leave it out, while snapshots around rejected imports keep it in.
AUDIT = ("core.AccessLogEntry", "core.AccessLogHead")


def copy_delivery(dest: Path) -> Path:
    """A fresh copy of the conformance delivery at ``dest``."""
    shutil.copytree(CONFORMANCE, dest)
    return dest


def read_rows(folder: Path, file: str) -> tuple[list[str], list[list[str]]]:
    with (folder / file).open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return rows[0], rows[1:]


def render(header: list[str], rows: Iterable[list[str]], **options: Any) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=options.pop("lineterminator", "\n"), **options)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_rows(folder: Path, file: str, header: list[str], rows: Iterable[list[str]]) -> None:
    (folder / file).write_text(render(header, rows), encoding="utf-8", newline="")


def edit(folder: Path, file: str, line: int, **values: str) -> None:
    """Set columns of the record on physical ``line`` (2 = first record)."""
    header, rows = read_rows(folder, file)
    row = rows[line - 2]
    for column, value in values.items():
        row[header.index(column)] = value
    write_rows(folder, file, header, rows)


def append(folder: Path, file: str, **values: str) -> int:
    """Append a record (unnamed columns empty); return the line it starts on."""
    header, rows = read_rows(folder, file)
    unknown = set(values) - set(header)
    assert not unknown, unknown
    rows.append([values.get(column, "") for column in header])
    write_rows(folder, file, header, rows)
    return len(rows) + 1


def duplicate(folder: Path, file: str, line: int, **changes: str) -> int:
    """Append a copy of the record on ``line`` with ``changes``; return the new line."""
    header, rows = read_rows(folder, file)
    copy = list(rows[line - 2])
    for column, value in changes.items():
        copy[header.index(column)] = value
    rows.append(copy)
    write_rows(folder, file, header, rows)
    return len(rows) + 1


def drop_column(folder: Path, file: str, column: str) -> None:
    header, rows = read_rows(folder, file)
    index = header.index(column)
    write_rows(
        folder,
        file,
        [h for i, h in enumerate(header) if i != index],
        [[v for i, v in enumerate(row) if i != index] for row in rows],
    )


def keep_rows(folder: Path, file: str, *lines: int) -> None:
    header, rows = read_rows(folder, file)
    write_rows(folder, file, header, [rows[line - 2] for line in lines])


def replace_bytes(folder: Path, file: str, old: bytes, new: bytes, count: int = 1) -> None:
    path = folder / file
    data = path.read_bytes()
    assert data.count(old) >= count, (old, file)
    path.write_bytes(data.replace(old, new, count))


def snapshot(exclude: Iterable[str] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every model (through tables included) of the platform's data apps."""
    skip = set(exclude)
    state: dict[str, list[tuple[Any, ...]]] = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.label in skip:
                continue
            state[model._meta.label] = list(model.objects.order_by("pk").values_list())
    return state


# Models holding rows as received (``raw``).
RAW_MODELS = (
    "core.RecordVersion",
    "people.PersonRecord",
    "contexts.Organisation",
    "contexts.Location",
    "contexts.Association",
    "concerns.Event",
    "concerns.EventPerson",
    "concerns.MissingEpisode",
)

# Fields that differ between two imports of the same rows: keys, links and receipt details.
VOLATILE = {"received_at", "created_at", "path", "fingerprint"}


def content(exclude: Iterable[str] = ()) -> dict[str, list[tuple[Any, ...]]]:
    """What the platform holds, independent of ids: every row's own values (no primary or
    foreign keys), sorted; a table of keys only is represented by its row count.
    ``exclude`` names ``app.Model`` or ``app.Model.field``; the access log is always left out."""
    skip = {*exclude, *AUDIT}
    state: dict[str, list[tuple[Any, ...]]] = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            name = model._meta.label
            if name in skip:
                continue
            fields = [
                f.attname
                for f in model._meta.concrete_fields
                if not f.primary_key
                and not f.is_relation
                and f.name not in VOLATILE
                and f"{name}.{f.name}" not in skip
            ]
            if fields:
                raw = [i for i, f in enumerate(fields) if f == "raw"]
                rows = [
                    tuple(_row_items(v) if i in raw else v for i, v in enumerate(row))
                    for row in model.objects.values_list(*fields)
                ]
                state[name] = sorted(rows, key=repr)
            else:
                state[name] = [(model.objects.count(),)]
    return state


def raw_row(value: Any) -> dict[str, str]:
    """A stored row as received (kept as JSON text, or as a JSON object) as a dict."""
    return json.loads(value) if isinstance(value, str) else dict(value)


def _row_items(value: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(raw_row(value).items()))
