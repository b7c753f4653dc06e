"""The review journey in a real browser, by keyboard: the queue, a pair, a decision, on to the
next pair; then the merge it made undone. axe-core finds no violations on any page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from efh.people.models import LinkRun, Merge, PersonRecord, ReviewPair

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pair(make_person: Any, given: str, weight: float) -> ReviewPair:
    now = datetime.now(tz=UTC)
    a = make_person(given_name=given, family_name="Fairweather")
    b = make_person(source="health", given_name=given, family_name="Fairweather", sex="F")
    return ReviewPair.objects.create(
        record_a=a.records.get(),
        record_b=b.records.get(),
        match_weight=weight,
        match_probability=2**weight / (1 + 2**weight),
        comparison=[
            {
                "field": "dob",
                "label": "Date of birth",
                "level": "exact",
                "weight": 6.0,
                "words": "The same date of birth",
            },
            {
                "field": "sex",
                "label": "Sex",
                "level": "null",
                "weight": 0.0,
                "words": "Missing on one side",
            },
        ],
        created_at=now,
    )


def test_review_journey_by_keyboard(
    page: Any, live_server: Any, demo: Any, make_person: Any, sign_in: Any, assert_accessible: Any
) -> None:
    first = _pair(make_person, "Philippa", 3.5)
    first.held_back = "too_little"  # high enough to link, but held back for a person
    first.save()
    second = _pair(make_person, "Rosamund", 1.0)
    now = datetime.now(tz=UTC)
    LinkRun.objects.create(
        kind="full",
        started_by="efh link",
        started_at=now,
        heartbeat_at=now,
        stage="Comparing pairs",
        done=20,
        total=80,
    )
    sign_in(page, live_server, demo["data.quality"])

    page.get_by_role("link", name="Record links").focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review record links")
    expect(page.get_by_role("link", name="To review (2)")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Review Philippa Fairweather and Philippa Fairweather").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/people/links/review/{first.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Are these the same person?")
    expect(page.get_by_text("Strong evidence that they are the same person")).to_be_visible()
    expect(page.get_by_text("but one of the records has too little to compare")).to_be_visible()
    assert_accessible(page)

    # Submitting without a choice: a GOV.UK error, then choose by keyboard.
    page.get_by_role("button", name="Save and go to the next pair").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    page.get_by_role("link", name="Choose whether these records are about the same person").click()
    page.keyboard.press("Space")  # the first radio: same person
    expect(page.get_by_label("Same person")).to_be_checked()
    page.get_by_label("Note (optional)").fill("Same date of birth and name")
    page.get_by_role("button", name="Save and go to the next pair").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/people/links/review/{second.pk}/\?decided="))
    expect(page.get_by_text("Decision saved: same person")).to_be_visible()
    assert_accessible(page)
    merge = Merge.objects.get()
    assert PersonRecord.objects.get(pk=first.record_b_id).person_id == merge.survivor_id

    # Undo the merge.
    page.get_by_role("link", name="Merges").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile(r"^Unmerge")).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text("Undo this merge")
    assert_accessible(page)
    page.get_by_label("Why are these different people?").fill("Different children: twins")
    page.get_by_role("button", name="Undo the merge").click()
    page.wait_for_load_state()
    expect(page.get_by_text(f"Merge {merge.pk} is undone")).to_be_visible()
    assert PersonRecord.objects.get(pk=first.record_b_id).person_id == merge.absorbed_id

    # Link runs: a running run with its progress, refreshing itself.
    page.get_by_role("link", name="Link runs").click()
    page.wait_for_load_state()
    expect(page.get_by_text("20 of 80 done (25%)")).to_be_visible()
    assert_accessible(page)
    LinkRun.objects.update(done=60, heartbeat_at=datetime.now(tz=UTC) + timedelta(seconds=1))
    expect(page.get_by_text("60 of 80 done (75%)")).to_be_visible(timeout=6000)
