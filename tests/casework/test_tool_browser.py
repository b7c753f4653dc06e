"""The administrator changes the screening tool in a real browser at 375 pixels wide (WCAG 2.2
reflow), keyboard only for the editor, with axe-core on every page: the versions, the editor
with every error shown, a saved version shown readably."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from efh.casework.models import ScreeningTool
from efh.casework.tool import default_definition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} pixels wide at 375"


def test_an_administrator_saves_a_new_version_of_the_tool_on_a_phone(
    page: Any, live_server: Any, demo: dict[str, Any], sign_in: Any, assert_accessible: Any
) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, demo["admin"])
    page.goto(f"{live_server.url}{reverse('casework:tool')}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Screening tool")
    expect(page.get_by_role("link", name="Version 1", exact=True)).to_be_visible()
    no_horizontal_overflow(page)
    assert_accessible(page)

    page.get_by_role("button", name="Edit the tool").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit the screening tool")
    no_horizontal_overflow(page)
    assert_accessible(page)

    # An invalid tool, typed with the keyboard: every error, in the summary and by the field.
    broken = default_definition()
    broken["sections"][0]["title"] = ""
    broken["rules"][0]["forbid"] = "lowest"
    box = page.get_by_label("The tool, as JSON")
    box.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    box.fill(json.dumps(broken, indent=2))
    page.keyboard.press("Tab")
    page.keyboard.type("Try")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary).to_contain_text("Section 1: 'title' must be non-empty text")
    expect(summary).to_contain_text("Rule 1: forbids level 'lowest', which the tool has not got")
    assert json.loads(page.get_by_label("The tool, as JSON").input_value()) == broken
    expect(page.get_by_label("What changed in this version")).to_have_value("Try")
    no_horizontal_overflow(page)
    assert_accessible(page)

    # The summary's link takes the keyboard to the JSON; put it right and save.
    summary.get_by_role("link").first.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("The tool, as JSON")).to_be_focused()
    fixed = default_definition()
    fixed["sections"][0]["questions"].append(
        {"code": "young_carer", "text": "Is the child a young carer?"}
    )
    page.get_by_label("The tool, as JSON").fill(json.dumps(fixed, indent=2))
    note = page.get_by_label("What changed in this version")
    note.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Young carers")
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_text("Saved version 2 of the screening tool")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(fixed["name"])
    expect(page.locator("[data-question='young_carer']")).to_have_text(
        "Is the child a young carer?"
    )
    expect(page.locator("[data-changes]")).to_contain_text("Questions added")
    expect(page.get_by_text("Not “Low” when the child is under 13")).to_be_visible()
    no_horizontal_overflow(page)
    assert_accessible(page)
    assert ScreeningTool.objects.get(version=2).note == "Young carers"

    page.get_by_role("link", name="Back to the screening tool\u2019s versions").click()
    expect(page.locator("[data-version]")).to_have_count(2)
    no_horizontal_overflow(page)
    assert_accessible(page)
