"""Who may use the auditors' screens: holders of ``Capability.AUDIT`` only (an auditor sees
who looked at whom, never a child's record itself)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from efh.core.access import Capability


def can_audit(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.AUDIT))


def require_auditor(user: Any) -> None:
    if not can_audit(user):
        raise PermissionDenied("Only auditors read the access log")
