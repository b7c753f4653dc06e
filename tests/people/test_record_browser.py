"""The record page in a real browser: a child's page, an adult's, the pseudonymised page and the
need-to-know page; axe-core finds no violations on any of them, the filters work without
JavaScript's help and hostile text stays inert."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from contexts.world import World, build_world
from efh.people.policy import pseudonym

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def world(demo: Any) -> World:
    return build_world()


def record_url(live_server: Any, person: Any) -> str:
    return live_server.url + reverse("people:record", args=[person.pk])


def test_child_and_adult_pages(
    page: Any, live_server: Any, demo: Any, world: World, assert_accessible: Any, sign_in
) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(page, live_server, demo["police.officer"])
    page.goto(record_url(live_server, world.ada))
    expect(page.get_by_role("heading", level=1)).to_have_text("Ada Lovelock-Smith")
    expect(page.get_by_text("Child\u2019s record", exact=True)).to_be_visible()
    expect(page.get_by_text("B.Q.", exact=True).first).to_be_visible()
    expect(page.get_by_role("link", name="B.Q.")).to_have_count(0)
    expect(page.get_by_role("link", name="Cal Rowntree")).to_be_visible()
    expect(page.get_by_text('<script>alert("x")</script>', exact=False)).to_be_visible()
    assert dialogs == []  # the script text did not run
    assert_accessible(page)

    # filter by harm type with the form (a plain GET)
    page.get_by_label("Harm type").select_option(label="Child criminal exploitation")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "harm_type=cce" in page.url
    expect(page.locator(".efh-chronology__entry")).to_have_count(1)

    # a date that is not real: a GOV.UK error, what was typed kept
    page.goto(record_url(live_server, world.ada))
    page.get_by_label("From").fill("31/02/2026")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("link", name="Enter a real date to filter from")).to_be_visible()
    expect(page.get_by_label("From")).to_have_value("31/02/2026")
    assert_accessible(page)

    # the adult linked as a suspected exploiter: same page, headed as an adult's
    page.get_by_role("link", name="Dev Stone").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("Adult\u2019s record", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Chronology")).to_be_visible()
    assert_accessible(page)


def test_pseudonymised_page(
    page: Any, live_server: Any, demo: Any, world: World, assert_accessible: Any, sign_in
) -> None:
    sign_in(page, live_server, demo["analyst"])
    page.goto(record_url(live_server, world.ada))
    expect(page.get_by_role("heading", level=1)).to_have_text(pseudonym(world.ada.pk))
    content = page.content()
    assert "Ada" not in content and "Lovelock" not in content
    assert_accessible(page)


def test_need_to_know_page(
    page: Any, live_server: Any, demo: Any, world: World, assert_accessible: Any, sign_in
) -> None:
    sign_in(page, live_server, demo["youth.worker"])
    response = page.goto(record_url(live_server, world.ada))
    assert response is not None and response.status == 403
    expect(page.get_by_text("Known to 2 agencies: ask the front door")).to_be_visible()
    expect(page.get_by_role("link", name="Break the glass")).to_have_attribute(
        "href", reverse("people:break-glass", args=[world.ada.pk])
    )
    assert "Lovelock" not in page.content()
    assert_accessible(page)


OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !e.closest('.efh-table-wrapper');
  }).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


@pytest.mark.parametrize("username", ["police.officer", "analyst"])
def test_the_record_fits_a_phone(
    page: Any,
    live_server: Any,
    demo: Any,
    world: World,
    assert_accessible: Any,
    sign_in: Any,
    username: str,
) -> None:
    """WCAG 2.2 reflow (1.4.10): at 375 CSS pixels nothing scrolls sideways but wide tables,
    which scroll inside their own labelled region."""
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, demo[username])
    page.goto(record_url(live_server, world.ada))
    measured = page.evaluate(OVERFLOW)
    assert measured["scroll"] <= 375, measured
    assert measured["wide"] == [], measured
    assert_accessible(page)
