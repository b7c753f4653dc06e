"""Writes of panels and meetings: configuring a panel and its members, scheduling meetings as a
series, recording attendance and apologies, the confidentiality statement's acceptance, and
opening a meeting (when whether it is quorate is decided).

Every write is ``@transaction.atomic``, checks its input whole (``ValidationError`` keyed by the
form's field, nothing stored), and logs itself with old and new values. Who may call each is the
views' question (``panel.policy``, with the screens: a later step of issue 13)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.panel.models import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingState,
    Panel,
    PanelKind,
    PanelMember,
    PanelRole,
)

MAX_SERIES = 52


def _log(
    actor: Any,
    what: str,
    object_id: Any,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    detail: dict[str, Any] | None = None,
) -> None:
    from efh.core.changes import created, field_changes

    changes = created(new) if old is None else field_changes(old, new)
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE if old is None else AccessAction.UPDATE,
        object_type=what,
        object_id=object_id,
        fields=sorted(changes),
        detail={**(detail or {}), "changes": changes},
    )


@transaction.atomic
def panel_create(
    *,
    actor: Any,
    name: str,
    kind: str,
    meets_every_days: int = 7,
    quorum: int = 3,
    pack_access_days: int = 14,
) -> Panel:
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["Enter the panel's name"]
    elif Panel.objects.filter(name__iexact=name.strip()).exists():
        errors["name"] = [f"There is already a panel called {name.strip()!r}"]
    if kind not in PanelKind.values:
        errors["kind"] = ["Choose the kind of panel"]
    if not 1 <= meets_every_days <= 92:
        errors["meets_every_days"] = ["A panel meets every 1 to 92 days"]
    if not 1 <= quorum <= 20:
        errors["quorum"] = ["The quorum is 1 to 20 core agencies"]
    if not 1 <= pack_access_days <= 90:
        errors["pack_access_days"] = ["Packs stay open to attendees for 1 to 90 days"]
    if errors:
        raise ValidationError(errors)
    panel = Panel.objects.create(
        name=name.strip(),
        kind=kind,
        meets_every_days=meets_every_days,
        quorum=quorum,
        pack_access_days=pack_access_days,
        created_at=now(),
    )
    _log(
        actor,
        ObjectType.PANEL,
        panel.pk,
        None,
        {
            "name": panel.name,
            "kind": kind,
            "meets_every_days": meets_every_days,
            "quorum": quorum,
            "pack_access_days": pack_access_days,
        },
    )
    return panel


@transaction.atomic
def panel_member_set(*, actor: Any, panel: Panel, user: Any, role: str) -> PanelMember:
    """Make the user a member in that role (or change their role); they sit for their agency."""
    if role not in PanelRole.values:
        raise ValidationError({"role": ["Choose the member's role"]})
    if getattr(user, "agency_id", None) is None:
        raise ValidationError({"user": ["A member sits for an agency: this account has none"]})
    member = PanelMember.objects.filter(panel=panel, user=user).first()
    old = {"role": member.role} if member else None
    if member is None:
        member = PanelMember.objects.create(
            panel=panel, user=user, agency_id=user.agency_id, role=role
        )
    else:
        member.role = role
        member.save(update_fields=["role"])
    _log(actor, ObjectType.PANEL, panel.pk, old, {"role": role}, {"member": user.pk})
    return member


def _working(at: datetime) -> datetime:
    """The same local time on the next working day, if ``at`` falls on a weekend, bank holiday
    or closure day."""
    local = at.astimezone(ZoneInfo(settings.TIME_ZONE))
    day = calendar().add_working_days(local.date(), 0)
    return datetime.combine(day, local.time(), tzinfo=local.tzinfo).astimezone(UTC)


def series_times(first_at: datetime, every_days: int, count: int) -> list[datetime]:
    """The meetings' times: every ``every_days`` at the first one's local time (10:00 stays
    10:00 across the clocks changing), each moved to a working day."""
    local = first_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    return [
        _working(
            datetime.combine(
                local.date() + timedelta(days=every_days * i), local.time(), tzinfo=local.tzinfo
            )
        )
        for i in range(count)
    ]


@transaction.atomic
def meeting_series_schedule(
    *,
    actor: Any,
    panel: Panel,
    first_at: datetime | None,
    count: int,
    chair: Any = None,
    co_chair: Any = None,
) -> list[Meeting]:
    """``count`` meetings from ``first_at``, one every ``panel.meets_every_days`` (a date that
    is not a working day moves to the next working day, at the same time). All or nothing: a
    clash with a meeting already scheduled names its date and stores none."""
    errors: dict[str, list[str]] = {}
    if first_at is None:
        errors["first_at"] = ["Enter the date and time of the first meeting"]
    elif first_at < now():
        errors["first_at"] = ["The first meeting must be in the future"]
    if not 1 <= count <= MAX_SERIES:
        errors["count"] = [f"Schedule 1 to {MAX_SERIES} meetings at a time"]
    if chair is not None and co_chair is not None and chair.pk == co_chair.pk:
        errors["co_chair"] = ["The co-chair must be someone other than the chair"]
    if errors:
        raise ValidationError(errors)
    assert first_at is not None
    times = series_times(first_at, panel.meets_every_days, count)
    clashes = list(
        Meeting.objects.filter(panel=panel, starts_at__in=times)
        .exclude(state=MeetingState.CANCELLED)
        .values_list("starts_at", flat=True)
    )
    if clashes:
        when = ", ".join(f"{calendar().local_date(c):%d %B %Y}" for c in sorted(clashes))
        raise ValidationError({"first_at": [f"The panel already meets then: {when}"]})
    series = uuid.uuid4() if count > 1 else None
    at = now()
    meetings = [
        Meeting.objects.create(
            panel=panel,
            starts_at=t,
            chair=chair,
            co_chair=co_chair,
            series=series,
            created_by=actor,
            created_at=at,
        )
        for t in times
    ]
    _log(
        actor,
        ObjectType.MEETING,
        meetings[0].pk,
        None,
        {"panel": panel.pk, "meetings": [m.pk for m in meetings], "series": str(series or "")},
    )
    return meetings


def _open_for_changes(meeting: Meeting) -> Meeting:
    locked = Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)
    if locked.state in (MeetingState.CLOSED, MeetingState.CANCELLED):
        raise ValidationError(
            {"meeting": [f"The meeting is {locked.get_state_display().lower()}: it cannot change"]}
        )
    return locked


@transaction.atomic
def attendance_record(*, actor: Any, meeting: Meeting, user: Any, status: str) -> Attendance:
    """Who attended, for their agency, and who sent apologies."""
    locked = _open_for_changes(meeting)
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": ["Choose attended, apologies or absent"]})
    if getattr(user, "agency_id", None) is None:
        raise ValidationError({"user": ["An attendee comes for an agency: this account has none"]})
    row = Attendance.objects.filter(meeting=locked, user=user).first()
    old = {"status": row.status} if row else None
    at = now()
    if row is None:
        row = Attendance.objects.create(
            meeting=locked,
            user=user,
            agency_id=user.agency_id,
            status=status,
            recorded_by=actor,
            recorded_at=at,
        )
    else:
        row.status = status
        if status != AttendanceStatus.ATTENDED:
            row.confidentiality_accepted_at = None
        row.recorded_by, row.recorded_at = actor, at
        row.save()
    _log(actor, ObjectType.MEETING, locked.pk, old, {"status": status}, {"attendee": user.pk})
    return row


@transaction.atomic
def confidentiality_accept(*, actor: Any, meeting: Meeting) -> Attendance:
    """The attendee accepts the confidentiality statement (recorded with the time)."""
    locked = _open_for_changes(meeting)
    row = Attendance.objects.filter(
        meeting=locked, user=actor, status=AttendanceStatus.ATTENDED
    ).first()
    if row is None:
        raise ValidationError(
            {"meeting": ["Only someone recorded as attending accepts the statement"]}
        )
    if row.confidentiality_accepted_at is None:
        row.confidentiality_accepted_at = now()
        row.save(update_fields=["confidentiality_accepted_at"])
        _log(
            actor,
            ObjectType.MEETING,
            locked.pk,
            {"confidentiality_accepted_at": None},
            {"confidentiality_accepted_at": row.confidentiality_accepted_at},
        )
    return row


def is_quorate(meeting: Meeting) -> bool:
    """Enough of the core agencies are present: distinct agencies of the core members (chairs
    included) among those who attended."""
    core = set(
        PanelMember.objects.filter(
            panel_id=meeting.panel_id,
            role__in=[PanelRole.CHAIR, PanelRole.CO_CHAIR, PanelRole.CORE],
        ).values_list("agency_id", flat=True)
    )
    present = set(
        Attendance.objects.filter(meeting=meeting, status=AttendanceStatus.ATTENDED).values_list(
            "agency_id", flat=True
        )
    )
    return len(core & present) >= meeting.panel.quorum


@transaction.atomic
def meeting_open(*, actor: Any, meeting: Meeting) -> Meeting:
    """Start the meeting: whether it is quorate is decided now, from who attended."""
    locked = _open_for_changes(meeting)
    if locked.state != MeetingState.SCHEDULED:
        raise ValidationError({"meeting": ["The meeting has already started"]})
    quorate = is_quorate(locked)
    locked.state = MeetingState.OPEN
    locked.quorate = quorate
    locked.opened_at = now()
    locked.revision = F("revision") + 1
    locked.save()
    locked.refresh_from_db()
    _log(
        actor,
        ObjectType.MEETING,
        locked.pk,
        {"state": MeetingState.SCHEDULED, "quorate": None},
        {"state": locked.state, "quorate": quorate},
    )
    return locked
