"""Plans (every version kept), their actions, and reviews.

A plan is saved as a new :class:`PlanVersion` each time; the version the user opened is sent
back with the form, and a save against an older one raises ``StaleEdit`` (nothing written). The
first plan moves the case to "plan"; a review moves it to "under review" and sets the next
review due (``settings.CASEWORK_PLAN_TYPES``: 6 weeks for a safety plan, by default)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from efh.casework.models import Action, Case, Plan, PlanVersion, Review, ReviewOutcome
from efh.casework.services.case import StaleEdit, case_due_update, case_move
from efh.casework.services.log import logged_change
from efh.casework.states import MoveRefused, check_move
from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.models import ObjectType

MAX_GOALS = 12


def plan_types() -> dict[str, tuple[str, int]]:
    return dict(settings.CASEWORK_PLAN_TYPES)


def _move_if_allowed(actor: Any, case: Case, action: str, reason: str) -> Case:
    try:
        check_move(case.state, action)
    except MoveRefused:
        return case
    return case_move(actor=actor, case=case, action=action, reason=reason)


def _clean_goals(goals: list[dict[str, str]]) -> list[dict[str, str]]:
    kept = []
    for g in goals:
        goal, happen = (g.get("goal") or "").strip(), (g.get("happen") or "").strip()
        if goal or happen:
            kept.append({"goal": goal, "happen": happen})
    return kept


@transaction.atomic
def plan_save(
    *,
    actor: Any,
    case: Case,
    kind: str,
    goals: list[dict[str, str]],
    child_words: str,
    family_words: str,
    plan: Plan | None = None,
    version_seen: int | None = None,
    request: HttpRequest | None = None,
) -> PlanVersion:
    """Save the plan as a new version (the first version makes the plan).

    ``version_seen`` is the number of the version the user opened (0 for a new plan): a newer
    one saved since raises ``StaleEdit``."""
    types = plan_types()
    errors: dict[str, list[str]] = {}
    kept = _clean_goals(goals)
    if kind not in types:
        errors["kind"] = ["Choose the type of plan"]
    if not kept:
        errors["goal-0"] = ["Write at least one goal: what we want to change for the child"]
    # Keyed by the row as sent (blank rows are left out of the plan, not renumbered).
    for i, g in enumerate(goals):
        goal, happen = (g.get("goal") or "").strip(), (g.get("happen") or "").strip()
        if happen and not goal:
            errors[f"goal-{i}"] = [f"Goal {i + 1}: say what it wants to change"]
        if goal and not happen:
            errors[f"happen-{i}"] = [f"Goal {i + 1}: say what will happen, who does it and by when"]
    if len(kept) > MAX_GOALS:
        errors["goal-0"] = [f"A plan has at most {MAX_GOALS} goals: keep it to what matters most"]
    if errors:
        raise ValidationError(errors)
    at = now()
    if plan is None:
        existing = Plan.objects.filter(case=case, kind=kind, ended_at__isnull=True).first()
        if existing is not None:
            plan = existing
    if plan is None:
        if version_seen:
            raise StaleEdit("plan")
        weeks = types[kind][1]
        plan = Plan.objects.create(
            case=case,
            kind=kind,
            created_at=at,
            created_by=actor,
            review_weeks=weeks,
            next_review_due=calendar().local_date(at) + timedelta(weeks=weeks),
        )
        previous = None
    else:
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        previous = PlanVersion.objects.filter(plan=plan).order_by("-number").first()
        latest = previous.number if previous else 0
        if version_seen is not None and version_seen != latest:
            raise StaleEdit(
                "plan",
                changed_by=previous.saved_by if previous else None,
                changed_at=previous.saved_at if previous else None,
            )
    number = (previous.number if previous else 0) + 1
    version = PlanVersion.objects.create(
        plan=plan,
        number=number,
        goals=kept,
        child_words=child_words.strip(),
        family_words=family_words.strip(),
        saved_at=at,
        saved_by=actor,
    )
    Plan.objects.filter(pk=plan.pk).update(revision=F("revision") + 1)
    old = (
        None
        if previous is None
        else {
            "goals": previous.goals,
            "child_words": previous.child_words,
            "family_words": previous.family_words,
        }
    )
    logged_change(
        actor=actor,
        object_type=ObjectType.PLAN,
        person_id=case.person_id,
        old=old,
        new={
            "goals": kept,
            "child_words": version.child_words,
            "family_words": version.family_words,
        },
        detail={"case": case.pk, "plan": plan.pk, "version": number},
        request=request,
    )
    if previous is None:
        _move_if_allowed(actor, case, "make_plan", f"{types[kind][0]} made")
    case_due_update(case=case)
    return version


@transaction.atomic
def action_add(
    *,
    actor: Any,
    case: Case,
    what: str,
    due_on: date | None,
    owner: Any = None,
    owner_name: str = "",
    goal: str = "",
    plan: Plan | None = None,
    request: HttpRequest | None = None,
) -> Action:
    errors: dict[str, list[str]] = {}
    if not what.strip():
        errors["what"] = ["Say what will be done"]
    if due_on is None:
        errors["due_on"] = ["Enter the date it will be done by, for example 27 3 2027"]
    if owner is None and not owner_name.strip():
        errors["owner"] = ["Say who will do it: choose a person, or name them"]
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    at = now()
    action = Action.objects.create(
        case=case,
        plan=plan,
        goal=goal[:300],
        what=what.strip(),
        owner=owner,
        owner_name=owner_name.strip()[:200],
        due_on=due_on,
        created_at=at,
        created_by=actor,
    )
    logged_change(
        actor=actor,
        object_type=ObjectType.CASE,
        person_id=case.person_id,
        old=None,
        new={"action": action.what, "owner": owner.pk if owner else owner_name, "due_on": due_on},
        detail={"case": case.pk, "action": action.pk},
        request=request,
    )
    case_due_update(case=case)
    return action


@transaction.atomic
def action_complete(*, actor: Any, action: Action, request: HttpRequest | None = None) -> Action:
    action = Action.objects.select_for_update().select_related("case").get(pk=action.pk)
    if action.completed_at is not None:
        return action
    action.completed_at = now()
    action.completed_by = actor
    action.save(update_fields=["completed_at", "completed_by"])
    logged_change(
        actor=actor,
        object_type=ObjectType.CASE,
        person_id=action.case.person_id,
        old={"action_completed": None},
        new={"action_completed": action.completed_at},
        detail={"case": action.case_id, "action": action.pk},
        request=request,
    )
    case_due_update(case=action.case)
    return action


@transaction.atomic
def review_record(
    *,
    actor: Any,
    plan: Plan,
    held_on: date | None,
    outcome: str,
    what_changed: str,
    child_words: str,
    request: HttpRequest | None = None,
) -> Review:
    """Record a review held; the next is due ``plan.review_weeks`` after it (none after
    "close" or "step down": the case's closure or step-down request follows)."""
    errors: dict[str, list[str]] = {}
    today = calendar().local_date(now())
    if held_on is None:
        errors["held_on"] = ["Enter the date the review was held, for example 27 3 2027"]
    elif held_on > today:
        errors["held_on"] = ["The date the review was held must be today or in the past"]
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = ["Choose the review's outcome"]
    if not what_changed.strip():
        errors["what_changed"] = [
            "Say what has changed for the child since the plan was made or last reviewed"
        ]
    if errors:
        raise ValidationError(errors)
    assert held_on is not None
    plan = Plan.objects.select_for_update().select_related("case").get(pk=plan.pk)
    due_on = plan.next_review_due or held_on
    review = Review.objects.create(
        plan=plan,
        due_on=due_on,
        held_on=held_on,
        outcome=outcome,
        what_changed=what_changed.strip(),
        child_words=child_words.strip(),
        recorded_by=actor,
        recorded_at=now(),
    )
    old_due = plan.next_review_due
    if outcome in (ReviewOutcome.CONTINUE, ReviewOutcome.STEP_UP):
        plan.next_review_due = held_on + timedelta(weeks=plan.review_weeks)
    else:
        plan.next_review_due = None
    plan.revision = F("revision") + 1
    plan.save(update_fields=["next_review_due", "revision"])
    logged_change(
        actor=actor,
        object_type=ObjectType.REVIEW,
        person_id=plan.case.person_id,
        old=None,
        new={
            "held_on": held_on,
            "due_on": due_on,
            "outcome": outcome,
            "what_changed": review.what_changed,
            "child_words": review.child_words,
            "next_review_due": [old_due, plan.next_review_due],
        },
        detail={"case": plan.case_id, "plan": plan.pk, "review": review.pk},
        request=request,
    )
    case = _move_if_allowed(
        actor, plan.case, "hold_review", f"Review held: {ReviewOutcome(outcome).label.lower()}"
    )
    case_due_update(case=case)
    return review
