"""Writes of the auditors' screens: each screen an auditor opens is itself in the access log
(who audited whom is audited too)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from efh.accounts.models import User
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record


def audit_screen_viewed(
    *,
    actor: User,
    screen: str,
    detail: dict[str, Any],
    fields: list[str] | None = None,
    request: HttpRequest | None = None,
) -> None:
    """An auditor looked at the access log (``screen``: index, person, user, break_glass)."""
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=ObjectType.ACCESS_LOG,
        object_id=screen,
        fields=fields,
        detail=detail,
        request=request,
    )


def break_glass_access_viewed(
    *, actor: User, access: Any, request: HttpRequest | None = None
) -> None:
    """An auditor opened one break-glass access to review it (its reason names a child)."""
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=ObjectType.BREAK_GLASS_ACCESS,
        object_id=access.pk,
        fields=["reason", "given_name", "family_name", "date_of_birth"],
        detail={"person": access.person_id, "user": access.user_id},
        request=request,
    )
