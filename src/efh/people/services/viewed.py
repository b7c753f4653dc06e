"""The access-log entries of the people app's screens that show people's details without
opening one record through the policy: a search (its terms and whom it showed) and the linkage
review screens (the queue, a pair, the merges, a merge to undo, two people to merge)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record

if TYPE_CHECKING:
    from efh.accounts.models import User


def people_searched(
    *, actor: User, detail: dict[str, Any], request: HttpRequest | None = None
) -> None:
    access_log_record(
        actor=actor,
        action=AccessAction.SEARCH,
        object_type=ObjectType.PERSON_SEARCH,
        detail=detail,
        request=request,
    )


def link_screen_viewed(
    *,
    actor: User,
    object_type: ObjectType,
    fields: list[str],
    detail: dict[str, Any],
    object_id: str | int = "",
    request: HttpRequest | None = None,
) -> None:
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=object_type,
        object_id=object_id,
        fields=fields,
        detail=detail,
        request=request,
    )
