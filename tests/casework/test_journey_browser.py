"""One child, end to end, in a real browser at 375 pixels wide (issue 12's journey), with
axe-core on every page and the screening tool used with the keyboard alone:

``school.dsl`` records a concern; ``screener`` screens it and routes it to a case and a
strategy discussion; ``team.manager`` makes ``social.worker`` the lead practitioner; the worker
makes the plan; seven weeks pass (the clock really moves: ``time-machine``) and the review is
overdue on the worker's home page; the review is held; closure is requested and a manager
approves it; ``school.dsl`` sees what happened to the concern."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import expect

from efh.casework.models import Case, CaseState, Screening
from efh.casework.tool import questions
from efh.core.clock import now

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375


def fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{page.url} is {width} pixels wide at {WIDTH}"


def focused(page: Any, script: str) -> bool:
    return bool(
        page.evaluate(
            f"(() => {{ const e = document.activeElement; return !!e && ({script}); }})()"
        )
    )


def tab_until(page: Any, script: str, limit: int = 200) -> None:
    """Press Tab until the focused element matches ``script`` (a JS expression of ``e``)."""
    for _ in range(limit):
        if focused(page, script):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached an element where {script}")


def type_into(page: Any, element_id: str, text: str) -> None:
    tab_until(page, f"e.id === {element_id!r}")
    page.keyboard.type(text)


def test_one_child_from_concern_to_closure(
    page: Any,
    live_server: Any,
    demo: dict[str, Any],
    make_person: Any,
    sign_in: Any,
    assert_accessible: Any,
) -> None:
    from datetime import date

    page.set_viewport_size({"width": WIDTH, "height": 900})
    child = make_person(
        source="education", given_name="Ada", family_name="Quill", date_of_birth=date(2011, 5, 2)
    )

    def visit(user: str, path: str) -> None:
        page.context.clear_cookies()
        sign_in(page, live_server, demo[user])
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state()

    def check_page() -> None:
        fits(page)
        assert_accessible(page)

    # 1. The school records a concern.
    visit("school.dsl", f"{reverse('concerns:concern-new')}?person={child.pk}")
    page.locator("#summary").fill("Ada arrives with new trainers and two phones")
    page.locator("#concern-record").click()
    page.get_by_role("heading", name="Concern recorded").wait_for()
    expect(page.locator("main")).to_contain_text("Waiting to be screened")
    check_page()

    # 2. The screener: the queue on home, then the tool, keyboard only.
    visit("screener", "/")
    expect(page.locator("[data-worklist=queue]")).to_contain_text("1 child waiting")
    check_page()
    page.goto(f"{live_server.url}{reverse('casework:queue')}")
    expect(page.locator("[data-queue]")).to_contain_text("Ada Quill")
    check_page()
    page.get_by_role("button", name="Screen Ada Quill").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ada Quill")
    check_page()
    screening = Screening.objects.get()
    page.keyboard.press("Tab")
    for q in questions(screening.tool.definition):
        name = f"answer-{q['code']}"
        tab_until(page, f"e.name === {name!r}")
        checked = page.evaluate(f"!!document.querySelector('input[name={name}]:checked')")
        if not checked:
            # The first answer (Yes) has focus, unselected: the arrow selects "No".
            page.keyboard.press("ArrowRight")
        if q["code"] == "older_associates":
            page.keyboard.press("ArrowLeft")  # back to "Yes"
            page.keyboard.press("Tab")
            page.keyboard.type("Seen with men in their twenties")
    type_into(page, "child_words", "They are my friends")
    type_into(page, "danger_statement", "We are worried Ada is being groomed to carry drugs")
    type_into(page, "safety_goal", "Ada is home every night and in school every day")
    tab_until(page, "e.name === 'level'")
    page.keyboard.press("ArrowDown")  # low
    page.keyboard.press("ArrowDown")  # medium
    type_into(page, "level_reason", "Older associates and unexplained goods")
    tab_until(page, "e.id === 'routes-strategy'")
    page.keyboard.press("Space")
    type_into(page, "route_reason", "Risk of criminal exploitation: agencies must share now")
    tab_until(page, "e.id === 'lead_agency'")
    page.keyboard.press("ArrowDown")  # children's social care comes first
    tab_until(page, "e.tagName === 'BUTTON' && e.value === 'decide'")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("Screened: the route is decided.")
    check_page()
    case = Case.objects.get(person=child)
    assert case.state == CaseState.STRATEGY
    assert Screening.objects.get().answers["older_associates"]["answer"] == "yes"

    # 3. The manager allocates.
    visit("team.manager", reverse("casework:case", args=[case.pk]))
    check_page()
    page.get_by_role("link", name="Change the allocation").click()
    page.wait_for_load_state()
    check_page()
    worker = demo["social.worker"]
    page.get_by_label("Lead practitioner").select_option(str(worker.pk))
    page.get_by_label("Allocated worker").select_option(str(worker.pk))
    page.get_by_label("Why the allocation changes").fill("Kemal knows the family")
    page.get_by_role("button", name="Save the allocation").click()
    page.wait_for_load_state()
    expect(page.locator("#summary")).to_contain_text("Kemal Example")

    # 4. The worker makes the plan.
    visit("social.worker", "/")
    expect(page.locator("[data-worklist=my-children]")).to_contain_text("Ada Quill")
    check_page()
    page.goto(f"{live_server.url}{reverse('casework:case-plan', args=[case.pk])}")
    check_page()
    page.locator("#goal-0").fill("Ada is not going to the estate at night")
    page.locator("#happen-0").fill("Mum collects her from boxing at 8pm; Kemal visits weekly")
    page.locator("#child_words").fill("I want to keep boxing")
    page.get_by_role("button", name="Save the plan").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("The plan is saved as a new version.")
    check_page()
    case.refresh_from_db()
    assert case.state == CaseState.PLAN

    # 5. Seven weeks on, the review is overdue on the worker's home page.
    with time_machine.travel(now() + timedelta(weeks=7), tick=True):
        visit("social.worker", "/")
        reviews = page.locator("[data-worklist=reviews]")
        expect(reviews).to_contain_text("Ada Quill")
        expect(reviews).to_contain_text("Overdue")
        check_page()
        page.goto(f"{live_server.url}{reverse('casework:case', args=[case.pk])}")
        page.get_by_role("link", name="Record a review of the plan").click()
        page.wait_for_load_state()
        check_page()
        page.get_by_label("Date the review was held").fill(now().strftime("%d %m %Y"))
        page.get_by_label("Continue the plan").check()
        page.get_by_label("What has changed").fill("Home every night; back at school")
        page.get_by_role("button", name="Record the review").click()
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("The review is recorded.")

        # 6. Closure, requested and approved.
        page.get_by_role("link", name="Request closure").click()
        page.wait_for_load_state()
        check_page()
        page.get_by_label("Why", exact=True).fill("Safe for three months; family agrees")
        page.get_by_role("button", name="Send for approval").click()
        page.wait_for_load_state()
        expect(page.locator("#closure")).to_contain_text("Closure requested")

        visit("team.manager", "/")
        expect(page.locator("[data-worklist=team]")).to_contain_text("Ada Quill")
        check_page()
        page.goto(f"{live_server.url}{reverse('casework:case-closure-decision', args=[case.pk])}")
        check_page()
        page.get_by_label("Approve").check()
        page.get_by_role("button", name="Save the decision").click()
        page.wait_for_load_state()
        expect(page.locator("main")).to_contain_text("The closure is approved.")
        check_page()
        case.refresh_from_db()
        assert case.state == CaseState.CLOSED

        # 7. The school sees what happened to its concern.
        visit("school.dsl", "/")
        raised = page.locator("[data-worklist=raised]")
        expect(raised).to_contain_text("Screened")
        expect(raised).to_contain_text("Strategy discussion")
        expect(raised).to_contain_text("Kemal Example")
        check_page()
