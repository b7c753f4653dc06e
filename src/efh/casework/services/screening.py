"""Screening at the front door: take a child's concerns from the queue, answer the tool, and
decide the level of concern and the route (PRACTICE.md, "Workflow for one child").

- :func:`screening_take`: one screener per child. The database's partial unique constraint
  (one screening in progress per child) decides a race; the loser is told who has it.
- :func:`screening_save`: the answers so far (the form's autosave and "save and come back");
  an edit against an older revision is refused (``StaleEdit``), never written over.
- :func:`screening_decide`: checks everything (every question answered, the level allowed by
  the tool's rules, reasons given, signposting for no further action), then opens the child's
  case or joins the open one, schedules a strategy discussion, puts the case on the panel's
  list, and marks every waiting item about the child screened, in one transaction.

The tool computes no score and no level: the screener's level and reason are their own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from efh.accounts.models import Agency
from efh.casework.models import (
    CASE_ROUTES,
    Case,
    CaseState,
    QueueItem,
    Route,
    Screening,
    ScreeningState,
    ScreeningTool,
)
from efh.casework.selectors.queue import child_age, prefills
from efh.casework.services.case import StaleEdit, case_due_update, case_move, case_open
from efh.casework.services.log import logged_change
from efh.casework.services.panel import panel_refer
from efh.casework.services.strategy import strategy_discussion_schedule
from efh.casework.states import MoveRefused, check_move
from efh.casework.tool import ANSWERS, forbidden_levels, questions
from efh.concerns.models import Event
from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.models import ObjectType

__all__ = [
    "NothingToScreen",
    "ScreeningTaken",
    "StaleEdit",
    "screening_decide",
    "screening_release",
    "screening_save",
    "screening_take",
    "screening_take_over",
]


class ScreeningTaken(ValueError):
    """Another screener has this child."""

    def __init__(self, screening: Screening) -> None:
        who = screening.taken_by
        name = who.get_full_name() or who.get_username()
        super().__init__(
            f"{name} is screening this child (taken at {screening.taken_at:%H:%M on %d %B}). "
            "Ask them, or choose another child."
        )
        self.screening = screening


class NothingToScreen(ValueError):
    """The child has nothing waiting at the front door (screened meanwhile)."""


def _values(s: Screening) -> dict[str, Any]:
    return {
        "state": s.state,
        "answers": s.answers,
        "child_words": s.child_words,
        "danger_statement": s.danger_statement,
        "safety_goal": s.safety_goal,
        "level": s.level,
        "level_reason": s.level_reason,
        "routes": s.routes,
        "route_reason": s.route_reason,
        "signposting": s.signposting,
    }


def current_tool() -> ScreeningTool:
    tool = ScreeningTool.objects.order_by("-version").first()
    if tool is None:
        raise RuntimeError("No screening tool is configured: run `efh screening-tool load FILE`")
    return tool


def _offered(tool: ScreeningTool, person_id: int, at: datetime) -> dict[str, dict[str, str]]:
    """question code -> what the record says, for each question the tool prefills."""
    known = prefills(person_id, at)
    offered = {}
    for q in questions(tool.definition):
        found = known.get(q.get("prefill") or "")
        if found is not None:
            offered[q["code"]] = {"answer": found.answer, "source": found.source}
    return offered


def screening_take(*, actor: Any, person_id: int, request: HttpRequest | None = None) -> Screening:
    """Take the child's waiting items; the screener's own screening in progress comes back as
    it was. Raises :class:`ScreeningTaken` or :class:`NothingToScreen`."""
    held = (
        Screening.objects.filter(person_id=person_id, state=ScreeningState.IN_PROGRESS)
        .select_related("taken_by")
        .first()
    )
    if held is not None:
        if held.taken_by_id == actor.pk:
            return held
        raise ScreeningTaken(held)
    if not QueueItem.objects.filter(person_id=person_id, screened_at__isnull=True).exists():
        raise NothingToScreen("Nothing about this child is waiting to be screened.")
    tool = current_tool()
    at = now()
    try:
        with transaction.atomic():
            screening = Screening.objects.create(
                person_id=person_id,
                tool=tool,
                taken_by=actor,
                taken_at=at,
                prefilled=_offered(tool, person_id, at),
                updated_at=at,
            )
            QueueItem.objects.filter(person_id=person_id, screened_at__isnull=True).update(
                screening=screening
            )
            logged_change(
                actor=actor,
                object_type=ObjectType.SCREENING,
                person_id=person_id,
                old=None,
                new={"state": screening.state, "tool_version": tool.version},
                detail={"screening": screening.pk, "step": "take"},
                request=request,
            )
    except IntegrityError:
        held = (
            Screening.objects.filter(person_id=person_id, state=ScreeningState.IN_PROGRESS)
            .select_related("taken_by")
            .first()
        )
        if held is None:  # pragma: no cover - released between the two statements
            raise NothingToScreen("This child was screened meanwhile.") from None
        raise ScreeningTaken(held) from None
    return screening


def _mine(actor: Any, screening: Screening) -> Screening:
    """The screening, locked, if it is the actor's and still in progress."""
    locked = Screening.objects.select_for_update().select_related("taken_by").get(pk=screening.pk)
    if locked.state != ScreeningState.IN_PROGRESS:
        raise NothingToScreen("This screening has been decided; it can no longer be changed.")
    if locked.taken_by_id != actor.pk:
        raise ScreeningTaken(locked)
    return locked


