"""The worklists on each role's home page, and the referrer's answer (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from efh.casework.models import ClosureRequest, Route, ScreeningState
from efh.casework.selectors import worklists
from efh.casework.selectors.outcome import concern_outcomes
from efh.core.models import AccessLogEntry, Source
from factories import (
    WHEN,
    ActionFactory,
    CaseFactory,
    EventFactory,
    EventPersonFactory,
    QueueItemFactory,
    ScreeningFactory,
)

TODAY = date(2026, 3, 2)


def _school_concern(world: dict[str, Any]) -> Any:
    """A concern ``school.dsl`` recorded about the world's child."""
    dsl = world["users"]["school.dsl"]
    code = Source.platform_code(dsl.agency.code)
    Source.objects.get_or_create(code=code, defaults={"name": "School", "agency": dsl.agency})
    event = EventFactory(
        source=code, kind="concern", recorded_by=dsl, summary="Arrives with new trainers"
    )
    EventPersonFactory(event=event, record=world["record"], role="subject")
    return event


def test_outcome_waits_then_names_the_route_and_who_to_contact(casework: dict[str, Any]) -> None:
    event = _school_concern(casework)
    assert concern_outcomes([event.pk])[event.pk].status == "waiting"
    item = QueueItemFactory(event=event, person=casework["person"])
    outcome = concern_outcomes([event.pk])[event.pk]
    assert outcome.status == "waiting"
    assert outcome.children[0].due_at == item.due_at

    screener = casework["users"]["screener"]
    screening = ScreeningFactory(
        person=casework["person"],
        taken_by=screener,
        state=ScreeningState.DECIDED,
        decided_by=screener,
        decided_at=WHEN + timedelta(hours=3),
        routes=[Route.STRATEGY, Route.ASSESSMENT],
        case=casework["case"],
    )
    item.screening = screening
    item.screened_at = screening.decided_at
    item.save()
    child = concern_outcomes([event.pk])[event.pk].children[0]
    assert child.status == "screened"
    assert child.routes == ("Strategy discussion", "Child and family assessment")
    worker = casework["users"]["social.worker"]
    assert child.contact is not None
    assert child.contact.name == (worker.get_full_name() or worker.username)
    assert child.contact.agency == casework["case"].lead_agency.name


def test_the_referrer_sees_the_outcome_on_home_and_on_the_concern(
    casework: dict[str, Any],
) -> None:
    event = _school_concern(casework)
    QueueItemFactory(event=event, person=casework["person"])
    client = Client()
    client.force_login(casework["users"]["school.dsl"])
    home = client.get(reverse("pages:home")).content.decode()
    assert "Concerns you and your agency raised" in home
    assert f"C-{event.pk}" in home
    assert "Waiting to be screened" in home
    # Recording the concern gave school.dsl's agency a ground to know the child.
    assert "Casey Worldly" in home
    page = client.get(reverse("concerns:concern-recorded", args=[event.pk])).content.decode()
    assert "What happened to this concern" in page
    assert "Waiting to be screened" in page


def test_my_children_and_my_actions_are_the_workers(casework: dict[str, Any]) -> None:
    worker = casework["users"]["social.worker"]
    other = CaseFactory(lead_agency=casework["case"].lead_agency)
    ActionFactory(case=other, owner=casework["users"]["team.manager"])
    assert [c.pk for c in worklists.my_children(worker)] == [casework["case"].pk]
    assert worklists.my_children_count(worker) == 1
    assert [a.pk for a in worklists.my_actions(worker)] == [casework["action"].pk]
    # The plan's review (6 weeks from 1 January) is overdue on 2 March.
    assert [p.pk for p in worklists.my_reviews_due(worker, TODAY)] == [casework["plan"].pk]
    assert worklists.my_reviews_due(worker, date(2026, 1, 2)) == []


def test_team_view_counts_overdue_and_lists_approvals(casework: dict[str, Any]) -> None:
    manager = casework["users"]["team.manager"]
    case = casework["case"]
    type(case).objects.filter(pk=case.pk).update(
        next_due_on=TODAY - timedelta(days=3), next_due_what="Review of the plan"
    )
    CaseFactory(lead_agency=case.lead_agency, next_due_on=TODAY + timedelta(days=3))
    ClosureRequest.objects.create(
        case=case,
        kind="closure",
        reason="Goals met",
        from_state="plan",
        requested_by=casework["users"]["social.worker"],
        requested_at=WHEN,
    )
    team = worklists.team_view(manager, TODAY)
    assert (team.open_cases, team.overdue_count) == (2, 1)
    assert [c.pk for c in team.overdue_cases] == [case.pk]
    assert [r.case_id for r in team.approvals] == [case.pk]
    # Another agency's manager sees none of it.
    assert worklists.approvals_waiting(casework["users"]["police.officer"]) == []


@pytest.mark.parametrize(
    ("username", "shown", "hidden"),
    [
        ("social.worker", ["My children (1)", "My open actions"], ["The front door", "My team"]),
        ("team.manager", ["My team", "Approvals waiting"], ["The front door"]),
        ("screener", ["The front door", "waiting to be screened"], ["My team"]),
    ],
)
def test_each_role_sees_its_work_on_home(
    casework: dict[str, Any], username: str, shown: list[str], hidden: list[str]
) -> None:
    client = Client()
    client.force_login(casework["users"][username])
    before = AccessLogEntry.objects.count()
    home = client.get(reverse("pages:home")).content.decode()
    for text in shown:
        assert text in home, text
    for text in hidden:
        assert text not in home, text
    if username == "social.worker":
        assert "Casey Worldly" in home
        entry = AccessLogEntry.objects.filter(object_type="case_list").latest("pk")
        assert entry.detail["people"] == [casework["person"].pk]
        assert AccessLogEntry.objects.count() > before


def test_record_shows_the_case_plan_and_the_childs_voice(casework: dict[str, Any]) -> None:
    version = casework["plan"].versions.get()
    version.child_words = "I want to go back to football"
    version.save()
    client = Client()
    client.force_login(casework["users"]["social.worker"])
    page = client.get(reverse("people:record", args=[casework["person"].pk])).content.decode()
    assert "Open case: Plan" in page
    assert "I want to go back to football" in page
    assert reverse("casework:case", args=[casework["case"].pk]) in page
    entry = AccessLogEntry.objects.filter(object_id=str(casework["person"].pk)).latest("pk")
    assert "case" in entry.fields
