"""Who may see and change a case: its page, moves, allocation, plan, actions, reviews,
closure and approval, strategy discussions and NRM referrals; the case list and the panel's
list of referrals."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import ANON, CASE_SEES, ROLES
from .matrix import Row, check, params

# Those who see the case and may change it (casework and record): 200 for a form page.
WORKS = {**CASE_SEES}
CHANGED = {r: (302 if c == 200 else c) for r, c in WORKS.items()}
REFUSED_FORM = {r: (400 if c == 200 else c) for r, c in WORKS.items()}
MANAGER = {**ANON, **dict.fromkeys(ROLES[1:], 403), "team.manager": 200}
MANAGER_POST = {**MANAGER, "team.manager": 302}
EVERYONE = {**ANON, **dict.fromkeys(ROLES[1:], 200)}
PANEL = {**ANON, **dict.fromkeys(ROLES[1:], 403), "screener": 200, "panel.chair": 200}

CASE = {"pk": "case"}
ROWS: list[Row] = [
    ("case list", "casework:case-list", {}, "GET", {}, EVERYONE),
    ("panel referrals", "casework:panel-referrals", {}, "GET", {}, PANEL),
    ("case page", "casework:case", CASE, "GET", {}, CASE_SEES),
    (
        "move",
        "casework:case-move",
        CASE,
        "POST",
        {"move": "refer_to_panel", "reason": "Peer group concern"},
        CHANGED,
    ),
    ("allocation", "casework:case-allocate", CASE, "GET", {}, MANAGER),
    (
        "allocate",
        "casework:case-allocate",
        CASE,
        "POST",
        {"lead_practitioner": "", "allocated_worker": "", "reason": "Worker on leave"},
        MANAGER_POST,
    ),
    ("plan form", "casework:case-plan", CASE, "GET", {}, WORKS),
    (
        "save plan",
        "casework:case-plan",
        CASE,
        "POST",
        {"kind": "safety", "goal-0": "Safe at home", "happen-0": "Mum collects her, daily"},
        CHANGED,
    ),
    (
        "add action",
        "casework:case-action-new",
        CASE,
        "POST",
        {"what": "Home visit", "owner_name": "Youth worker", "due_on": "1 5 2026"},
        CHANGED,
    ),
    (
        "action done",
        "casework:case-action-done",
        {"pk": "case", "action_id": "action"},
        "POST",
        {},
        CHANGED,
    ),
    ("review form", "casework:case-review", {"pk": "case", "plan_id": "plan"}, "GET", {}, WORKS),
    (
        "record review",
        "casework:case-review",
        {"pk": "case", "plan_id": "plan"},
        "POST",
        {"held_on": "2 2 2026", "outcome": "continue", "what_changed": "Back in school"},
        CHANGED,
    ),
    ("closure form", "casework:case-closure", CASE, "GET", {}, WORKS),
    (
        "closure with open items unexplained",
        "casework:case-closure",
        CASE,
        "POST",
        {"kind": "closure", "reason": "Safe now"},
        REFUSED_FORM,
    ),
    (
        "closure decision (none pending)",
        "casework:case-closure-decision",
        CASE,
        "GET",
        {},
        {**MANAGER, "team.manager": 302},
    ),
    (
        "strategy form",
        "casework:case-strategy",
        {"pk": "case", "sd_id": "strategy"},
        "GET",
        {},
        WORKS,
    ),
    (
        "record strategy",
        "casework:case-strategy",
        {"pk": "case", "sd_id": "strategy"},
        "POST",
        {
            "held_on": "5 1 2026",
            "attendees": "Sam Okafor, Police\nJo Ames, Children's social care",
            "information_shared": "Missing twice",
            "section_47": "no",
        },
        CHANGED,
    ),
    ("nrm form", "casework:case-nrm-new", CASE, "GET", {}, WORKS),
    ("nrm incomplete", "casework:case-nrm-new", CASE, "POST", {}, REFUSED_FORM),
    ("nrm page", "casework:case-nrm", {"pk": "case", "nrm_id": "nrm"}, "GET", {}, WORKS),
    (
        "nrm decision",
        "casework:case-nrm",
        {"pk": "case", "nrm_id": "nrm"},
        "POST",
        {"step": "rg", "decided_on": "10 1 2026", "positive": "yes"},
        CHANGED,
    ),
]


@pytest.mark.parametrize(("name", "kwargs", "method", "data", "role", "code"), params(ROWS))
def test_case_matrix(
    casework: dict[str, Any],
    name: str,
    kwargs: dict[str, str],
    method: str,
    data: dict[str, str],
    role: str,
    code: int,
) -> None:
    check(casework, name, kwargs, method, data, role, code)
