"""Reads of one case (its page) and of lists of cases (the case list, the panel's referrals).

The case page is a fixed number of queries whatever the case's history: one per kind of thing
on it (transitions, allocations, plans with versions, reviews, actions, strategy discussions,
NRM referrals, panel referrals, closure requests, screenings)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from efh.accounts.models import Agency, User
from efh.casework.models import (
    Action,
    Allocation,
    Case,
    CaseState,
    ClosureRequest,
    ClosureStatus,
    NrmReferral,
    PanelReferral,
    PanelReferralStatus,
    Plan,
    PlanVersion,
    Review,
    Screening,
    ScreeningState,
    StrategyDiscussion,
    Transition,
)
from efh.casework.selectors.due import Due, due_items
from efh.casework.states import Move, moves_from

PAGE = 50


@dataclass(frozen=True)
class OpenItem:
    key: str
    """action:<id> or nrm:<id>"""
    label: str


def _open_items(actions: Iterable[Action], nrms: Iterable[NrmReferral]) -> list[OpenItem]:
    return [
        *(OpenItem(f"action:{a.pk}", f"the action “{a.what[:80]}”") for a in actions),
        *(
            OpenItem(f"nrm:{n.pk}", f"the NRM referral submitted {n.submitted_on:%d %B %Y}")
            for n in nrms
            if n.is_open
        ),
    ]


def open_items(case: Case) -> list[OpenItem]:
    """What would stay open if the case closed: actions not done, NRM referrals not concluded."""
    return _open_items(
        Action.objects.filter(case=case, completed_at__isnull=True).order_by("due_on", "pk"),
        NrmReferral.objects.filter(case=case),
    )


@dataclass
class PlanView:
    plan: Plan
    versions: list[PlanVersion]
    reviews: list[Review]

    @property
    def latest(self) -> PlanVersion | None:
        return self.versions[0] if self.versions else None


@dataclass
class CasePage:
    case: Case
    today: date
    transitions: list[Transition] = field(default_factory=list)
    allocations: list[Allocation] = field(default_factory=list)
    plans: list[PlanView] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    strategy: list[StrategyDiscussion] = field(default_factory=list)
    nrm: list[NrmReferral] = field(default_factory=list)
    panel: list[PanelReferral] = field(default_factory=list)
    closures: list[ClosureRequest] = field(default_factory=list)
    screenings: list[Screening] = field(default_factory=list)
    due: list[Due] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    open_items: list[OpenItem] = field(default_factory=list)

    @property
    def pending_closure(self) -> ClosureRequest | None:
        return next((c for c in self.closures if c.status == ClosureStatus.PENDING), None)

    @property
    def open_actions(self) -> list[Action]:
        return [a for a in self.actions if a.completed_at is None]

    @property
    def done_actions(self) -> list[Action]:
        return [a for a in self.actions if a.completed_at is not None]

    @property
    def current_plan(self) -> PlanView | None:
        return next((p for p in self.plans if p.plan.ended_at is None), None)


def case_page(case: Case, today: date) -> CasePage:
    page = CasePage(case=case, today=today)
    page.transitions = list(
        Transition.objects.filter(case=case).select_related("by").order_by("-at", "-pk")
    )
    page.allocations = list(
        Allocation.objects.filter(case=case)
        .select_related("lead_agency", "lead_practitioner", "allocated_worker", "by")
        .order_by("-started_at", "-pk")
    )
    plans = (
        Plan.objects.filter(case=case)
        .prefetch_related(
            Prefetch(
                "versions",
                queryset=PlanVersion.objects.select_related("saved_by").order_by("-number"),
            ),
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("recorded_by").order_by("-held_on", "-pk"),
            ),
        )
        .order_by("-created_at")
    )
    page.plans = [PlanView(p, list(p.versions.all()), list(p.reviews.all())) for p in plans]
    page.actions = list(
        Action.objects.filter(case=case)
        .select_related("owner", "completed_by")
        .order_by("due_on", "pk")
    )
    page.strategy = list(StrategyDiscussion.objects.filter(case=case).order_by("-due_on", "-pk"))
    page.nrm = list(
        NrmReferral.objects.filter(case=case).select_related("first_responder").order_by("-pk")
    )
    page.panel = list(PanelReferral.objects.filter(case=case).select_related("referred_by"))
    page.closures = list(
        ClosureRequest.objects.filter(case=case)
        .select_related("requested_by", "decided_by")
        .order_by("-requested_at", "-pk")
    )
    page.screenings = list(
        Screening.objects.filter(case=case, state=ScreeningState.DECIDED)
        .select_related("decided_by")
        .only(
            "pk",
            "decided_at",
            "case_id",
            "decided_by__username",
            "decided_by__first_name",
            "decided_by__last_name",
        )
        .order_by("-decided_at")
    )
    page.due = due_items(case)
    page.moves = moves_from(case.state)
    page.open_items = _open_items(page.open_actions, page.nrm)
    return page


def case_of_action(action_id: int) -> int | None:
    return Action.objects.filter(pk=action_id).values_list("case_id", flat=True).first()


def action_on_case(case: Case, action_id: int) -> Action | None:
    return Action.objects.filter(case=case, pk=action_id).first()


def plan_on_case(case: Case, plan_id: int) -> Plan | None:
    return Plan.objects.filter(case=case, pk=plan_id).first()


def latest_version(plan: Plan) -> PlanVersion | None:
    return PlanVersion.objects.filter(plan=plan).order_by("-number").first()


def pending_closure(case: Case) -> ClosureRequest | None:
    return ClosureRequest.objects.filter(case=case, status=ClosureStatus.PENDING).first()


def agency_workers(agency_id: int) -> list[User]:
    """The active users of an agency, for allocation (the manager's page)."""
    return list(
        User.objects.filter(agency_id=agency_id, is_active=True)
        .order_by("first_name", "last_name", "username")
        .only("pk", "username", "first_name", "last_name", "agency_id")
    )


def case_people(case: Case, also: Any = None) -> list[User]:
    """The people of the case, for "who will do it": its lead practitioner and allocated worker,
    now and before, and the owners of its actions (and ``also``, the user at the form). Not the
    whole agency: at a borough's scale that is a thousand names on every case page."""
    ids = {case.lead_practitioner_id, case.allocated_worker_id}
    for lead, worker in Allocation.objects.filter(case=case).values_list(
        "lead_practitioner_id", "allocated_worker_id"
    ):
        ids |= {lead, worker}
    ids |= set(
        Action.objects.filter(case=case, owner__isnull=False).values_list("owner_id", flat=True)
    )
    if also is not None and getattr(also, "pk", None):
        ids.add(also.pk)
    ids.discard(None)
    return list(
        User.objects.filter(pk__in=ids, is_active=True)
        .order_by("first_name", "last_name", "username")
        .only("pk", "username", "first_name", "last_name", "agency_id")
    )


def users_by_pk(pks: list[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=pks, is_active=True)}


@dataclass
class CaseList:
    cases: list[Case]
    total: int
    page: int
    pages: int


def case_list(
    visible: QuerySet[Case],
    *,
    user: Any,
    scope: str,
    state: str,
    page: int = 1,
    per_page: int = PAGE,
) -> CaseList:
    """The cases the user may see, filtered: ``scope`` mine / agency / all; ``state`` open
    (every state but closed), closed, or one state's code."""
    cases = visible
    if scope == "mine":
        cases = cases.filter(Q(allocated_worker=user) | Q(lead_practitioner=user))
    elif scope == "agency" and user.agency_id is not None:
        cases = cases.filter(lead_agency_id=user.agency_id)
    if state == "open":
        cases = cases.exclude(state=CaseState.CLOSED)
    elif state in CaseState.values:
        cases = cases.filter(state=state)
    total = cases.count()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(
        cases.select_related("lead_agency", "lead_practitioner", "allocated_worker").order_by(
            F("next_due_on").asc(nulls_last=True), "pk"
        )[(page - 1) * per_page : page * per_page]
    )
    return CaseList(rows, total, page, pages)


def panel_referrals(*, status: str = PanelReferralStatus.WAITING) -> list[PanelReferral]:
    """The panel's list: referrals waiting to be listed for a meeting, the oldest first."""
    return list(
        PanelReferral.objects.filter(status=status)
        .select_related("case", "case__lead_agency", "referred_by")
        .order_by("referred_at", "pk")[:500]
    )


def strategy_on_case(case: Case, sd_id: int) -> StrategyDiscussion | None:
    return StrategyDiscussion.objects.filter(case=case, pk=sd_id).first()


def nrm_on_case(case: Case, nrm_id: int) -> NrmReferral | None:
    return (
        NrmReferral.objects.filter(case=case, pk=nrm_id).select_related("first_responder").first()
    )


def agencies() -> list[Agency]:
    return list(Agency.objects.order_by("name"))
