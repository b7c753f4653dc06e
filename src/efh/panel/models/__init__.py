"""The panel's records (issue 13): panels configured per partnership, their members, and
meetings with who attended and their acceptance of the confidentiality statement. The agenda,
packs, decisions, actions and escalation build on these."""

from efh.panel.models.panel import (
    Attendance,
    AttendanceStatus,
    Meeting,
    MeetingState,
    Panel,
    PanelKind,
    PanelMember,
    PanelRole,
)

__all__ = [
    "Attendance",
    "AttendanceStatus",
    "Meeting",
    "MeetingState",
    "Panel",
    "PanelKind",
    "PanelMember",
    "PanelRole",
]
