"""The platform's one working-day calendar: every due date counted in working days (screening by
the end of the next working day, a strategy discussion within 2, the initial child protection
conference within 15, an NRM reasonable-grounds decision within 5) is counted here.

A working day is a weekday that is neither an England and Wales bank holiday (the ``holidays``
package, which carries its tables offline) nor one of the partnership's closure days
(:class:`efh.core.models.ClosureDay`). Due *times* are the end of the working day in the
partnership's time zone (``settings.TIME_ZONE``), returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from efh.core.models import ClosureDay

END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=[year]).keys())


def _closure_days() -> frozenset[date]:
    # Read each call: a handful of rows, changed by an administrator at any time.
    return frozenset(ClosureDay.objects.values_list("day", flat=True))


class Calendar:
    """Working days, with the closure days read once (one request or one job uses one)."""

    def __init__(self, closures: frozenset[date] | None = None) -> None:
        self.closures = _closure_days() if closures is None else closures

    def is_working_day(self, day: date) -> bool:
        return (
            day.weekday() < 5 and day not in _bank_holidays(day.year) and day not in self.closures
        )

    def why_not_working(self, day: date) -> str:
        """ "Saturday", "Christmas Day", a closure's name; empty for a working day."""
        if day.weekday() >= 5:
            return day.strftime("%A")
        names = holidays.country_holidays("GB", subdiv="ENG", years=[day.year])
        if day in names:
            return str(names[day])
        if day in self.closures:
            closure = ClosureDay.objects.filter(day=day).first()
            return closure.name if closure else "Closure day"
        return ""

    def add_working_days(self, start: date, days: int) -> date:
        """The working day ``days`` working days after ``start`` (``start`` itself not counted,
        whether or not it is a working day). ``days=0`` gives ``start`` if it is a working day,
        else the next one."""
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
        local = datetime.combine(day, END_OF_DAY, tzinfo=ZoneInfo(settings.TIME_ZONE))
        return local.astimezone(UTC)

    def local_date(self, at: datetime) -> date:
        return at.astimezone(ZoneInfo(settings.TIME_ZONE)).date()

    def due_end_of_working_day(self, received: datetime, working_days: int) -> datetime:
        """The end of the ``working_days``-th working day after the day ``received`` falls on
        (by the end of the next working day: ``working_days=1``)."""
        return self.end_of(self.add_working_days(self.local_date(received), working_days))


def calendar() -> Calendar:
    return Calendar()
