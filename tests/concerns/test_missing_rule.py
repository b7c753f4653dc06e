"""The 72-hour return home interview standard, and how dates and times are read from forms."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest

from efh.concerns.forms.missing import DateTimeField, parse_time
from efh.concerns.rhi import RhiMeasure, RhiStatus, rhi_held, rhi_measures, rhi_offered

RETURNED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
LATER = RETURNED + 500 * H


def held(**kwargs: Any) -> RhiMeasure:
    kwargs.setdefault("returned_at", RETURNED)
    kwargs.setdefault("completed_at", None)
    return rhi_held(**kwargs)


def offered(**kwargs: Any) -> RhiMeasure:
    kwargs.setdefault("returned_at", RETURNED)
    kwargs.setdefault("offered_at", None)
    kwargs.setdefault("completed_at", None)
    return rhi_offered(**kwargs)


def test_still_missing_has_no_interview_due() -> None:
    both = rhi_measures(
        returned_at=None, offered_at=None, completed_at=None, now=RETURNED + 500 * H
    )
    assert both.offered.status == both.held.status == RhiStatus.STILL_MISSING
    assert both.open and not both.overdue and both.due_at is None


@pytest.mark.parametrize(
    ("after", "status", "text"),
    [
        (timedelta(0), RhiStatus.MET, "Met"),
        (71 * H, RhiStatus.MET, "Met"),
        (72 * H, RhiStatus.MET, "Met"),  # exactly 72 hours still meets the standard
        (72 * H + timedelta(seconds=1), RhiStatus.NOT_MET, "Not met (73 hours)"),
        (73 * H, RhiStatus.NOT_MET, "Not met (73 hours)"),
        (100 * H + timedelta(minutes=30), RhiStatus.NOT_MET, "Not met (101 hours)"),
    ],
)
def test_each_measure_at_its_boundary(after: timedelta, status: RhiStatus, text: str) -> None:
    when = RETURNED + after
    assert (held(completed_at=when, now=LATER).status, held(completed_at=when, now=LATER).text) == (
        status,
        text,
    )
    result = offered(offered_at=when, now=LATER)
    assert (result.status, result.text) == (status, text)


def test_offered_at_48_hours_and_held_at_100_hours_is_two_answers() -> None:
    """The defect: one page said met, the other not met, the third overdue, for one episode."""
    both = rhi_measures(
        returned_at=RETURNED,
        offered_at=RETURNED + 48 * H,
        completed_at=RETURNED + 100 * H,
        now=LATER,
    )
    assert (both.offered.label, both.offered.status) == ("Offered within 72 hours", "met")
    assert (both.held.label, both.held.status, both.held.text) == (
        "Held within 72 hours",
        "not_met",
        "Not met (100 hours)",
    )
    assert not both.overdue and not both.open
    assert both.text == "Offered within 72 hours: Met. Held within 72 hours: Not met (100 hours)"


def test_an_interview_held_without_a_recorded_offer_was_offered_when_held() -> None:
    assert offered(completed_at=RETURNED + 10 * H, now=LATER).status == RhiStatus.MET
    assert offered(completed_at=RETURNED + 80 * H, now=LATER).text == "Not met (80 hours)"


def test_not_completed_is_due_until_the_deadline_then_overdue() -> None:
    due = held(now=RETURNED + 72 * H)
    assert due.status == RhiStatus.DUE
    assert due.deadline == RETURNED + 72 * H
    # 10:00 UTC on 5 March is 10:00 in London (no summer time yet).
    assert due.text == "Due by 5 March 2026 at 10:00am"
    overdue = held(now=RETURNED + 72 * H + timedelta(seconds=1))
    assert (overdue.status, overdue.text) == (RhiStatus.OVERDUE, "Overdue: not held")
    assert offered(now=RETURNED + 73 * H).text == "Overdue: not offered"
    # Offered in time and not yet held: the offer is met, the interview overdue.
    both = rhi_measures(
        returned_at=RETURNED, offered_at=RETURNED + H, completed_at=None, now=RETURNED + 80 * H
    )
    assert both.offered.status == RhiStatus.MET and both.overdue and both.open


def test_declined_is_shown_as_declined_not_overdue() -> None:
    both = rhi_measures(
        returned_at=RETURNED,
        offered_at=RETURNED + H,
        completed_at=None,
        declined=True,
        now=RETURNED + 200 * H,
    )
    assert both.held.status == RhiStatus.DECLINED
    assert both.offered.status == RhiStatus.MET
    assert not both.overdue and not both.open
    assert offered(declined=True, now=LATER).status == RhiStatus.DECLINED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:30", time(21, 30)),
        ("9:30pm", time(21, 30)),
        ("9.30 PM", time(21, 30)),
        ("9pm", time(21, 0)),
        ("12am", time(0, 0)),
        ("12pm", time(12, 0)),
        ("midday", time(12, 0)),
        ("midnight", time(0, 0)),
        ("07:05", time(7, 5)),
        ("9", None),
        ("25:00", None),
        ("13pm", None),
        ("21:75", None),
        ("teatime", None),
    ],
)
def test_parse_time(text: str, expected: time | None) -> None:
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        (["", "", "", ""], "Enter when they went missing"),
        (["1", "", "2026", "10:00"], "When they went missing must include a month"),
        (["", "", "2026", "10:00"], "When they went missing must include a day and a month"),
        (["1", "2", "2026", ""], "When they went missing must include a time"),
        (["30", "2", "2026", "10:00"], "When they went missing must be a real date"),
        (["1", "2", "26", "10:00"], "When they went missing must have a year of four numbers"),
        (["a", "2", "2026", "10:00"], "When they went missing must be a real date, in numbers"),
        (["1", "2", "2026", "25:00"], "When they went missing must have a real time"),
    ],
)
def test_date_time_field_messages(parts: list[str], message: str) -> None:
    from django.core.exceptions import ValidationError

    field = DateTimeField(question="when they went missing")
    with pytest.raises(ValidationError) as error:
        field.clean(parts)
    assert error.value.messages[0].startswith(message)


def test_date_time_field_reads_london_time() -> None:
    field = DateTimeField(question="when they went missing")
    # 1 July is in British Summer Time: 21:30 in London is 20:30 UTC.
    value = field.clean(["1", "7", "2025", "9:30pm"])
    assert value is not None
    assert value.astimezone(UTC) == datetime(2025, 7, 1, 20, 30, tzinfo=UTC)
    assert DateTimeField(question="x", required=False).clean(["", "", "", ""]) is None
