"""Who may look after the screening tool: the partnership's administrators
(``Capability.ADMINISTER``), who change configuration and by that alone see no child's record.

The tool holds no personal data, so it is not a resource of ``core.policies`` (whose registry is
of what holds or points at a person); its screens are still in the access log: a refusal by
:func:`require_tool_administrator`, a view and a change by ``casework.services.tool``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest

from efh.casework.models import ScreeningTool
from efh.core.access import Capability
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record


def can_administer_tool(user: Any) -> bool:
    """See the screening tool's versions and save new ones."""
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.ADMINISTER))


def require_tool_administrator(
    user: Any, *, screen: str, version: int | None = None, request: HttpRequest | None = None
) -> None:
    """Let an administrator through; log and refuse anyone else."""
    if can_administer_tool(user):
        return
    access_log_record(
        actor=user,
        action=AccessAction.REFUSED,
        object_type=ObjectType.SCREENING_TOOL,
        object_id="" if version is None else version,
        fields=[],
        detail={"outcome": "refused", "screen": screen},
        request=request,
    )
    raise PermissionDenied("Only the partnership's administrators change the screening tool")


def access_tool_version(
    user: Any, version: int, *, screen: str, request: HttpRequest | None = None
) -> ScreeningTool:
    """Version ``version`` of the tool for an administrator (refused, and logged, for anyone
    else; ``Http404`` for a version there is not)."""
    require_tool_administrator(user, screen=screen, version=version, request=request)
    tool = ScreeningTool.objects.select_related("created_by").filter(version=version).first()
    if tool is None:
        raise Http404("No such version of the screening tool")
    return tool


def tool_versions_user_can_view(user: Any) -> QuerySet[ScreeningTool]:
    """Every version, newest first, each with ``used`` (how many screenings were made with it),
    for an administrator; none for anyone else."""
    if not can_administer_tool(user):
        return ScreeningTool.objects.none()
    return (
        ScreeningTool.objects.select_related("created_by")
        .annotate(used=Count("screenings"))
        .order_by("-version")
    )
