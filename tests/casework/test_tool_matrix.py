"""Permission matrix of the screening tool's screens: administrators only (``Capability.
ADMINISTER``); everyone else is refused, and the refusal is in the access log. The tool holds no
personal data, so no page here names the child."""

from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Any

import pytest

from efh.casework.tool import default_definition

from .conftest import ANON, ROLES
from .matrix import Row, check, params

pytestmark = pytest.mark.django_db

ADMIN_ONLY = {**ANON, **dict.fromkeys(ROLES[1:], 403), "admin": 200}
CHANGED = default_definition()
CHANGED["levels"].append({"code": "very_high", "label": "Very high"})

ROWS: list[Row] = [
    ("versions", "casework:tool", {}, "GET", {}, ADMIN_ONLY),
    ("one version", "casework:tool-version", {"version": "tool_version"}, "GET", {}, ADMIN_ONLY),
    ("editor", "casework:tool-edit", {}, "GET", {}, ADMIN_ONLY),
    (
        "save a version",
        "casework:tool-edit",
        {},
        "POST",
        {"definition": json.dumps(CHANGED), "note": "Very high", "based_on": "1"},
        {**ADMIN_ONLY, "admin": 302},
    ),
]


@pytest.fixture
def world(casework: dict[str, Any]) -> dict[str, Any]:
    # The URL takes the version's number, not its row's id.
    return {**casework, "tool_version": SimpleNamespace(pk=1)}


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "role", "code"), params(ROWS))
def test_tool_matrix(
    world: dict[str, Any],
    name: str,
    kwargs: dict[str, str],
    method: str,
    data: dict[str, str],
    role: str,
    code: int,
) -> None:
    from efh.casework.models import ScreeningTool
    from efh.core.models import AccessLogEntry

    before = AccessLogEntry.objects.count()
    check(world, name, kwargs, method, data, role, code)
    if code == 403:
        refusal = AccessLogEntry.objects.latest("seq")
        assert AccessLogEntry.objects.count() == before + 1
        assert (refusal.action, refusal.object_type) == ("refused", "screening_tool")
    if method == "POST":
        assert ScreeningTool.objects.count() == (2 if code == 302 and role == "admin" else 1)
