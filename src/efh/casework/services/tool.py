"""Versions of the screening tool: a new one is stored only after ``casework.tool`` accepts it,
and never over the top of one saved by someone else since the editor opened it.

Every version is kept (each screening keeps the version it was made with); saving writes an
access-log entry (ADMIN, ``screening_tool``) naming what changed, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest

from efh.casework.models import ScreeningTool
from efh.casework.tool import questions, validate_definition
from efh.core import clock
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record

NOTE_MAX = ScreeningTool._meta.get_field("note").max_length or 300


class ToolUnchanged(ValueError):
    """The definition is the current version's: nothing to store."""

    def __init__(self, current: ScreeningTool) -> None:
        super().__init__(
            f"the definition is the same as version {current.version}, the current one: "
            "nothing was stored"
        )
        self.current = current


class ToolStale(ValueError):
    """Another version was saved after the one the editor started from."""

    def __init__(self, current: ScreeningTool, based_on: int) -> None:
        who = current.created_by.username if current.created_by else "the command line"
        super().__init__(
            f"version {current.version} was saved ({who}, {current.created_at:%d %B %Y %H:%M}) "
            f"after version {based_on}, which you started from: nothing was stored"
        )
        self.current = current
        self.based_on = based_on


def current_tool() -> ScreeningTool | None:
    return ScreeningTool.objects.select_related("created_by").order_by("-version").first()


def definition_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """What was added and removed, by code (``{"questions_added": [...], ...}``): for the access
    log, and for the page that shows a version beside the one before it."""

    def codes(definition: dict[str, Any] | None, what: str) -> set[str]:
        if definition is None:
            return set()
        if what == "questions":
            return {q["code"] for q in questions(definition)}
        return {item["code"] for item in definition.get(what, [])}

    summary: dict[str, Any] = {}
    for what in ("sections", "questions", "levels", "rules"):
        before, after = codes(old, what), codes(new, what)
        if after - before:
            summary[f"{what}_added"] = sorted(after - before)
        if before - after:
            summary[f"{what}_removed"] = sorted(before - after)
    return summary


@transaction.atomic
def screening_tool_save(
    *,
    actor: Any | None,
    definition: Any,
    note: str = "",
    based_on: int | None = None,
    request: HttpRequest | None = None,
) -> ScreeningTool:
    """Store ``definition`` as the next version of the screening tool and return it.

    Raises :class:`efh.casework.tool.ToolInvalid` (every error, with where it is) for a
    definition that is not a tool, :class:`ToolUnchanged` if it is the current version's, and
    :class:`ToolStale` if ``based_on`` is given and is no longer the current version. ``actor``
    is None from the command line."""
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise ValueError(f"the note must be {NOTE_MAX} characters or fewer")
    definition = validate_definition(definition)
    current = (
        ScreeningTool.objects.select_for_update(of=("self",))
        .select_related("created_by")
        .order_by("-version")
        .first()
    )
    if current is not None and based_on is not None and current.version != based_on:
        raise ToolStale(current, based_on)
    if current is not None and current.definition == definition:
        raise ToolUnchanged(current)
    version = current.version + 1 if current else 1
    try:
        with transaction.atomic():
            tool = ScreeningTool.objects.create(
                version=version,
                name=definition["name"].strip(),
                definition=definition,
                note=note,
                created_at=clock.now(),
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError as error:  # another save took this number between read and write
        latest = current_tool()
        if latest is None:
            raise
        raise ToolStale(latest, version - 1) from error
    access_log_record(
        actor=actor,
        action=AccessAction.ADMIN,
        object_type=ObjectType.SCREENING_TOOL,
        object_id=tool.version,
        fields=["definition", "note"],
        detail={
            "version": tool.version,
            "previous": current.version if current else None,
            "name": tool.name,
            "note": note,
            "changes": definition_changes(current.definition if current else None, definition),
        },
        request=request,
    )
    return tool


def screening_tool_viewed(
    *,
    actor: Any,
    screen: str,
    version: int | None = None,
    request: HttpRequest | None = None,
) -> None:
    """An administrator's screen of the tool was shown (the list, a version, the editor)."""
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=ObjectType.SCREENING_TOOL,
        object_id="" if version is None else version,
        fields=["definition"] if version is not None else ["versions"],
        detail={"screen": screen},
        request=request,
    )
