"""The casework app's records: the front door (the screening tool, the queue, screenings and route
decisions), cases with their allocation and state history, strategy discussions, plans with
versions and actions, reviews, closure requests, NRM referrals and referrals to the panel."""

from efh.casework.models.case import (
    Action,
    Allocation,
    Case,
    CaseState,
    ClosureKind,
    ClosureRequest,
    ClosureStatus,
    Transition,
)
from efh.casework.models.frontdoor import (
    CASE_ROUTES,
    IntakeMark,
    QueueItem,
    Route,
    Screening,
    ScreeningState,
    ScreeningTool,
)
from efh.casework.models.nrm import NrmReferral, NrmState
from efh.casework.models.panel import PanelReferral, PanelReferralStatus
from efh.casework.models.plan import Plan, PlanVersion, Review, ReviewOutcome
from efh.casework.models.strategy import StrategyDiscussion

__all__ = [
    "CASE_ROUTES",
    "Action",
    "Allocation",
    "Case",
    "CaseState",
    "ClosureKind",
    "ClosureRequest",
    "ClosureStatus",
    "IntakeMark",
    "NrmReferral",
    "NrmState",
    "PanelReferral",
    "PanelReferralStatus",
    "Plan",
    "PlanVersion",
    "QueueItem",
    "Review",
    "ReviewOutcome",
    "Route",
    "Screening",
    "ScreeningState",
    "ScreeningTool",
    "StrategyDiscussion",
    "Transition",
]
