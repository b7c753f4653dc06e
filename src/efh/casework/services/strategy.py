"""Strategy discussions: scheduled by the route decision (within 2 working days), recorded when
held; a section 47 enquiry makes the initial child protection conference due within 15 working
days of the discussion."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
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


def _values(sd: StrategyDiscussion) -> dict[str, Any]:
    return {
        "held_on": sd.held_on,
        "attendees": sd.attendees,
        "information_shared": sd.information_shared,
        "section_47": sd.section_47,
        "section_47_joint": sd.section_47_joint,
        "other_actions": sd.other_actions,
        "icpc_due_on": sd.icpc_due_on,
        "icpc_held_on": sd.icpc_held_on,
        "icpc_outcome": sd.icpc_outcome,
    }


def parse_attendees(text: str) -> list[dict[str, str]]:
    """One attendee a line, "name, agency"."""
    attendees = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, agency = line.partition(",")
        attendees.append({"name": name.strip(), "agency": agency.strip()})
    return attendees


@transaction.atomic
def strategy_discussion_record(
    *,
    actor: Any,
    discussion: StrategyDiscussion,
    held_on: date | None,
    attendees: list[dict[str, str]],
    information_shared: str,
    section_47: bool | None,
    section_47_joint: bool | None,
    other_actions: str,
    request: HttpRequest | None = None,
) -> StrategyDiscussion:
    """Record the discussion held and its decision; a section 47 enquiry makes the initial
    child protection conference due 15 working days after it."""
    errors: dict[str, list[str]] = {}
    today = calendar().local_date(now())
    if held_on is None:
        errors["held_on"] = ["Enter the date the discussion was held, for example 27 3 2027"]
    elif held_on > today:
        errors["held_on"] = ["The date it was held must be today or in the past"]
    if len(attendees) < 2:
        errors["attendees"] = ["List who took part, one a line as “name, agency” (at least two)"]
    elif any(not a["agency"] for a in attendees):
        errors["attendees"] = ["Give each attendee's agency after a comma: “name, agency”"]
    if not information_shared.strip():
        errors["information_shared"] = ["Say what information was shared"]
    if section_47 is None:
        errors["section_47"] = ["Say whether a section 47 enquiry starts"]
    if section_47 and section_47_joint is None:
        errors["section_47_joint"] = ["Say whether the enquiry is joint or single agency"]
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    sd = StrategyDiscussion.objects.select_for_update().select_related("case").get(pk=discussion.pk)
    old = _values(sd)
    sd.held_on = held_on
    sd.attendees = attendees
    sd.information_shared = information_shared.strip()
    sd.section_47 = section_47
    sd.section_47_joint = section_47_joint if section_47 else None
    sd.other_actions = other_actions.strip()
    sd.icpc_due_on = calendar().add_working_days(held_on, ICPC_WORKING_DAYS) if section_47 else None
    sd.recorded_by = actor
    sd.recorded_at = now()
    sd.save()
    logged_change(
        actor=actor,
        object_type=ObjectType.STRATEGY_DISCUSSION,
        person_id=sd.case.person_id,
        old=old,
        new=_values(sd),
        detail={"case": sd.case_id, "strategy_discussion": sd.pk},
        request=request,
    )
    case_due_update(case=sd.case)
    return sd


@transaction.atomic
def icpc_record(
    *,
    actor: Any,
    discussion: StrategyDiscussion,
    held_on: date | None,
    outcome: str,
    request: HttpRequest | None = None,
) -> StrategyDiscussion:
    """The initial child protection conference, held: its date and outcome."""
    sd = StrategyDiscussion.objects.select_for_update().select_related("case").get(pk=discussion.pk)
    errors: dict[str, list[str]] = {}
    if not sd.icpc_due_on:
        errors["icpc_held_on"] = [
            "No conference is due: the discussion started no section 47 enquiry"
        ]
    if held_on is None:
        errors["icpc_held_on"] = ["Enter the date the conference was held, for example 27 3 2027"]
    elif sd.held_on and held_on < sd.held_on:
        errors["icpc_held_on"] = ["The conference cannot be before the strategy discussion"]
    if not outcome.strip():
        errors["icpc_outcome"] = ["Say what the conference decided"]
    if errors:
        raise ValidationError(errors)
    old = _values(sd)
    sd.icpc_held_on = held_on
    sd.icpc_outcome = outcome.strip()
    sd.save(update_fields=["icpc_held_on", "icpc_outcome"])
    logged_change(
        actor=actor,
        object_type=ObjectType.STRATEGY_DISCUSSION,
        person_id=sd.case.person_id,
        old=old,
        new=_values(sd),
        detail={"case": sd.case_id, "strategy_discussion": sd.pk, "icpc": True},
        request=request,
    )
    case_due_update(case=sd.case)
    return sd
