"""The child's casework on their record: the case, its state, the plan, reviews and open
actions, and the child's voice from the screening, the plan and each review.

A few queries, whatever the case's length: the case (with who leads it), its current plan with
the latest version, the last reviews, the open actions and the screening that opened it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F

from efh.casework.models import (
    Action,
    Case,
    CaseState,
    Plan,
    PlanVersion,
    Review,
    Screening,
    ScreeningState,
)

RECENT_REVIEWS = 3


@dataclass(frozen=True)
class Voice:
    """What the child said, where and when."""

    where: str
    on: date | None
    words: str


@dataclass
class RecordCasework:
    case: Case
    plan: Plan | None = None
    version: PlanVersion | None = None
    reviews: list[Review] = field(default_factory=list)
    open_actions: list[Action] = field(default_factory=list)
    voices: list[Voice] = field(default_factory=list)
    today: date | None = None

    @property
    def review_overdue(self) -> bool:
        due = self.plan.next_review_due if self.plan else None
        return bool(due and self.today and due < self.today and self.case.is_open)

    @property
    def next_due_overdue(self) -> bool:
        due = self.case.next_due_on
        return bool(due and self.today and due < self.today)

    def action_overdue(self, action: Action) -> bool:
        return bool(self.today and action.due_on < self.today)


def record_casework(person_id: int, today: date) -> RecordCasework | None:
    """The child's open case, else their latest closed one; None when they have had none."""
    case = (
        Case.objects.filter(person_id=person_id)
        .select_related("lead_agency", "lead_practitioner", "allocated_worker")
        # The open case first (there is at most one: no closed_at), then the latest closed.
        .order_by(F("closed_at").desc(nulls_first=True), "-opened_at")
        .first()
    )
    if case is None:
        return None
    found = RecordCasework(case=case, today=today)
    found.plan = Plan.objects.filter(case=case, ended_at__isnull=True).order_by("-pk").first()
    if found.plan is not None:
        found.version = (
            PlanVersion.objects.filter(plan=found.plan)
            .select_related("saved_by")
            .order_by("-number")
            .first()
        )
        found.reviews = list(
            Review.objects.filter(plan=found.plan).order_by("-held_on", "-pk")[:RECENT_REVIEWS]
        )
    found.open_actions = list(
        Action.objects.filter(case=case, completed_at__isnull=True)
        .select_related("owner")
        .order_by("due_on", "pk")
    )
    screening = (
        Screening.objects.filter(case=case, state=ScreeningState.DECIDED)
        .exclude(child_words="")
        .order_by("-decided_at")
        .first()
    )
    if screening is not None:
        found.voices.append(
            Voice(
                "Screening",
                screening.decided_at.date() if screening.decided_at else None,
                screening.child_words,
            )
        )
    if found.version is not None and found.version.child_words:
        found.voices.append(
            Voice(
                f"Plan, version {found.version.number}",
                found.version.saved_at.date(),
                found.version.child_words,
            )
        )
    found.voices.extend(
        Voice("Review", r.held_on, r.child_words) for r in found.reviews if r.child_words
    )
    return found


STATE_COLOURS: dict[str, str] = {
    CaseState.OPEN: "blue",
    CaseState.ASSESSMENT: "purple",
    CaseState.STRATEGY: "orange",
    CaseState.PANEL: "orange",
    CaseState.PLAN: "green",
    CaseState.REVIEW: "turquoise",
    CaseState.CLOSURE_REQUESTED: "yellow",
    CaseState.STEP_DOWN_REQUESTED: "yellow",
    CaseState.CLOSED: "grey",
}