@transaction.atomic
def screening_release(
    *, actor: Any, screening: Screening, request: HttpRequest | None = None
) -> None:
    """Put the child back in the queue for another screener; the answers so far are dropped."""
    locked = _mine(actor, screening)
    QueueItem.objects.filter(screening=locked, screened_at__isnull=True).update(screening=None)
    logged_change(
        actor=actor,
        object_type=ObjectType.SCREENING,
        person_id=locked.person_id,
        old=_values(locked),
        new={**_values(locked), "state": "released"},
        detail={"screening": locked.pk, "step": "release"},
        request=request,
    )
    locked.delete()


@transaction.atomic
def screening_take_over(
    *, actor: Any, screening: Screening, request: HttpRequest | None = None
) -> Screening:
    """Another screener carries on a screening its taker cannot finish (away, off shift): the
    answers so far are kept, and the log says who had it."""
    locked = Screening.objects.select_for_update().select_related("taken_by").get(pk=screening.pk)
    if locked.state != ScreeningState.IN_PROGRESS:
        raise NothingToScreen("This screening has been decided; it can no longer be changed.")
    if locked.taken_by_id == actor.pk:
        return locked
    before = locked.taken_by_id
    locked.taken_by = actor
    locked.taken_at = now()
    locked = _save(locked, locked.taken_at)
    logged_change(
        actor=actor,
        object_type=ObjectType.SCREENING,
        person_id=locked.person_id,
        old={"taken_by": before},
        new={"taken_by": actor.pk},
        detail={"screening": locked.pk, "step": "take over"},
        request=request,
    )
    return locked


@dataclass
class Draft:
    """What the screening form sent: every field optional while saving."""

    answers: dict[str, dict[str, str]]
    child_words: str = ""
    danger_statement: str = ""
    safety_goal: str = ""
    level: str = ""
    level_reason: str = ""
    routes: list[str] | None = None
    route_reason: str = ""
    signposting: str = ""
    lead_agency_id: int | None = None


def _clean_answers(tool: ScreeningTool, offered: dict[str, Any], raw: dict[str, Any]) -> dict:
    codes = {q["code"] for q in questions(tool.definition)}
    answers = {}
    for code, value in raw.items():
        if code not in codes:
            continue
        answer = value.get("answer", "")
        note = (value.get("note") or "").strip()
        if answer not in ANSWERS and not note:
            continue
        entry = {"answer": answer if answer in ANSWERS else "", "note": note}
        known = offered.get(code)
        if known and known["answer"] == entry["answer"]:
            entry["source"] = known["source"]
        answers[code] = entry
    return answers


