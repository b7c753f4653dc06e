"""Strategy discussions: scheduled by the route decision (within 2 working days), recorded when
held; a section 47 enquiry makes the initial child protection conference due within 15 working
days of the discussion."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest

from efh.casework.models import Case, StrategyDiscussion
from efh.casework.services.case import case_due_update
from efh.casework.services.log import logged_change
from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.models import ObjectType

STRATEGY_WORKING_DAYS = 2
ICPC_WORKING_DAYS = 15


@transaction.atomic
def strategy_discussion_schedule(
    *, actor: Any, case: Case, request: HttpRequest | None = None
) -> StrategyDiscussion:
    """A strategy discussion due within 2 working days of today."""
    at = now()
    cal = calendar()
    due = cal.add_working_days(cal.local_date(at), STRATEGY_WORKING_DAYS)
    discussion = StrategyDiscussion.objects.create(case=case, due_on=due, created_at=at)
    logged_change(
        actor=actor,
        object_type=ObjectType.STRATEGY_DISCUSSION,
        person_id=case.person_id,
        old=None,
        new={"case": case.pk, "due_on": due},
        detail={"strategy_discussion": discussion.pk},
        request=request,
    )
    case_due_update(case=case)
    return discussion
