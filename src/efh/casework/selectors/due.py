"""What is due on a case, and when: the plan's next review, open actions, a strategy discussion
not yet held, an initial child protection conference, NRM decisions, a closure waiting for
approval. One place, so the case page, the worklists and ``Case.next_due_on`` agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from efh.casework.models import (
    Action,
    Case,
    ClosureRequest,
    ClosureStatus,
    NrmReferral,
    NrmState,
    Plan,
    StrategyDiscussion,
)


@dataclass(frozen=True)
class Due:
    on: date
    what: str
    kind: str
    """review, action, strategy, icpc, nrm_rg, approval"""

    def overdue(self, today: date) -> bool:
        return self.on < today


def due_items(case: Case) -> list[Due]:
    """Everything due on an open case, soonest first (nothing for a closed case)."""
    if not case.is_open:
        return []
    items: list[Due] = []
    for plan in Plan.objects.filter(
        case=case, ended_at__isnull=True, next_review_due__isnull=False
    ):
        if plan.next_review_due is not None:
            items.append(Due(plan.next_review_due, "Review of the plan", "review"))
    for action in Action.objects.filter(case=case, completed_at__isnull=True):
        items.append(Due(action.due_on, f"Action: {action.what[:60]}", "action"))
    for sd in StrategyDiscussion.objects.filter(case=case):
        if sd.held_on is None:
            items.append(Due(sd.due_on, "Strategy discussion", "strategy"))
        elif sd.icpc_due_on and sd.icpc_held_on is None:
            items.append(Due(sd.icpc_due_on, "Initial child protection conference", "icpc"))
    for nrm in NrmReferral.objects.filter(case=case):
        # Conclusive grounds has no due date, only an earliest one (shown with the referral):
        # it is nothing anyone can be late for.
        if nrm.state == NrmState.AWAITING_RG:
            items.append(Due(nrm.rg_due_on, "NRM reasonable-grounds decision", "nrm_rg"))
    pending = ClosureRequest.objects.filter(case=case, status=ClosureStatus.PENDING).first()
    if pending is not None:
        items.append(
            Due(pending.requested_at.date(), f"{pending.get_kind_display()} approval", "approval")
        )
    return sorted(items, key=lambda d: (d.on, d.what))
