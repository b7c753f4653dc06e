"""The partnership's closure days (beyond England and Wales bank holidays): no working day for any
due date (``core.calendar``). Added and removed with ``efh closure-days``; each change is in the
access log (ADMIN) in the same transaction.

Due dates already set (a queued concern's, a conference's) are not moved by a later change:
they were promised on the calendar of the day they were set.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction

from efh.core.calendar import Calendar
from efh.core.models import AccessAction, ClosureDay, ObjectType
from efh.core.services import access_log_record

NAME_MAX = ClosureDay._meta.get_field("name").max_length or 120


class ClosureDayError(ValueError):
    """A closure day that cannot be added or removed, with the reason."""


@dataclass(frozen=True)
class Added:
    closure: ClosureDay
    note: str  # why the day was not a working day already ("Saturday", a bank holiday), or ""


def parse_day(text: str) -> date:
    """A day written YYYY-MM-DD, or :class:`ClosureDayError` saying what is wrong."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ClosureDayError(
            f"{text!r} is not a date: write it as YYYY-MM-DD, for example 2026-12-29"
        ) from None


def _log(actor: Any | None, what: str, day: date, name: str) -> None:
    access_log_record(
        actor=actor,
        action=AccessAction.ADMIN,
        object_type=ObjectType.CLOSURE_DAY,
        object_id=day.isoformat(),
        fields=["closure_day"],
        detail={"closure_day": {"day": day.isoformat(), "name": name}, "change": what},
    )


@transaction.atomic
def closure_day_add(*, actor: Any | None, day: date, name: str) -> Added:
    """Make ``day`` a closure day called ``name``. A day that is already a closure day is
    refused; a weekend or a bank holiday is added with a note saying it was not a working day
    anyway."""
    name = (name or "").strip()
    if not name:
        raise ClosureDayError("give the closure day a name, for example 'Council closure'")
    if len(name) > NAME_MAX:
        raise ClosureDayError(f"the name must be {NAME_MAX} characters or fewer")
    existing = ClosureDay.objects.filter(day=day).first()
    if existing is not None:
        raise ClosureDayError(f"{day:%A %d %B %Y} is already a closure day: {existing.name}")
    note = ""
    why = Calendar(closures=frozenset()).why_not_working(day)
    if why:
        kind = "a weekend" if day.weekday() >= 5 else f"a bank holiday ({why})"
        note = f"{day:%A %d %B %Y} is {kind}: not a working day in any case"
    try:
        with transaction.atomic():
            closure = ClosureDay.objects.create(day=day, name=name)
    except IntegrityError:
        raise ClosureDayError(f"{day:%A %d %B %Y} is already a closure day") from None
    _log(actor, "added", day, name)
    return Added(closure, note)


@transaction.atomic
def closure_day_remove(*, actor: Any | None, day: date) -> ClosureDay:
    """Make ``day`` a working day again (if it is a weekday and not a bank holiday)."""
    closure = ClosureDay.objects.select_for_update().filter(day=day).first()
    if closure is None:
        raise ClosureDayError(f"{day:%A %d %B %Y} is not a closure day")
    closure.delete()
    _log(actor, "removed", day, closure.name)
    return closure
