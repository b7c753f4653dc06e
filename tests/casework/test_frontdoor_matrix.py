"""Who may use the front door's screens: the queue, taking a child, the screening page."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ANON, CASE_SEES, FRONT_DOOR, ROLES
from .matrix import Row, check, params

DOOR_POST = {**FRONT_DOOR, "screener": 302}
ROWS: list[Row] = [
    ("queue", "casework:queue", {}, "GET", {}, FRONT_DOOR),
    ("take a child", "casework:take", {"person_id": "person"}, "POST", {}, DOOR_POST),
    ("screening page", "casework:screening", {"pk": "screening"}, "GET", {}, CASE_SEES),
    (
        "save a screening",
        "casework:screening",
        {"pk": "screening"},
        "POST",
        {"action": "save", "child_words": "I am OK"},
        DOOR_POST,
    ),
]
assert set(ROLES) >= set(ANON)


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "role", "code"), params(ROWS))
def test_front_door_matrix(
    casework: dict[str, Any],
    name: str,
    kwargs: dict[str, str],
    method: str,
    data: dict[str, str],
    role: str,
    code: int,
) -> None:
    check(casework, name, kwargs, method, data, role, code)
