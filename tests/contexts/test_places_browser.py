"""A place's page in a real browser, in full and pseudonymised; axe-core finds no violations."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from .world import World, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_place_pages(
    page: Any, live_server: Any, demo: Any, assert_accessible: Any, sign_in
) -> None:
    world: World = build_world()
    sign_in(page, live_server, demo["police.officer"])
    page.goto(live_server.url + reverse("people:record", args=[world.ada.pk]))
    # from the child's record to the place, by its link
    page.get_by_role("link", name="Mare Street Park").first.click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mare Street Park")
    expect(page.get_by_role("link", name="Dev Stone").first).to_be_visible()
    assert_accessible(page)
    page.goto(live_server.url + reverse("places:organisation", args=[world.school.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Example Academy")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, demo["analyst"])
    page.goto(live_server.url + reverse("places:location", args=[world.park.pk]))
    expect(page.get_by_text("pseudonymised view")).to_be_visible()
    assert "Lovelock" not in page.content()
    assert_accessible(page)
