"""Old and new values of a change, as the access log records them.

Every change a service makes is logged with ``detail["changes"] = field_changes(old, new)``:
``{"field": [old, new]}`` for each field whose value changed, in a form JSON keeps exactly
(dates and times as ISO 8601 text)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any


def loggable(value: Any) -> Any:
    """A value as the log's JSON holds it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [loggable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def field_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field of ``new`` whose value differs from ``old``
    (a field missing from ``old`` was empty: ``None``)."""
    return {
        name: [loggable(old.get(name)), loggable(value)]
        for name, value in new.items()
        if old.get(name) != value
    }


def created(values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [None, value]}`` for each field a new record was given (empty ones left out)."""
    return field_changes({}, {k: v for k, v in values.items() if v not in (None, "", [], ())})
