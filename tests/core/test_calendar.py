"""The one working-day calendar (efh.core.calendar): England and Wales bank holidays plus the
partnership's closure days, due times at the end of the day in London, returned in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from efh.core.calendar import Calendar, calendar
from efh.core.models import ClosureDay

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def cal() -> Calendar:
    """A calendar with no closure days (no database needed)."""
    return Calendar(closures=frozenset())


# -- a bank-holiday weekend ------------------------------------------------------------------


def test_a_concern_on_the_friday_before_the_summer_bank_holiday_is_due_on_tuesday(cal):
    received = datetime(2026, 8, 28, 16, 0, tzinfo=LONDON)  # Friday afternoon
    due = cal.due_end_of_working_day(received, 1)
    assert due.tzinfo == UTC
    local = due.astimezone(LONDON)
    assert local.date() == date(2026, 9, 1)  # Mon 31 August is the late summer bank holiday
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert due == datetime(2026, 9, 1, 22, 59, 59, tzinfo=UTC)  # BST: an hour behind


def test_the_summer_bank_holiday_weekend_is_three_days_off(cal):
    assert cal.is_working_day(date(2026, 8, 28))
    for day in (date(2026, 8, 29), date(2026, 8, 30), date(2026, 8, 31)):
        assert not cal.is_working_day(day)
    assert cal.is_working_day(date(2026, 9, 1))
    assert cal.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 1)
    assert cal.add_working_days(date(2026, 8, 28), 2) == date(2026, 9, 2)


def test_the_day_received_is_the_london_day_not_the_utc_one(cal):
    # 00:30 on Friday in London is still Thursday in UTC: the concern arrived on Friday.
    received = datetime(2026, 8, 27, 23, 30, tzinfo=UTC)
    assert cal.local_date(received) == date(2026, 8, 28)
    assert cal.due_end_of_working_day(received, 1) == datetime(2026, 9, 1, 22, 59, 59, tzinfo=UTC)


def test_a_concern_received_on_the_bank_holiday_is_due_the_next_working_day_after(cal):
    received = datetime(2026, 8, 31, 10, 0, tzinfo=LONDON)
    assert cal.due_end_of_working_day(received, 1).astimezone(LONDON).date() == date(2026, 9, 1)


def test_strategy_and_conference_counts_cross_the_bank_holiday(cal):
    # Within 2 working days of Friday 28 August: Tuesday then Wednesday.
    assert cal.add_working_days(date(2026, 8, 28), 2) == date(2026, 9, 2)
    # 15 working days from Thursday 27 August: three weeks less the bank holiday.
    assert cal.add_working_days(date(2026, 8, 27), 15) == date(2026, 9, 18)


# -- Christmas and New Year --------------------------------------------------------------------


def test_christmas_and_new_year_2026(cal):
    # Christmas Day is a Friday, Boxing Day a Saturday (observed on Monday 28).
    for day in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)):
        assert not cal.is_working_day(day), day
    for day in (date(2026, 12, 24), date(2026, 12, 29), date(2026, 12, 31), date(2027, 1, 4)):
        assert cal.is_working_day(day), day
    assert cal.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    # New Year's Eve (Thursday) -> Monday 4 January, across New Year's Day and a new year.
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_christmas_2027_on_a_weekend_moves_both_days_to_monday_and_tuesday(cal):
    assert not cal.is_working_day(date(2027, 12, 27))  # Christmas Day (observed)
    assert not cal.is_working_day(date(2027, 12, 28))  # Boxing Day (observed)
    assert cal.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
    assert cal.why_not_working(date(2027, 12, 27)) == "Christmas Day (observed)"


# -- closure days --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_configured_closure_day_is_not_a_working_day():
    ClosureDay.objects.create(day=date(2026, 12, 29), name="Council closure between Christmas")
    cal = calendar()
    assert not cal.is_working_day(date(2026, 12, 29))
    assert cal.is_working_day(date(2026, 12, 30))
    assert cal.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 30)
    assert cal.why_not_working(date(2026, 12, 29)) == "Council closure between Christmas"
    # Without it the Tuesday is a working day.
    assert Calendar(closures=frozenset()).is_working_day(date(2026, 12, 29))


@pytest.mark.django_db
def test_closure_days_are_read_once_per_calendar():
    cal = calendar()
    ClosureDay.objects.create(day=date(2026, 6, 3), name="Training day")
    assert cal.is_working_day(date(2026, 6, 3))  # read when the calendar was made
    assert not calendar().is_working_day(date(2026, 6, 3))


def test_closure_days_given_by_name_need_no_database(cal):
    named = Calendar(closures={date(2026, 6, 3): "Training day"})
    assert not named.is_working_day(date(2026, 6, 3))
    assert named.why_not_working(date(2026, 6, 3)) == "Training day"
    unnamed = Calendar(closures=frozenset({date(2026, 6, 3)}))
    assert unnamed.why_not_working(date(2026, 6, 3)) == "Closure day"


# -- add_working_days ----------------------------------------------------------------------------


def test_zero_working_days_is_the_day_itself_if_it_is_working(cal):
    assert cal.add_working_days(date(2026, 9, 1), 0) == date(2026, 9, 1)


def test_zero_working_days_from_a_non_working_day_is_the_next_working_day(cal):
    assert cal.add_working_days(date(2026, 8, 29), 0) == date(2026, 9, 1)  # Sat -> Tue
    assert cal.add_working_days(date(2026, 12, 25), 0) == date(2026, 12, 29)


def test_the_start_day_is_not_counted_even_when_it_is_not_working(cal):
    assert cal.add_working_days(date(2026, 8, 29), 1) == date(2026, 9, 1)  # Saturday
    assert cal.add_working_days(date(2026, 9, 4), 1) == date(2026, 9, 7)  # Friday -> Monday


def test_negative_working_days_are_refused(cal):
    with pytest.raises(ValueError, match="negative"):
        cal.add_working_days(date(2026, 9, 1), -1)


def test_a_datetime_is_refused_where_a_date_is_meant(cal):
    # datetime(2026, 8, 31) != date(2026, 8, 31): the bank holiday would be missed silently.
    with pytest.raises(TypeError, match="date"):
        cal.add_working_days(datetime(2026, 8, 28, 16, tzinfo=UTC), 1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="date"):
        cal.is_working_day(datetime(2026, 8, 31, tzinfo=UTC))  # type: ignore[arg-type]


# -- working_days_between ------------------------------------------------------------------------


def test_working_days_between(cal):
    assert cal.working_days_between(date(2026, 8, 28), date(2026, 8, 28)) == 0
    assert cal.working_days_between(date(2026, 8, 28), date(2026, 8, 31)) == 0
    assert cal.working_days_between(date(2026, 8, 28), date(2026, 9, 1)) == 1
    assert cal.working_days_between(date(2026, 8, 24), date(2026, 9, 4)) == 8
    assert cal.working_days_between(date(2026, 9, 1), date(2026, 8, 28)) == -1


def test_working_days_between_undoes_add_working_days(cal):
    start = date(2026, 12, 18)
    for n in range(0, 25):
        end = cal.add_working_days(start, n)
        assert cal.working_days_between(start, end) == n


# -- end_of: BST and GMT ---------------------------------------------------------------------------


def test_end_of_a_summer_day_is_an_hour_earlier_in_utc(cal):
    assert cal.end_of(date(2026, 7, 1)) == datetime(2026, 7, 1, 22, 59, 59, tzinfo=UTC)


def test_end_of_a_winter_day_is_the_same_in_utc(cal):
    assert cal.end_of(date(2026, 12, 1)) == datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC)


def test_end_of_the_days_the_clocks_change(cal):
    # The clocks go forward on Sunday 29 March 2026 and back on Sunday 25 October 2026 at 01:00
    # UTC: by the end of each day London is on the new time.
    assert cal.end_of(date(2026, 3, 28)) == datetime(2026, 3, 28, 23, 59, 59, tzinfo=UTC)
    assert cal.end_of(date(2026, 3, 29)) == datetime(2026, 3, 29, 22, 59, 59, tzinfo=UTC)
    assert cal.end_of(date(2026, 10, 24)) == datetime(2026, 10, 24, 22, 59, 59, tzinfo=UTC)
    assert cal.end_of(date(2026, 10, 25)) == datetime(2026, 10, 25, 23, 59, 59, tzinfo=UTC)
    assert cal.end_of(date(2026, 10, 25)) - cal.end_of(date(2026, 10, 24)) == timedelta(hours=25)


def test_end_of_follows_the_partnerships_time_zone(cal, settings):
    settings.TIME_ZONE = "Europe/Paris"
    assert cal.end_of(date(2026, 7, 1)) == datetime(2026, 7, 1, 21, 59, 59, tzinfo=UTC)


def test_a_naive_datetime_is_refused(cal):
    with pytest.raises(ValueError, match="time zone"):
        cal.local_date(datetime(2026, 8, 28, 16, 0))
    with pytest.raises(ValueError, match="time zone"):
        cal.due_end_of_working_day(datetime(2026, 8, 28, 16, 0), 1)


# -- why_not_working -------------------------------------------------------------------------------


def test_why_not_working(cal):
    assert cal.why_not_working(date(2026, 8, 29)) == "Saturday"
    assert cal.why_not_working(date(2026, 8, 30)) == "Sunday"
    assert cal.why_not_working(date(2026, 8, 31)) == "Late Summer Bank Holiday"
    assert cal.why_not_working(date(2026, 12, 25)) == "Christmas Day"
    assert cal.why_not_working(date(2026, 12, 28)) == "Boxing Day (observed)"
    assert cal.why_not_working(date(2026, 4, 3)) == "Good Friday"
    assert cal.why_not_working(date(2026, 9, 1)) == ""


def test_why_not_working_agrees_with_is_working_day(cal):
    day = date(2026, 1, 1)
    while day < date(2028, 1, 1):
        assert (cal.why_not_working(day) == "") == cal.is_working_day(day), day
        day += timedelta(days=1)
