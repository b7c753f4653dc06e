"""The platform's one working-day calendar: every due date counted in working days (screening by
the end of the next working day, a strategy discussion within 2, the initial child protection
conference within 15, an NRM reasonable-grounds decision within 5) is counted here.

A working day is a weekday that is neither an England and Wales bank holiday (the ``holidays``
package, which carries its tables offline) nor one of the partnership's closure days
(:class:`efh.core.models.ClosureDay`). Due *times* are the end of the working day in the
partnership's time zone (``settings.TIME_ZONE``), returned in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from efh.core.models import ClosureDay

END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> dict[date, str]:
    """England and Wales bank holidays of ``year`` by day, with their names (observed days,
    such as a Christmas Day that falls on a Saturday, included)."""
    table = holidays.country_holidays("GB", subdiv="ENG", years=[year])
    return {day: str(name) for day, name in table.items()}


def _closure_days() -> dict[date, str]:
    # Read each call: a handful of rows, changed by an administrator at any time.
    return dict(ClosureDay.objects.values_list("day", "name"))


def _a_date(day: object) -> date:
    # A datetime is a date too, but never equal to one: datetime(2026, 8, 31) would miss the
    # bank holiday on 31 August without a word.
    if isinstance(day, datetime) or not isinstance(day, date):
        raise TypeError(f"a date is needed, not {type(day).__name__} {day!r}")
    return day


class Calendar:
    """Working days, with the closure days read once (one request or one job uses one).

    ``closures`` replaces the configured closure days (for a test or a replay): a mapping of
    day to name, or just the days."""

    def __init__(self, closures: Mapping[date, str] | Iterable[date] | None = None) -> None:
        if closures is None:
            self.closure_names = _closure_days()
        elif isinstance(closures, Mapping):
            self.closure_names = dict(closures)
        else:
            self.closure_names = dict.fromkeys(closures, "Closure day")
        self.closures = frozenset(self.closure_names)

    def is_working_day(self, day: date) -> bool:
        day = _a_date(day)
        return (
            day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in self.closures
        )

    def why_not_working(self, day: date) -> str:
        """ "Saturday", "Christmas Day", a closure's name; empty for a working day."""
        day = _a_date(day)
        if day.weekday() >= 5:
            return day.strftime("%A")
        bank_holiday = _bank_holidays(day.year).get(day)
        if bank_holiday:
            return bank_holiday
        return self.closure_names.get(day, "")

    def add_working_days(self, start: date, days: int) -> date:
        """The working day ``days`` working days after ``start`` (``start`` itself not counted,
        whether or not it is a working day). ``days=0`` gives ``start`` if it is a working day,
        else the next one."""
        start = _a_date(start)
        if days < 0:
            raise ValueError("days must not be negative")
        day = start
        if days == 0:
            while not self.is_working_day(day):
                day += timedelta(days=1)
            return day
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative if end is first)."""
        start, end = _a_date(start), _a_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def end_of(self, day: date) -> datetime:
        """The end of that day in the partnership's time zone, as a UTC datetime."""
        local = datetime.combine(_a_date(day), END_OF_DAY, tzinfo=ZoneInfo(settings.TIME_ZONE))
        return local.astimezone(UTC)

    def local_date(self, at: datetime) -> date:
        """The day ``at`` falls on in the partnership's time zone (``at`` must be aware: a naive
        time would be read in the server's own zone)."""
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError(f"{at!r} has no time zone: give an aware datetime")
        return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()

    def due_end_of_working_day(self, received: datetime, working_days: int) -> datetime:
        """The end of the ``working_days``-th working day after the day ``received`` falls on
        (by the end of the next working day: ``working_days=1``)."""
        return self.end_of(self.add_working_days(self.local_date(received), working_days))


def calendar() -> Calendar:
    return Calendar()
