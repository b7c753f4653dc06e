"""A small casework world for the casework tests and their permission matrices.

One child (Casey Worldly), recorded by the police, with a concern at the front door, a
screening, and a case led by children's social care (lead practitioner and allocated worker
``social.worker``) with a safety plan, an action, a strategy discussion and an NRM referral.
``school.dsl`` has no ground to open the child; ``police.officer`` has (their agency recorded
on the child); ``team.manager`` manages the lead agency.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from factories import (
    ActionFactory,
    CaseFactory,
    EventFactory,
    EventPersonFactory,
    NrmReferralFactory,
    PersonRecordFactory,
    PlanFactory,
    PlanVersionFactory,
    QueueItemFactory,
    ScreeningFactory,
    StrategyDiscussionFactory,
)

CHILD_NAME = "Casey Worldly"

# The roles every casework matrix row gives a code for.
ROLES = [
    "anonymous",
    "police.officer",
    "school.dsl",
    "social.worker",
    "screener",
    "team.manager",
    "panel.chair",
    "analyst",
    "manager",
    "auditor",
    "admin",
]
ANON = {"anonymous": 302}
# Who may open the world's case (and the child's record): everyone with a ground.
CASE_SEES = {
    **ANON,
    "police.officer": 200,
    "school.dsl": 403,
    "social.worker": 200,
    "screener": 200,
    "team.manager": 200,
    "panel.chair": 200,
    "analyst": 403,
    "manager": 403,
    "auditor": 403,
    "admin": 403,
}
# The front door's screens.
FRONT_DOOR = {**ANON, **dict.fromkeys(ROLES[1:], 403), "screener": 200}


@pytest.fixture
def casework(demo: dict[str, Any]) -> dict[str, Any]:
    """The world above: ``casework["users"][username]``, and ``case``, ``person``, ``screening``,
    ``item``, ``plan``, ``action``, ``strategy``, ``nrm``, ``event`` (objects, not ids)."""
    record = PersonRecordFactory(
        source="police", given_name="Casey", family_name="Worldly", date_of_birth=date(2011, 3, 4)
    )
    person = record.person
    event = EventFactory(source="police", kind="concern", summary="Seen with older men")
    EventPersonFactory(event=event, record=record, role="subject")
    item = QueueItemFactory(event=event, person=person)
    agencies = {u.agency.code: u.agency for u in demo.values() if u.agency}
    worker = demo["social.worker"]
    case = CaseFactory(
        person=person,
        lead_agency=agencies["childrens-social-care"],
        lead_practitioner=worker,
        allocated_worker=worker,
        opened_by=demo["screener"],
        state="plan",
    )
    screening = ScreeningFactory(person=person, taken_by=demo["screener"], case=case)
    plan = PlanFactory(case=case, created_by=worker)
    PlanVersionFactory(plan=plan, saved_by=worker)
    action = ActionFactory(case=case, plan=plan, owner=worker, created_by=worker)
    strategy = StrategyDiscussionFactory(case=case)
    nrm = NrmReferralFactory(case=case, recorded_by=worker)
    return {
        "users": demo,
        "person": person,
        "record": record,
        "event": event,
        "item": item,
        "case": case,
        "screening": screening,
        "plan": plan,
        "action": action,
        "strategy": strategy,
        "nrm": nrm,
    }
