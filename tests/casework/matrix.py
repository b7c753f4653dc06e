"""The casework permission matrices: each ``test_*_matrix.py`` here lists rows for its views,
and ``test_matrix_coverage.py`` checks every ``casework:`` URL name has a row (the project-wide
matrix, ``tests/test_permission_matrix.py``, leaves the ``casework:`` names to it).

A row: ``(case id, url name, kwargs, method, data, codes by role)``. ``kwargs`` maps URL keyword
names to keys of the ``casework`` world (``{"pk": "case"}`` takes the case's id). Every role of
``conftest.ROLES`` needs a code; a denied answer must not contain the child's name, and a page
shown about the child must be in the access log."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import CHILD_NAME, ROLES

Row = tuple[str, str, dict[str, str], str, dict[str, str], dict[str, int]]


def params(rows: list[Row]) -> list[Any]:
    for case, _, _, _, _, codes in rows:
        missing = set(ROLES) - set(codes)
        assert not missing, f"matrix row {case!r} has no code for {sorted(missing)}"
    return [
        pytest.param(name, kwargs, method, data, role, code, id=f"{method} {case} | {role}")
        for case, name, kwargs, method, data, codes in rows
        for role, code in codes.items()
    ]


def check(
    world: dict[str, Any],
    name: str,
    kwargs: dict[str, str],
    method: str,
    data: dict[str, str],
    role: str,
    code: int,
) -> Any:
    from efh.core.models import AccessLogEntry

    client = Client()
    if role != "anonymous":
        client.force_login(world["users"][role])
    url = reverse(name, kwargs={k: world[v].pk for k, v in kwargs.items()})
    before = AccessLogEntry.objects.count()
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert response.status_code == code, response.content[:2000]
    if code in (302, 403, 404):
        assert CHILD_NAME.encode() not in response.content
    if code == 302 and role == "anonymous":
        assert reverse("accounts:sign-in") in response["Location"]
    if code == 403 and role != "anonymous" and kwargs:
        # A refused request about the child is logged as refused.
        assert AccessLogEntry.objects.count() > before
    if code == 200 and method == "GET" and kwargs:
        assert AccessLogEntry.objects.count() > before
    return response
