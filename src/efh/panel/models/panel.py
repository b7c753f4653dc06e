"""Panels and their meetings.

A panel is configured per partnership: its kind, how often it meets, its chairs and core
members by agency, and its quorum (how many of the core agencies must be present). A meeting
has a date, a chair and co-chair, who attended for which agency, apologies, whether it was
quorate, and each attendee's acceptance of the confidentiality statement, recorded when given.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

DEFAULT_CONFIDENTIALITY = (
    "The information shared in this meeting is confidential. It is shared to protect children "
    "from harm, and is used only for that. It is not passed on beyond the agencies present, "
    "except as the meeting's decisions and actions require."
)


class PanelKind(models.TextChoices):
    EFH = "efh", "Extra-familial harm panel"
    MACE = "mace", "Multi-agency child exploitation (MACE) panel"
    CONTEXT = "context", "Context conference"
    STRATEGIC = "strategic", "Strategic MACE (themes)"


class Panel(models.Model):
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=PanelKind.choices)
    meets_every_days = models.PositiveSmallIntegerField(
        default=7, help_text="How often it meets: 7 for weekly, 14 for fortnightly"
    )
    quorum = models.PositiveSmallIntegerField(
        default=3, help_text="How many of the core agencies must be present"
    )
    pack_access_days = models.PositiveSmallIntegerField(
        default=14, help_text="Days after a meeting its attendees may still open its packs"
    )
    confidentiality_statement = models.TextField(default=DEFAULT_CONFIDENTIALITY)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PanelRole(models.TextChoices):
    CHAIR = "chair", "Chair"
    CO_CHAIR = "co_chair", "Co-chair"
    CORE = "core", "Core member"
    MEMBER = "member", "Member"


class PanelMember(models.Model):
    """A standing member of a panel, for an agency (core members make the quorum)."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=PanelRole.choices, default=PanelRole.CORE)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["panel", "user"], name="panelmember_once")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} of {self.panel_id}: user {self.user_id}"


class MeetingState(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "In progress"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField()
    chair = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    co_chair = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        max_length=10, choices=MeetingState.choices, default=MeetingState.SCHEDULED
    )
    series = models.UUIDField(
        null=True, blank=True, help_text="Meetings scheduled together as one series"
    )
    quorate = models.BooleanField(null=True, help_text="Set when the meeting opens")
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "starts_at"],
                condition=~Q(state="cancelled"),
                name="meeting_one_at_a_time_per_panel",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False),
                name="meeting_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["panel", "state", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.panel_id} meeting at {self.starts_at:%Y-%m-%d %H:%M}"


class AttendanceStatus(models.TextChoices):
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Absent"


class Attendance(models.Model):
    """Who was at a meeting for which agency, or sent apologies; and when they accepted the
    confidentiality statement (an attendee who has not cannot open the meeting's packs)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=AttendanceStatus.choices)
    confidentiality_accepted_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(confidentiality_accepted_at__isnull=True) | Q(status="attended"),
                name="attendance_accepted_only_if_attended",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.status} meeting {self.meeting_id}"
