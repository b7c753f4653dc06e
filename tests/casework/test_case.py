"""The child's case: moves, allocation, plans with versions, reviews, closure with approval,
strategy discussions and NRM referrals (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from efh.casework.models import (
    Allocation,
    CaseState,
    ClosureStatus,
    NrmState,
    PlanVersion,
)
from efh.casework.services import closure, nrm, plan, strategy
from efh.casework.services.case import StaleEdit, case_allocate, case_move
from efh.casework.states import MoveRefused
from efh.core.calendar import calendar
from efh.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db


def test_a_move_not_allowed_is_refused_with_what_is(casework: dict[str, Any]) -> None:
    worker = casework["users"]["social.worker"]
    with pytest.raises(MoveRefused, match="cannot start an assessment; from here it can"):
        case_move(actor=worker, case=casework["case"], action="start_assessment", reason="x")
    with pytest.raises(MoveRefused, match="at “Plan” cannot approve closure"):
        case_move(actor=worker, case=casework["case"], action="approve_closure", reason="x")
    with pytest.raises(MoveRefused, match="a reason is needed"):
        case_move(actor=worker, case=casework["case"], action="refer_to_panel", reason=" ")
    moved = case_move(actor=worker, case=casework["case"], action="refer_to_panel", reason="Peers")
    assert moved.state == CaseState.PANEL
    last = moved.transitions.last()
    assert (last.from_state, last.to_state, last.by, last.reason) == (
        "plan",
        "panel",
        worker,
        "Peers",
    )


def test_the_case_page_shows_a_refused_move_and_changes_nothing(casework: dict[str, Any]) -> None:
    client = Client()
    client.force_login(casework["users"]["social.worker"])
    url = reverse("casework:case-move", args=[casework["case"].pk])
    response = client.post(url, {"move": "reopen", "reason": "Try"})
    assert response.status_code == 400
    assert "That step is taken from its own page" in response.content.decode() or (
        "cannot reopen" in response.content.decode()
    )
    casework["case"].refresh_from_db()
    assert casework["case"].state == CaseState.PLAN


def test_allocation_keeps_its_history_and_stale_edits_are_refused(casework: dict[str, Any]) -> None:
    manager = casework["users"]["team.manager"]
    case = casework["case"]
    seen = case.revision
    changed = case_allocate(
        actor=manager,
        case=case,
        lead_agency=case.lead_agency,
        lead_practitioner=manager,
        allocated_worker=casework["users"]["social.worker"],
        reason="Complex case",
        revision=seen,
    )
    assert changed.lead_practitioner == manager
    assert Allocation.objects.filter(case=case).count() == 1  # the factory made none before
    with pytest.raises(StaleEdit, match="changed"):
        case_allocate(
            actor=manager,
            case=case,
            lead_agency=case.lead_agency,
            lead_practitioner=None,
            allocated_worker=None,
            reason="Old page",
            revision=seen,
        )
    entry = AccessLogEntry.objects.filter(object_type="case", action="update").latest("pk")
    assert entry.detail["changes"]["lead_practitioner"][1] == manager.pk


def test_plan_versions_are_kept_and_a_stale_plan_is_not_overwritten(
    casework: dict[str, Any],
) -> None:
    worker = casework["users"]["social.worker"]
    case, current = casework["case"], casework["plan"]
    goals = [{"goal": "Home by 9pm", "happen": "Mum checks in; worker visits weekly"}]
    version = plan.plan_save(
        actor=worker,
        case=case,
        kind="safety",
        goals=goals,
        child_words="I want to box",
        family_words="",
        plan=current,
        version_seen=1,
    )
    assert version.number == 2
    with pytest.raises(StaleEdit):
        plan.plan_save(
            actor=worker,
            case=case,
            kind="safety",
            goals=goals,
            child_words="",
            family_words="",
            plan=current,
            version_seen=1,
        )
    assert PlanVersion.objects.filter(plan=current).count() == 2
    with pytest.raises(ValidationError) as caught:
        plan.plan_save(
            actor=worker,
            case=case,
            kind="safety",
            goals=[{"goal": "", "happen": "Something"}],
            child_words="",
            family_words="",
            plan=current,
            version_seen=2,
        )
    assert "goal-0" in caught.value.message_dict


def test_a_review_sets_the_next_due_six_weeks_on(casework: dict[str, Any]) -> None:
    worker = casework["users"]["social.worker"]
    held = date(2026, 2, 10)
    review = plan.review_record(
        actor=worker,
        plan=casework["plan"],
        held_on=held,
        outcome="continue",
        what_changed="Back at school",
        child_words="Better",
    )
    casework["plan"].refresh_from_db()
    assert review.due_on == date(2026, 2, 12)  # the factory's plan: 6 weeks after 1 January
    assert casework["plan"].next_review_due == held + timedelta(weeks=6)
    casework["case"].refresh_from_db()
    assert casework["case"].state == CaseState.REVIEW
    with pytest.raises(ValidationError) as caught:
        plan.review_record(
            actor=worker,
            plan=casework["plan"],
            held_on=date(2099, 1, 1),
            outcome="",
            what_changed="",
            child_words="",
        )
    assert {"held_on", "outcome", "what_changed"} <= set(caught.value.message_dict)


def test_closure_needs_a_reason_for_each_open_item_and_a_managers_approval(
    casework: dict[str, Any],
) -> None:
    worker = casework["users"]["social.worker"]
    manager = casework["users"]["team.manager"]
    case = casework["case"]
    with pytest.raises(ValidationError) as caught:
        closure.closure_request(actor=worker, case=case, kind="closure", reason="Safe now")
    keys = set(caught.value.message_dict)
    assert {f"open-action-{casework['action'].pk}", f"open-nrm-{casework['nrm'].pk}"} <= keys
    reasons = {
        f"action:{casework['action'].pk}": "Youth worker carries on",
        f"nrm:{casework['nrm'].pk}": "Decision awaited; worker will pass it on",
    }
    request = closure.closure_request(
        actor=worker, case=case, kind="closure", reason="Safe now", open_item_reasons=reasons
    )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSURE_REQUESTED
    with pytest.raises(PermissionDenied):
        closure.closure_decide(actor=worker, closure=request, approve=True, comments="")
    with pytest.raises(ValidationError):
        closure.closure_decide(actor=manager, closure=request, approve=False, comments="")
    returned = closure.closure_decide(
        actor=manager, closure=request, approve=False, comments="Speak to the school first"
    )
    case.refresh_from_db()
    assert returned.status == ClosureStatus.RETURNED and case.state == CaseState.PLAN
    again = closure.closure_request(
        actor=worker,
        case=case,
        kind="step_down",
        reason="Early help holds her",
        step_down_to="Early help",
        open_item_reasons=reasons,
    )
    closure.closure_decide(actor=manager, closure=again, approve=True, comments="Agreed")
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_as == "step_down"
    steps = list(case.transitions.values_list("action", flat=True))
    assert steps[-4:] == [
        "request_closure",
        "return_request",
        "request_step_down",
        "approve_step_down",
    ]


def test_section_47_makes_the_conference_due_in_15_working_days(casework: dict[str, Any]) -> None:
    worker = casework["users"]["social.worker"]
    held = date(2026, 12, 18)  # a Friday before Christmas
    sd = strategy.strategy_discussion_record(
        actor=worker,
        discussion=casework["strategy"],
        held_on=date(2026, 1, 5),
        attendees=[{"name": "Sam", "agency": "Police"}, {"name": "Jo", "agency": "CSC"}],
        information_shared="Missing twice",
        section_47=True,
        section_47_joint=True,
        other_actions="",
    )
    assert sd.icpc_due_on == calendar().add_working_days(date(2026, 1, 5), 15)
    assert sd.icpc_due_on == date(2026, 1, 26)
    # Across Christmas: 25, 26 (Saturday), 28 (the Boxing Day substitute) and 1 January.
    assert calendar().add_working_days(held, 15) == date(2027, 1, 13)
    with pytest.raises(ValidationError) as caught:
        strategy.strategy_discussion_record(
            actor=worker,
            discussion=casework["strategy"],
            held_on=None,
            attendees=[],
            information_shared="",
            section_47=None,
            section_47_joint=None,
            other_actions="",
        )
    assert {"held_on", "attendees", "information_shared", "section_47"} <= set(
        caught.value.message_dict
    )


def test_nrm_due_dates_follow_devolved_decision_making(casework: dict[str, Any]) -> None:
    worker = casework["users"]["social.worker"]
    case = casework["case"]
    devolved = nrm.nrm_record(
        actor=worker,
        case=case,
        first_responder=case.lead_agency,
        submitted_on=date(2026, 8, 27),
        devolved=True,
    )
    assert devolved.rg_due_on == date(2026, 10, 11)  # 45 days
    national = nrm.nrm_record(
        actor=worker,
        case=case,
        first_responder=case.lead_agency,
        submitted_on=date(2026, 8, 27),
        devolved=False,
    )
    assert national.rg_due_on == date(2026, 9, 4)  # 5 working days, past the bank holiday
    positive = nrm.nrm_step(
        actor=worker, referral=national, step="rg", decided_on=date(2026, 9, 3), positive=True
    )
    assert positive.state == NrmState.AWAITING_CG
    assert positive.cg_earliest_on == date(2026, 10, 3)
    with pytest.raises(ValidationError, match="no sooner than 30 days"):
        nrm.nrm_step(
            actor=worker, referral=national, step="cg", decided_on=date(2026, 9, 20), positive=True
        )
    done = nrm.nrm_step(
        actor=worker,
        referral=national,
        step="cg",
        decided_on=date(2026, 10, 5),
        positive=True,
        text="Conclusive grounds: trafficked",
    )
    assert done.state == NrmState.CONCLUDED and not done.is_open
    case.refresh_from_db()
    assert "NRM" in case.next_due_what or case.next_due_on is not None
