"""Journeys in a real browser: record a missing episode, then its return home interview, and
keep a Philomena profile; axe-core finds no violations on any page, with or without errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("seeded"),
]


def fill_when(page: Any, legend: str, when: datetime) -> None:
    local = timezone.localtime(when)
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(local.day))
    group.get_by_label("Month").fill(str(local.month))
    group.get_by_label("Year").fill(str(local.year))
    group.get_by_label("Time").fill(f"{local:%H:%M}")


@pytest.mark.parametrize(("after_hours", "expected"), [(30, "Met"), (80, "Not met (80 hours)")])
def test_record_an_episode_then_its_interview(
    page: Any,
    live_server: Any,
    demo: Any,
    make_person: Any,
    assert_accessible: Any,
    after_hours: int,
    expected: str,
    sign_in: Any,
) -> None:
    child = make_person(source="police", given_name="Ada", family_name="Example")
    sign_in(page, live_server, demo["police.officer"])
    page.goto(f"{live_server.url}/missing/new/?person={child.pk}")
    expect(page.get_by_role("heading", name="Record a missing episode")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record the episode").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Select where they went missing from")).to_be_visible()
    expect(page.get_by_role("link", name="Enter when they went missing")).to_be_visible()
    assert_accessible(page)

    went = datetime.now(tz=UTC) - timedelta(days=6)
    page.get_by_label("Care").check()
    fill_when(page, "When did they go missing?", went)
    fill_when(page, "When were they reported missing?", went + timedelta(hours=1))
    page.get_by_label("Where were they found? (optional)").fill("Clapton Square")
    page.get_by_label("Circumstances").fill("Left the home after a row; seen getting in a car")
    page.get_by_role("button", name="Record the episode").click()

    expect(page.get_by_role("heading", name="Missing episode")).to_be_visible()
    expect(page.get_by_text("Still missing").first).to_be_visible()
    expect(page.get_by_role("link", name="Ada Example\u2019s record", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Record their return and interview").click()
    assert_accessible(page)
    returned = went + timedelta(hours=10)
    fill_when(page, "When did they return?", returned)
    fill_when(
        page,
        "When did the return home interview take place? (optional)",
        returned + timedelta(hours=after_hours),
    )
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="Enter who held the interview")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Who held the interview?").fill("Ife Example")
    page.get_by_label("What the child said (optional)").fill("I was with friends")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Missing episode")).to_be_visible()
    expect(
        page.locator(".govuk-tag", has_text=re.compile(f"^{re.escape(expected)}$"))
    ).to_be_visible()
    assert_accessible(page)


def test_philomena_profile_pages(
    page: Any,
    live_server: Any,
    demo: Any,
    make_person: Any,
    assert_accessible: Any,
    tmp_path: Path,
    sign_in: Any,
) -> None:
    child = make_person(source="police", given_name="Ada", family_name="Example")
    sign_in(page, live_server, demo["police.officer"])
    page.goto(f"{live_server.url}/people/{child.pk}/philomena/")
    expect(page.get_by_text("No profile has been recorded yet")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Fill in the profile").click()
    assert_accessible(page)
    not_a_photo = tmp_path / "photo.jpg"
    not_a_photo.write_bytes(b"%PDF-1.7 not really a photo")
    page.get_by_label("Description").fill("Slim, short dark hair, <b>scar</b> on left hand")
    page.get_by_label("Photo (optional)").set_input_files(str(not_a_photo))
    page.get_by_role("button", name="Save the profile").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(page.get_by_role("link", name="The photo must be a JPEG or PNG")).to_be_visible()
    assert page.get_by_label("Description").input_value().endswith("<b>scar</b> on left hand")
    assert_accessible(page)

    photo = tmp_path / "photo.png"
    photo.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8cfc0f01f0005050102a7d4"
            "2a5c0000000049454e44ae426082"
        )
    )
    page.get_by_label("Photo (optional)").set_input_files(str(photo))
    page.get_by_label("Transport").fill("Bus 38 to Angel")
    page.get_by_role("button", name="Save the profile").click()
    expect(page.get_by_role("heading", name="Philomena profile")).to_be_visible()
    expect(page.get_by_text("<b>scar</b>", exact=False)).to_be_visible()
    expect(page.get_by_role("img", name="Photo of Ada Example")).to_be_visible()
    photo_width = "img => img.complete && img.naturalWidth"
    assert page.locator("img.efh-philomena-photo").evaluate(photo_width) == 1
    expect(page.get_by_text("Last updated")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Printable profile").click()
    expect(page.get_by_text("Bus 38 to Angel")).to_be_visible()
    assert_accessible(page)