def _apply(screening: Screening, draft: Draft) -> None:
    screening.answers = _clean_answers(screening.tool, screening.prefilled, draft.answers)
    screening.child_words = draft.child_words.strip()
    screening.danger_statement = draft.danger_statement.strip()
    screening.safety_goal = draft.safety_goal.strip()
    screening.level = draft.level
    screening.level_reason = draft.level_reason.strip()
    if draft.routes is not None:
        valid = set(Route.values)
        screening.routes = [r for r in Route.values if r in set(draft.routes) & valid]
    screening.route_reason = draft.route_reason.strip()
    screening.signposting = draft.signposting.strip()


def _save(screening: Screening, at: datetime) -> Screening:
    screening.revision = F("revision") + 1
    screening.updated_at = at
    screening.save()
    screening.refresh_from_db()
    return screening


@transaction.atomic
def screening_save(
    *,
    actor: Any,
    screening: Screening,
    draft: Draft,
    revision: int | None,
    request: HttpRequest | None = None,
) -> Screening:
    """Keep the answers so far (nothing is checked for completeness)."""
    locked = _mine(actor, screening)
    if revision is not None and int(revision) != locked.revision:
        raise StaleEdit("screening", changed_at=locked.updated_at)
    old = _values(locked)
    _apply(locked, draft)
    if _values(locked) == old:
        return locked
    locked = _save(locked, now())
    logged_change(
        actor=actor,
        object_type=ObjectType.SCREENING,
        person_id=locked.person_id,
        old=old,
        new=_values(locked),
        detail={"screening": locked.pk, "step": "save"},
        request=request,
    )
    return locked


def decision_errors(
    screening: Screening, *, age: int | None, open_case: Case | None, lead_agency_id: int | None
) -> dict[str, list[str]]:
    """Everything that stops the decision, keyed by the form's field ("answer-<code>" for an
    unanswered question); empty when it may be decided."""
    definition = screening.tool.definition
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for q in questions(definition):
        if (screening.answers.get(q["code"]) or {}).get("answer") not in ANSWERS:
            add(f"answer-{q['code']}", f"Answer “{q['text']}”: yes, no or not known")
    levels = {lv["code"]: lv["label"] for lv in definition["levels"]}
    if screening.level not in levels:
        add("level", "Choose the level of concern")
    else:
        for rule in forbidden_levels(definition, age=age, answers=screening.answers):
            if rule.level == screening.level:
                add("level", f"{levels[rule.level]} cannot be chosen for this child: {rule.text}")
    if not screening.level_reason:
        add("level_reason", "Say why you chose this level of concern, in your own words")
    routes = set(screening.routes)
    if not routes:
        add("routes", "Choose the route: what happens next for this child")
    if Route.NFA in routes and routes - {Route.NFA, Route.EARLY_HELP}:
        add("routes", "No further action cannot go with a route that opens a case")
    if not screening.route_reason:
        add("route_reason", "Say why this route")
    if Route.NFA in routes and not screening.signposting:
        add("signposting", "Say where the child and family were signposted")
    if routes & CASE_ROUTES:
        if not screening.danger_statement:
            add("danger_statement", "Write the danger statement: what we are worried will happen")
        if not screening.safety_goal:
            add(
                "safety_goal",
                "Write the safety goal: what needs to be true for the child to be safe",
            )
        if open_case is None and lead_agency_id is None:
            add("lead_agency", "Choose the agency that will lead the case")
    return errors


def _harm_types(screening: Screening) -> list[int]:
    return list(
        Event.harm_types.through.objects.filter(
            event_id__in=QueueItem.objects.filter(screening=screening).values("event_id")
        )
        .values_list("harmtype_id", flat=True)
        .distinct()
    )


