"""Recording a concern in a real browser: accessibility, the keyboard alone, and autosave
surviving a reload and a session that ends while typing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from efh.concerns.models import ConcernDraft, Event, EventPerson

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]

NEW = reverse("concerns:concern-new")


@pytest.fixture
def worker(seeded, demo):
    return demo["social.worker"]


@pytest.fixture
def child(make_person):
    return make_person(source="social_care", given_name="Ada", family_name="Lovelace")


def tab_to(page: Any, element_id: str, limit: int = 120) -> None:
    """Press Tab until the element has focus (as a keyboard user would)."""
    for _ in range(limit):
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached #{element_id}")


def test_empty_form_errors_and_confirmation_are_accessible(
    page, live_server, worker, child, assert_accessible, sign_in
):
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{NEW}")
    page.get_by_role("heading", name="Record a concern").wait_for()
    assert_accessible(page)

    # Errors: a bad postcode, a latitude out of range, and no person.
    page.get_by_label("Postcode").fill("NOT A CODE")
    page.get_by_label("Latitude").fill("123")
    page.get_by_label("Longitude").fill("0")
    page.locator("#summary").fill('<script>alert(1)</script> =HYPERLINK("x")')
    page.locator("#concern-record").click()
    page.wait_for_load_state()
    assert page.title().startswith("Error: ")
    summary = page.locator(".govuk-error-summary")
    assert "Enter a real postcode" in summary.inner_text()
    assert "Latitude must be between -90 and 90" in summary.inner_text()
    assert "Add at least one person involved" in summary.inner_text()
    # What was typed is kept, as text.
    assert page.locator("#summary").input_value() == '<script>alert(1)</script> =HYPERLINK("x")'
    assert page.get_by_label("Postcode").input_value() == "NOT A CODE"
    assert_accessible(page)

    # Start from the child's record, fix the errors, record.
    page.goto(f"{live_server.url}{NEW}?person={child.pk}")
    page.locator("#summary").fill("Seen with older males near the station")
    page.locator("#concern-record").click()
    page.get_by_role("heading", name="Concern recorded").wait_for()
    link = page.get_by_role("link", name="Ada Lovelace")
    assert link.get_attribute("href") == reverse("people:record", args=[child.pk])
    assert "999" in page.locator("main").inner_text()
    assert_accessible(page)


def test_completed_with_the_keyboard_alone(page, live_server, worker, child, sign_in):
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{NEW}")
    page.get_by_role("heading", name="Record a concern").wait_for()
    page.keyboard.press("Tab")  # into the page, from the top

    tab_to(page, "harm_types-0")
    page.keyboard.press("Space")
    tab_to(page, "summary")
    page.keyboard.type("Got into a car with two older males")

    page.locator("#concern-draft-status").get_by_text("Draft saved at").wait_for()
    tab_to(page, "person_query")
    page.keyboard.type("Lovelace")
    page.keyboard.press("Enter")  # searches (htmx), focus moves to the results
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'person-results'"
    )
    page.keyboard.press("Tab")  # to "Add Ada Lovelace"
    assert "Add Ada Lovelace" in page.evaluate("document.activeElement.textContent")
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'people-0-role'"
    )
    assert page.locator("#people-0-role").input_value() == "subject"

    # A second person, new, as a suspect.
    tab_to(page, "new_given")
    page.keyboard.type("Zed")
    page.keyboard.press("Tab")
    page.keyboard.type("Adult")
    tab_to(page, "new_age_group")  # the first answer: a child
    page.keyboard.press("ArrowDown")  # an adult
    assert page.locator("#new_age_group-adult").is_checked()
    page.keyboard.press("Enter")  # adds the new person
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'people-1-role'"
    )
    page.keyboard.press("s")  # "Subject", then "Suspect"
    page.keyboard.press("s")
    assert page.locator("#people-1-role").input_value() == "suspect"

    tab_to(page, "child_words")
    page.keyboard.type("He said I owe him")
    tab_to(page, "concern-record")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Concern recorded").wait_for()

    event = Event.objects.get()
    assert event.summary == "Got into a car with two older males"
    assert event.child_words == "He said I owe him"
    assert event.harm_types.count() == 1
    roles = {(ep.record.given_name, ep.role) for ep in EventPerson.objects.filter(event=event)}
    assert roles == {("Ada", "subject"), ("Zed", "suspect")}
    assert EventPerson.objects.get(role="suspect").record.is_child is False


def test_autosave_survives_a_reload_and_a_session_ending(page, live_server, worker, child, sign_in):
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{NEW}?person={child.pk}")
    page.locator("#summary").fill("First words, typed slowly")
    page.get_by_label("Postcode").fill("E8 1EA")
    page.locator("#harm_types-2").check()
    status = page.locator("#concern-draft-status")
    status.get_by_text("Draft saved at").wait_for()
    draft = ConcernDraft.objects.get()
    assert f"draft={draft.pk}" in page.url

    page.reload()
    assert page.locator("#summary").input_value() == "First words, typed slowly"
    assert page.get_by_label("Postcode").input_value() == "E8 1EA"
    assert page.locator("#harm_types-2").is_checked()
    assert page.locator("#people-0-role").input_value() == "subject"
    assert "Ada Lovelace" in page.locator("#concern-people").inner_text()

    # The session ends while the practitioner types: the page says so and keeps the text.
    page.context.clear_cookies()
    page.locator("#child_words").fill("Words typed after the session ended")
    status.get_by_text("your session has ended").wait_for()
    kept = page.evaluate(f"localStorage.getItem('efh.concern.pending.{worker.pk}')")
    assert "Words typed after the session ended" in kept

    # Signing in again and coming back saves and shows them.
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{NEW}?draft={draft.pk}")
    page.wait_for_function(
        f"() => localStorage.getItem('efh.concern.pending.{worker.pk}') === null"
    )
    assert page.locator("#child_words").input_value() == "Words typed after the session ended"
    assert page.locator("#summary").input_value() == "First words, typed slowly"
    draft.refresh_from_db()
    assert draft.data["child_words"] == ["Words typed after the session ended"]
    assert draft.data["summary"] == ["First words, typed slowly"]


def test_map_click_sets_the_point_when_tiles_are_configured(
    page, live_server, worker, settings, sign_in
):
    # Tiles from this server (missing ones are fine): nothing is fetched from the internet.
    settings.EFH_MAP_TILE_URL = f"{live_server.url}/static/no-tiles/{{z}}/{{x}}/{{y}}.png"
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{NEW}")
    page.locator("#concern-map.leaflet-container").wait_for()
    page.locator("#concern-map").click(position={"x": 100, "y": 100})
    latitude = float(page.get_by_label("Latitude").input_value())
    longitude = float(page.get_by_label("Longitude").input_value())
    assert 51 < latitude < 52 and -1 < longitude < 1


def no_horizontal_overflow(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} pixels wide at 375"


def test_on_a_phone_an_adult_suspect_gets_an_adults_record(
    page, live_server, worker, child, assert_accessible, sign_in
):
    """At 375 pixels wide (WCAG 2.2 reflow) the form fits the screen at every step, and a
    suspect added as an adult ("older male in a black Audi") gets an adult's record."""
    from efh.contexts.models import Location

    for source in ("police", "education", "social_care"):
        Location.objects.create(
            source=source,
            source_id=f"LOC-{source}",
            row_hash="0" * 32,
            raw="{}",
            name="Upland Estate",
            postcode="E5 8AA",
            kind="estate",
        )
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, live_server, worker)
    page.goto(f"{live_server.url}{NEW}?person={child.pk}")
    page.get_by_role("heading", name="Record a concern").wait_for()
    no_horizontal_overflow(page)
    assert_accessible(page)

    page.get_by_label("Search for a known place").fill("upland")
    page.get_by_role("button", name="Find place").click()
    page.get_by_text("1 place found: choose one").wait_for()
    page.get_by_label("Upland Estate").check()
    no_horizontal_overflow(page)

    page.get_by_label("Given name").fill("Unknown")
    page.get_by_label("Family name").fill("Older male in a black Audi")
    page.get_by_role("button", name="Add new person").click()
    page.get_by_text(
        "Select whether the new person is a child, an adult or not known"
    ).first.wait_for()
    no_horizontal_overflow(page)
    assert_accessible(page)
    page.get_by_label("An adult (18 or over)").check()
    page.get_by_role("button", name="Add new person").click()
    page.get_by_label("Role of Unknown Older male in a black Audi").select_option("suspect")
    no_horizontal_overflow(page)
    assert_accessible(page)
    page.locator("#summary").fill("Seen getting into a black Audi with an older male")
    page.locator("#concern-record").click()
    page.wait_for_load_state()
    page.get_by_role("heading", name="Concern recorded").wait_for()
    no_horizontal_overflow(page)
    suspect = EventPerson.objects.get(role="suspect").record
    assert suspect.is_child is False
    event = Event.objects.get()
    assert event.location is not None and event.location.name == "Upland Estate"
