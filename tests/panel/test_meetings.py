"""Panels and meetings (issue 13, its first step): configuring a panel and its members,
scheduling a series of meetings on working days, attendance, the confidentiality statement and
the quorum."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.models import AccessLogEntry
from efh.panel.models import AttendanceStatus, Meeting, MeetingState, PanelKind, PanelRole
from efh.panel.services import meeting as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel(demo: dict[str, Any]) -> Any:
    chair = demo["panel.chair"]
    made = services.panel_create(
        actor=demo["admin"], name="Hackney extra-familial harm panel", kind=PanelKind.EFH, quorum=2
    )
    services.panel_member_set(actor=demo["admin"], panel=made, user=chair, role=PanelRole.CHAIR)
    services.panel_member_set(
        actor=demo["admin"], panel=made, user=demo["police.officer"], role=PanelRole.CORE
    )
    services.panel_member_set(
        actor=demo["admin"], panel=made, user=demo["school.dsl"], role=PanelRole.CORE
    )
    return made


def _next_monday_10() -> datetime:
    """10:00 in London on the next Monday."""
    day = calendar().local_date(now()) + timedelta(days=1)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime.combine(day, time(10), tzinfo=ZoneInfo(settings.TIME_ZONE))


def test_a_panel_needs_a_name_a_kind_and_sensible_numbers(demo: dict[str, Any]) -> None:
    with pytest.raises(ValidationError) as caught:
        services.panel_create(
            actor=demo["admin"], name=" ", kind="weekly", meets_every_days=0, quorum=0
        )
    assert {"name", "kind", "meets_every_days", "quorum"} <= set(caught.value.message_dict)
    services.panel_create(actor=demo["admin"], name="MACE", kind=PanelKind.MACE)
    with pytest.raises(ValidationError, match="already a panel called"):
        services.panel_create(actor=demo["admin"], name="mace", kind=PanelKind.MACE)


def test_a_series_is_weekly_on_working_days_and_all_or_nothing(
    demo: dict[str, Any], panel: Any
) -> None:
    first = _next_monday_10()
    meetings = services.meeting_series_schedule(
        actor=demo["panel.chair"], panel=panel, first_at=first, count=6, chair=demo["panel.chair"]
    )
    assert len(meetings) == 6 and len({m.series for m in meetings}) == 1
    cal = calendar()
    for m in meetings:
        assert cal.is_working_day(cal.local_date(m.starts_at))
        assert m.starts_at.astimezone(first.tzinfo).time() == first.time()
    gaps = {(b.starts_at - a.starts_at).days for a, b in itertools.pairwise(meetings)}
    assert gaps <= {6, 7, 8}  # a week, or a day either side around a bank holiday
    with pytest.raises(ValidationError, match="The panel already meets then"):
        services.meeting_series_schedule(
            actor=demo["panel.chair"], panel=panel, first_at=meetings[2].starts_at, count=2
        )
    assert Meeting.objects.count() == 6
    with pytest.raises(ValidationError) as caught:
        services.meeting_series_schedule(
            actor=demo["panel.chair"],
            panel=panel,
            first_at=datetime(2020, 1, 6, 10, tzinfo=UTC),
            count=60,
            chair=demo["panel.chair"],
            co_chair=demo["panel.chair"],
        )
    assert {"first_at", "count", "co_chair"} <= set(caught.value.message_dict)


def test_a_bank_holiday_monday_moves_to_the_tuesday(db: None) -> None:
    from efh.panel.services.meeting import _working

    monday = datetime(2027, 5, 31, 9, 0, tzinfo=UTC)  # spring bank holiday 2027
    assert _working(monday) == datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def test_a_series_keeps_its_local_time_across_the_clocks_changing() -> None:
    from efh.panel.services.meeting import series_times

    london = ZoneInfo("Europe/London")
    first = datetime(2027, 3, 15, 10, 0, tzinfo=london)  # GMT; British Summer Time from 28 March
    times = series_times(first, 7, 4)
    assert [t.astimezone(london).hour for t in times] == [10, 10, 10, 10]
    assert [t.hour for t in times] == [10, 10, 9, 9]  # in UTC


def test_attendance_confidentiality_and_quorum(demo: dict[str, Any], panel: Any) -> None:
    (meeting,) = services.meeting_series_schedule(
        actor=demo["panel.chair"], panel=panel, first_at=_next_monday_10(), count=1
    )
    chair, police, school = demo["panel.chair"], demo["police.officer"], demo["school.dsl"]
    services.attendance_record(actor=chair, meeting=meeting, user=chair, status="attended")
    services.attendance_record(actor=chair, meeting=meeting, user=school, status="apologies")
    with pytest.raises(ValidationError, match="Only someone recorded as attending"):
        services.confidentiality_accept(actor=school, meeting=meeting)
    accepted = services.confidentiality_accept(actor=chair, meeting=meeting)
    assert accepted.confidentiality_accepted_at is not None
    assert not services.is_quorate(meeting)  # one core agency of the two needed
    services.attendance_record(actor=chair, meeting=meeting, user=police, status="attended")
    opened = services.meeting_open(actor=chair, meeting=meeting)
    assert opened.state == MeetingState.OPEN and opened.quorate is True
    with pytest.raises(ValidationError, match="already started"):
        services.meeting_open(actor=chair, meeting=meeting)
    # Sending apologies after attending withdraws the acceptance with it.
    row = services.attendance_record(actor=chair, meeting=meeting, user=chair, status="apologies")
    assert row.status == AttendanceStatus.APOLOGIES and row.confidentiality_accepted_at is None
    logged = AccessLogEntry.objects.filter(object_type="meeting", object_id=str(meeting.pk))
    assert logged.filter(action="update").exists()


def test_a_closed_meeting_cannot_change(demo: dict[str, Any], panel: Any) -> None:
    (meeting,) = services.meeting_series_schedule(
        actor=demo["panel.chair"], panel=panel, first_at=_next_monday_10(), count=1
    )
    Meeting.objects.filter(pk=meeting.pk).update(state=MeetingState.CLOSED, closed_at=now())
    with pytest.raises(ValidationError, match="cannot change"):
        services.attendance_record(
            actor=demo["panel.chair"], meeting=meeting, user=demo["panel.chair"], status="attended"
        )