# When several routes move the case, the most urgent one sets its state.
_ROUTE_MOVES = (
    (Route.STRATEGY, "start_strategy"),
    (Route.PANEL, "refer_to_panel"),
    (Route.ASSESSMENT, "start_assessment"),
)


def screening_decide(
    *,
    actor: Any,
    screening: Screening,
    draft: Draft,
    revision: int | None,
    request: HttpRequest | None = None,
) -> Screening:
    """Save the form, then decide. Raises ``ValidationError`` (a dict of field -> messages)
    after the draft is saved, so nothing typed is lost; the screening's new revision is on
    ``error.screening``."""
    saved = screening_save(
        actor=actor, screening=screening, draft=draft, revision=revision, request=request
    )
    try:
        return _decide(actor, saved, draft.lead_agency_id, request)
    except ValidationError as error:
        error.screening = saved  # type: ignore[attr-defined]
        raise


@transaction.atomic
def _decide(
    actor: Any, screening: Screening, lead_agency_id: int | None, request: HttpRequest | None
) -> Screening:
    locked = _mine(actor, screening)
    old = _values(locked)
    at = now()
    open_case = (
        Case.objects.select_for_update()
        .filter(person_id=locked.person_id)
        .exclude(state=CaseState.CLOSED)
        .first()
    )
    age = child_age(locked.person_id, calendar().local_date(at))
    errors = decision_errors(locked, age=age, open_case=open_case, lead_agency_id=lead_agency_id)
    if errors:
        raise ValidationError(errors)
    routes = set(locked.routes)
    case = open_case
    reason = f"Front door: {locked.route_reason}"
    if routes & CASE_ROUTES:
        if case is None:
            assert lead_agency_id is not None  # decision_errors asks for it
            case = case_open(
                actor=actor,
                person_id=locked.person_id,
                lead_agency=Agency.objects.get(pk=lead_agency_id),
                harm_types=_harm_types(locked),
                level=locked.level,
                level_reason=locked.level_reason,
                reason=reason,
                request=request,
            )
        else:
            case.harm_types.add(*_harm_types(locked))
            Case.objects.filter(pk=case.pk).update(
                level=locked.level,
                level_reason=locked.level_reason,
                revision=F("revision") + 1,
                updated_at=at,
            )
            logged_change(
                actor=actor,
                object_type=ObjectType.CASE,
                person_id=case.person_id,
                old={"level": case.level, "level_reason": case.level_reason},
                new={"level": locked.level, "level_reason": locked.level_reason},
                detail={"case": case.pk, "joined_by_screening": locked.pk},
                reason=reason,
                request=request,
            )
            case.refresh_from_db()
        for route, action in _ROUTE_MOVES:
            if route in routes:
                try:
                    check_move(case.state, action)
                except MoveRefused:
                    continue
                case = case_move(actor=actor, case=case, action=action, reason=reason)
                break
        if Route.STRATEGY in routes:
            strategy_discussion_schedule(actor=actor, case=case, request=request)
        if Route.PANEL in routes:
            panel_refer(
                actor=actor,
                case=case,
                reason=locked.route_reason,
                screening=locked,
                request=request,
            )
        case_due_update(case=case)
    # Every waiting item about the child, including any that arrived while it was screened.
    QueueItem.objects.filter(person_id=locked.person_id, screened_at__isnull=True).update(
        screening=locked, screened_at=at
    )
    locked.state = ScreeningState.DECIDED
    locked.decided_by = actor
    locked.decided_at = at
    locked.case = case
    locked = _save(locked, at)
    logged_change(
        actor=actor,
        object_type=ObjectType.SCREENING,
        person_id=locked.person_id,
        old=old,
        new=_values(locked),
        detail={"screening": locked.pk, "step": "decide", "case": case.pk if case else None},
        reason=locked.route_reason,
        request=request,
    )
    return locked
