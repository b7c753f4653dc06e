"""The intelligence pages in a real browser, with axe-core on each: the overview, the three
candidate lists and pages (the network view draws its canvas), a review with its error and
success, one person's connections, the hotspot map without tiles (Leaflet's container, the
hotspot circles) and the trends; and the "Derived intelligence" section of a child's record."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_analyst_pages_are_accessible_and_draw_their_pictures(
    page: Any, live_server: Any, picture: dict[str, Any], sign_in: Any, assert_accessible: Any
) -> None:
    sign_in(page, live_server, picture["users"]["analyst"])
    page.get_by_role("link", name="Intelligence").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intelligence picture")
    assert_accessible(page)

    page.get_by_role("link", name="Peer groups").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Peer-group candidates")
    assert_accessible(page)
    page.get_by_role("link", name="PG-0001").click()
    expect(page.locator("#network-view canvas").first).to_be_attached()
    expect(page.locator("[data-network-wrapper]")).to_be_visible()
    assert_accessible(page)

    # A review without a reason: the GOV.UK error, then with one.
    page.get_by_label("Confirm: professionals should look at this together").check()
    page.get_by_role("button", name="Save the review").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_role("link", name="Enter the reason for your decision")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Reason").fill("Known to the panel; joint safety planning agreed")
    page.get_by_role("button", name="Save the review").click()
    expect(page.get_by_text("Review saved: confirmed by a professional")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}{reverse('insight:adults')}")
    expect(page.get_by_text("Ordered by children linked directly")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="AD-0001").click()
    expect(page.locator("#network-view canvas").first).to_be_attached()
    assert_accessible(page)

    page.goto(f"{live_server.url}{reverse('insight:co-missing')}")
    assert_accessible(page)
    page.get_by_role("link", name="CM-0001").click()
    expect(page.locator("#network-view canvas").first).to_be_attached()
    assert_accessible(page)

    person = reverse("insight:person", kwargs={"person_id": picture["ids"]["c1"]})
    page.goto(f"{live_server.url}{person}")
    expect(page.locator("#network-view canvas").first).to_be_attached()
    assert_accessible(page)

    page.goto(f"{live_server.url}{reverse('insight:hotspots')}")
    expect(page.locator("#hotspot-map.leaflet-container")).to_be_visible()
    expect(page.locator("#hotspot-map path.leaflet-interactive")).to_have_count(
        4
    )  # 2 x (cell, circle)
    assert page.locator("#hotspot-map img.leaflet-tile").count() == 0
    assert_accessible(page)
    page.get_by_label("Harm type").select_option("cse")
    page.get_by_role("button", name="Show hotspots").click()
    expect(page.get_by_text("1 of 2 hotspots shown")).to_be_visible()

    page.goto(f"{live_server.url}{reverse('insight:trends')}")
    expect(page.locator("figure.efh-chart svg")).to_have_count(2)
    assert_accessible(page)


def test_child_record_derived_section_is_accessible(
    page: Any, live_server: Any, picture: dict[str, Any], sign_in: Any, assert_accessible: Any
) -> None:
    sign_in(page, live_server, picture["users"]["police.officer"])
    record = reverse("people:record", kwargs={"person_id": picture["ids"]["c1"]})
    page.goto(f"{live_server.url}{record}")
    expect(page.get_by_role("heading", name="Derived intelligence")).to_be_visible()
    expect(page.get_by_role("link", name="Peregrine Vantongeren").first).to_be_visible()
    assert_accessible(page)
