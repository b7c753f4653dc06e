"""Searching in a real browser: errors, results (named and "known to" only), children and
adults apart, the refusal page; axe-core finds no violations on any of them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from efh.people.models import Address, Alias

# Serialised rollback: the roles seeded by migrations survive each test's flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def search(page: Any) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()


def test_search_journey(
    page: Any,
    live_server: Any,
    demo: Any,
    make_person: Any,
    sign_in: Any,
    assert_accessible: Any,
) -> None:
    ours = make_person(
        source="police", given_name="Jayden", family_name="Okoro", date_of_birth=date(2011, 5, 4)
    )
    Alias.objects.create(record=ours.records.get(), name="Lil J")
    Address.objects.create(
        record=ours.records.get(), postcode="E8 1AB", valid_from=datetime(2025, 1, 1, tzinfo=UTC)
    )
    theirs = make_person(source="health", given_name="Jaden", family_name="Okoro")
    make_person(
        source="police",
        given_name="Jaydon",
        family_name="Okoro",
        date_of_birth=date(1985, 2, 2),
        is_child=False,
    )

    sign_in(page, live_server, demo["police.officer"])
    page.goto(f"{live_server.url}/people/search/")
    assert page.get_by_role("heading", name="Search people").is_visible()
    assert_accessible(page)

    # Nothing typed, then a date that does not exist: clear errors, what was typed kept.
    search(page)
    assert page.title().startswith("Error:")
    link = page.get_by_role("link", name="Enter a name, date of birth, age range")
    assert link.is_visible()
    assert_accessible(page)
    group = page.get_by_role("group", name="Date of birth")
    group.get_by_label("Day").fill("31")
    group.get_by_label("Month").fill("2")
    group.get_by_label("Year").fill("2011")
    page.get_by_label("Name").fill("Okoro")
    search(page)
    assert page.get_by_role("link", name="Date of birth must be a real date").is_visible()
    assert page.get_by_label("Name").input_value() == "Okoro"
    assert group.get_by_label("Day").input_value() == "31"
    assert_accessible(page)

    # A typo'd name: the police's own child by name, health's only as "known to".
    group.get_by_label("Day").fill("")
    group.get_by_label("Month").fill("")
    group.get_by_label("Year").fill("")
    page.get_by_label("Name").fill("Jaydne Okoro")
    search(page)
    assert not page.title().startswith("Error:")
    children = page.get_by_role("region", name="Children")
    assert children.get_by_role("link", name="Jayden Okoro").is_visible()
    assert children.get_by_text("Known to 1 agency: ask the front door.").is_visible()
    assert (
        children.get_by_role("link", name="Open with a reason").get_attribute("href")
        == f"/people/{theirs.pk}/break-glass/"
    )
    adults = page.get_by_role("region", name="Adults")
    assert adults.get_by_role("link", name="Jaydon Okoro").is_visible()
    assert children.get_by_text("Jaydon").count() == 0
    assert_accessible(page)

    # A street name and a postcode district.
    page.get_by_label("Name").fill("lil j")
    page.get_by_label("Postcode").fill("e8")
    search(page)
    children = page.get_by_role("region", name="Children")
    assert children.get_by_role("link", name="Jayden Okoro").is_visible()
    assert children.get_by_text("Lil J").is_visible()
    with page.expect_navigation():
        children.get_by_role("link", name="Jayden Okoro").click()
    assert page.url.endswith(f"/people/{ours.pk}/")


def test_roles_without_casework_see_a_clear_refusal(
    page: Any, live_server: Any, demo: Any, sign_in: Any, assert_accessible: Any
) -> None:
    sign_in(page, live_server, demo["analyst"])
    response = page.goto(f"{live_server.url}/people/search/")
    assert response.status == 403
    assert page.get_by_role("heading", name="You cannot search for people").is_visible()
    assert_accessible(page)
