"""Where a case may move: a plain transition table (DESIGN.md: django-fsm-2 or a plain table).

A table rather than django-fsm-2 because every move here must record who, when and why in the
same transaction as the move, refuse with a message a practitioner can act on, and be listed on
the case page as the buttons the user may press; a dictionary gives all three with nothing to
configure, and ``casework.services.case.case_move`` is the only code that changes ``Case.state``.
"""

from __future__ import annotations

from dataclasses import dataclass

from efh.casework.models.case import CaseState as S

WORKING = (S.OPEN, S.ASSESSMENT, S.STRATEGY, S.PANEL, S.PLAN, S.REVIEW)


@dataclass(frozen=True)
class Move:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    manager_only: bool = False
    """Only a manager of the lead agency (closure and step-down approvals)."""


MOVES: dict[str, Move] = {
    m.action: m
    for m in (
        Move(
            "start_assessment", "Start an assessment", (S.OPEN, S.STRATEGY, S.PANEL), S.ASSESSMENT
        ),
        Move(
            "start_strategy",
            "Hold a strategy discussion",
            (S.OPEN, S.ASSESSMENT, S.PANEL, S.PLAN, S.REVIEW),
            S.STRATEGY,
        ),
        Move(
            "refer_to_panel",
            "Refer to the panel",
            (S.OPEN, S.ASSESSMENT, S.STRATEGY, S.PLAN, S.REVIEW),
            S.PANEL,
        ),
        Move("make_plan", "Make the plan", (S.OPEN, S.ASSESSMENT, S.STRATEGY, S.PANEL), S.PLAN),
        Move("hold_review", "Hold a review", (S.PLAN, S.REVIEW), S.REVIEW),
        Move("request_closure", "Request closure", WORKING, S.CLOSURE_REQUESTED),
        Move("request_step_down", "Request step-down", WORKING, S.STEP_DOWN_REQUESTED),
        Move("approve_closure", "Approve closure", (S.CLOSURE_REQUESTED,), S.CLOSED, True),
        Move("approve_step_down", "Approve step-down", (S.STEP_DOWN_REQUESTED,), S.CLOSED, True),
        # Returned: back to where the request came from (the service reads it off the request).
        Move(
            "return_request",
            "Return with comments",
            (S.CLOSURE_REQUESTED, S.STEP_DOWN_REQUESTED),
            "",
            True,
        ),
        Move("reopen", "Reopen the case", (S.CLOSED,), S.OPEN),
    )
}


class MoveRefused(ValueError):
    """A move that is not allowed from the case's state; the message says why and what is."""


def check_move(state: str, action: str) -> Move:
    move = MOVES.get(action)
    if move is None:
        raise MoveRefused(f"There is no such step as {action!r} for a case.")
    if state not in move.sources:
        allowed = [MOVES[a].label.lower() for a in MOVES if state in MOVES[a].sources]
        raise MoveRefused(
            f"A case at “{S(state).label}” cannot {move.label[0].lower()}"
            f"{move.label[1:]}; from here it can: {', '.join(allowed) or 'nothing'}."
        )
    return move


def moves_from(state: str) -> list[Move]:
    return [m for m in MOVES.values() if state in m.sources]
