"""The casework app's access-log entries: every view and change of a case, a screening or the
queue goes through here (views never write the log themselves)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from efh.core.changes import created, field_changes
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record


def logged_change(
    *,
    actor: Any,
    object_type: ObjectType,
    person_id: int,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    reason: str = "",
) -> None:
    """A change about a person's casework: ``old`` None for something new (logged as created),
    with ``{field: [old, new]}`` for every field that changed."""
    changes = created(new) if old is None else field_changes(old, new)
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE if old is None else AccessAction.UPDATE,
        object_type=object_type,
        object_id=person_id,
        fields=sorted(changes),
        detail={**(detail or {}), "changes": changes},
        reason=reason,
        request=request,
    )


def logged_view(
    *,
    actor: Any,
    object_type: ObjectType,
    object_id: int | str = "",
    fields: list[str],
    detail: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> None:
    """A list or page that shows several people (the queue, a worklist): what it showed."""
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        detail=detail or {},
        request=request,
    )


def worklists_viewed(
    *, actor: Any, person_ids: list[int], request: HttpRequest | None = None
) -> None:
    """The home page's worklists named these children (nothing logged when they named none)."""
    if person_ids:
        logged_view(
            actor=actor,
            object_type=ObjectType.CASE_LIST,
            fields=["worklists"],
            detail={"page": "home", "people": person_ids},
            request=request,
        )


def queue_viewed(
    *, actor: Any, person_ids: list[int], page: int, request: HttpRequest | None = None
) -> None:
    """The screening queue named these children."""
    logged_view(
        actor=actor,
        object_type=ObjectType.SCREENING_QUEUE,
        fields=["queue"],
        detail={"page": page, "people": person_ids},
        request=request,
    )


def case_list_viewed(
    *, actor: Any, person_ids: list[int], scope: str, request: HttpRequest | None = None
) -> None:
    """A list of cases (or the panel's referrals) named these children."""
    if person_ids:
        logged_view(
            actor=actor,
            object_type=ObjectType.CASE_LIST,
            fields=["cases"],
            detail={"scope": scope, "people": person_ids},
            request=request,
        )
