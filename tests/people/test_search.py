"""Search people: matching, the need-to-know policy, the access-log entry, and bad input.

Runs on SQLite and PostgreSQL; typo tolerance beyond swapped letters needs PostgreSQL's
trigrams, and those tests say so."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from efh.core.models import AccessAction, AccessLogEntry
from efh.people.models import Address, Alias, Involvement, SharingDecision
from efh.people.selectors.search import Group, SearchTerms, born_between, people_search

pytestmark = pytest.mark.django_db

URL = "/people/search/"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def today() -> date:
    return timezone.localdate()


def find(user: Any, **terms: Any) -> dict[Group, list[Any]]:
    return people_search(user, SearchTerms(**terms), today=today()).lists


def ids(user: Any, **terms: Any) -> list[int]:
    return [f.person_id for found in find(user, **terms).values() for f in found]


@pytest.fixture
def screener(demo: Any) -> Any:
    return demo["screener"]


@pytest.fixture
def people(make_person: Any) -> dict[str, Any]:
    """A small borough: names chosen to be near one another."""
    made = {
        "smith": make_person(
            source="police",
            given_name="Jon",
            family_name="Smith",
            date_of_birth=date(2011, 3, 27),
            nhs_number="9434765919",
        ),
        "smythe": make_person(
            source="health",
            given_name="Jane",
            family_name="Smythe",
            date_of_birth=date(2012, 6, 1),
        ),
        "catherine": make_person(
            source="education",
            given_name="Catherine",
            family_name="Okafor",
            date_of_birth=date(2010, 1, 15),
            upn="A123456789012",
        ),
        "mohammed": make_person(
            source="social_care",
            given_name="Mohammed",
            family_name="Rahman",
            date_of_birth=date(2009, 11, 2),
            pnc_id="21/1227714Q",
        ),
        "adult": make_person(
            source="police",
            given_name="John",
            family_name="Smith",
            date_of_birth=date(1990, 5, 5),
            is_child=False,
        ),
    }
    rec = made["mohammed"].records.get()
    Alias.objects.create(record=rec, name="Lil M")
    Address.objects.create(
        record=made["catherine"].records.get(),
        address="1 Example Road",
        postcode="E8 1AB",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    Address.objects.create(
        record=made["smythe"].records.get(),
        address="2 Sample Street",
        postcode="e81 2cd",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return made


# --- matching ----------------------------------------------------------------------------


def test_exact_name_finds_the_child_first(screener: Any, people: Any) -> None:
    children = find(screener, name="Jon Smith")[Group.CHILDREN]
    assert children[0].person_id == people["smith"].pk
    assert children[0].name == "Jon Smith"


def test_swapped_letters_are_forgiven_on_every_database(screener: Any, people: Any) -> None:
    assert people["smith"].pk in ids(screener, name="Jon Smtih")
    assert people["catherine"].pk in ids(screener, name="Cahterine")


def test_a_missing_or_wrong_letter(screener: Any, people: Any) -> None:
    # Sound-alike keys catch most slips on every database...
    assert people["catherine"].pk in ids(screener, name="Catherin Okafor")
    assert people["catherine"].pk in ids(screener, name="Catharine Okafer")
    # ...a slip that changes how a name sounds needs PostgreSQL's trigrams; SQLite, the demo
    # database, finds nothing rather than something wrong.
    found = ids(screener, name="Catherine Okafot")
    if connection.vendor == "postgresql":
        assert found[:1] == [people["catherine"].pk]
    else:
        assert found == []


def test_sound_alike_names(screener: Any, people: Any) -> None:
    assert people["mohammed"].pk in ids(screener, name="Muhammad Rahman")
    assert people["catherine"].pk in ids(screener, name="Kathryn")
    found = ids(screener, name="Smyth")
    assert people["smith"].pk in found and people["smythe"].pk in found


def test_alias_or_street_name(screener: Any, people: Any) -> None:
    children = find(screener, name="lil m")[Group.CHILDREN]
    assert [f.person_id for f in children] == [people["mohammed"].pk]
    assert children[0].also_known_as == ["Lil M"]
    assert children[0].name == "Mohammed Rahman"


def test_prefix_and_initial(screener: Any, people: Any) -> None:
    assert people["catherine"].pk in ids(screener, name="Cath Oka")
    assert ids(screener, name="J Smith")[:1] == [people["smith"].pk]


def test_every_word_must_match(screener: Any, people: Any) -> None:
    assert people["catherine"].pk not in ids(screener, name="Catherine Smith")


def test_date_of_birth(screener: Any, people: Any) -> None:
    assert ids(screener, date_of_birth=date(2011, 3, 27)) == [people["smith"].pk]
    assert ids(screener, name="Smith", date_of_birth=date(2011, 3, 28)) == []


def test_age_range(screener: Any, people: Any) -> None:
    day = date(2026, 6, 1)
    after, before = born_between(day, 14, 15)  # born 2 June 2010 to 1 June 2012
    found = [
        f.person_id
        for found in people_search(
            screener, SearchTerms(born_after=after, born_on_or_before=before), today=day
        ).lists.values()
        for f in found
    ]
    assert sorted(found) == sorted([people["smith"].pk, people["smythe"].pk])
    assert born_between(date(2024, 2, 29), 10, None) == (None, date(2014, 2, 28))


def test_identifiers_tolerate_spaces(screener: Any, people: Any) -> None:
    assert ids(screener, identifier="943 476 5919") == [people["smith"].pk]
    assert ids(screener, identifier="a1234 5678 9012") == [people["catherine"].pk]
    assert ids(screener, identifier="21 1227714q") == [people["mohammed"].pk]
    assert ids(screener, identifier="211227714Q") == [people["mohammed"].pk]
    assert ids(screener, identifier="9434765927") == []


def test_postcode_full_or_district(screener: Any, people: Any) -> None:
    assert ids(screener, postcode="e81ab") == [people["catherine"].pk]
    assert ids(screener, postcode="E8") == [people["catherine"].pk]  # not E81 2CD
    assert ids(screener, postcode="E81") == [people["smythe"].pk]


def test_combinations(screener: Any, people: Any) -> None:
    assert ids(screener, name="Okafor", postcode="E8") == [people["catherine"].pk]
    assert ids(screener, name="Smith", postcode="E8") == []
    assert ids(screener, name="Rahman", identifier="21/1227714Q") == [people["mohammed"].pk]


def test_children_and_adults_are_never_in_one_list(screener: Any, people: Any) -> None:
    lists = find(screener, name="John Smith")
    assert [f.person_id for f in lists[Group.ADULTS]] == [people["adult"].pk]
    assert people["adult"].pk not in [f.person_id for f in lists[Group.CHILDREN]]
    assert people["smith"].pk in [f.person_id for f in lists[Group.CHILDREN]]


def test_a_person_with_several_records_is_one_result(
    screener: Any, people: Any, make_person: Any
) -> None:
    make_person(
        source="education",
        person=people["smith"],
        given_name="Jonathan",
        family_name="Smith",
        date_of_birth=date(2011, 3, 27),
    )
    children = find(screener, name="Jonathan Smith")[Group.CHILDREN]
    assert [f.person_id for f in children].count(people["smith"].pk) == 1
    assert children[0].person_id == people["smith"].pk
    assert children[0].name == "Jonathan Smith"  # the best-matching record's name
    assert children[0].agencies == ["Hackney Education", "Metropolitan Police (Central East)"]


def test_results_are_capped_and_say_so(screener: Any, make_person: Any) -> None:
    for n in range(5):
        make_person(source="police", given_name="Ava", family_name=f"Cap{n}")
    results = people_search(screener, SearchTerms(name="Ava"), today=today(), limit=3)
    assert len(results.lists[Group.CHILDREN]) == 3
    assert results.more[Group.CHILDREN] is True
    assert results.more[Group.ADULTS] is False


def test_edits_on_the_platform_are_searchable_at_once(screener: Any, people: Any) -> None:
    record = people["smythe"].records.get()
    record.family_name = "Adebayo"
    record.save()
    assert ids(screener, name="Adebayo") == [people["smythe"].pk]
    assert people["smythe"].pk not in ids(screener, name="Smythe")


# --- the policy --------------------------------------------------------------------------


def test_another_agencys_child_shows_only_known_to(demo: Any, people: Any) -> None:
    teacher = demo["school.dsl"]
    children = find(teacher, name="Jon Smith")[Group.CHILDREN]
    found = next(f for f in children if f.person_id == people["smith"].pk)
    assert found.can_open is False
    assert found.known_to == 1
    assert found.name == "" and found.date_of_birth is None and found.agencies == []


def test_own_agency_shared_and_involved_children_show_names(demo: Any, people: Any) -> None:
    teacher = demo["school.dsl"]
    assert (
        next(f for f in find(teacher, name="Catherine")[Group.CHILDREN]).name == "Catherine Okafor"
    )
    SharingDecision.objects.create(
        person=people["smith"],
        shared_by=demo["police.officer"],
        to_agency=teacher.agency,
        scope="record",
        purpose="Safety planning",
        lawful_basis="6_1_e",
        condition="dpa_s1_p18",
        decided_at=datetime.now(tz=UTC) - timedelta(days=1),
    )
    Involvement.objects.create(
        person=people["mohammed"],
        user=teacher,
        kind="involved",
        started_at=datetime.now(tz=UTC) - timedelta(days=1),
    )
    smith = next(f for f in find(teacher, name="Jon Smith")[Group.CHILDREN])
    assert smith.person_id == people["smith"].pk and smith.can_open
    assert find(teacher, name="Rahman")[Group.CHILDREN][0].can_open


def test_partnership_wide_roles_see_every_name(demo: Any, people: Any) -> None:
    for username in ("screener", "panel.chair"):
        found = find(demo[username], name="Smith")
        assert all(f.can_open for group in found.values() for f in group)


def test_analyst_and_others_without_casework_are_refused(client: Any, demo: Any) -> None:
    for username in ("analyst", "manager", "auditor", "admin"):
        client.force_login(demo[username])
        response = client.get(URL)
        assert response.status_code == 403, username
        assert b"You cannot search for people" in response.content
        response = client.post(URL, {"name": "Smith"})
        assert response.status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.SEARCH).exists()


def test_signed_out_is_sent_to_sign_in(client: Any) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("accounts:sign-in") in response["Location"]


# --- the page and the log ------------------------------------------------------------------


def test_page_shows_names_known_to_and_break_glass(client: Any, demo: Any, people: Any) -> None:
    client.force_login(demo["school.dsl"])
    response = client.post(URL, {"name": "Smith"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Jon Smith" not in html  # police's child: not the school's to see
    assert "Known to 1 agency: ask the front door." in html
    assert reverse("people:break-glass", args=[people["smith"].pk]) in html
    assert f'href="{reverse("people:record", args=[people["smith"].pk])}"' not in html
    assert 'id="results-adults"' in html and 'id="results-children"' in html

    client.force_login(demo["screener"])
    html = client.post(URL, {"name": "Smith"}).content.decode()
    assert reverse("people:record", args=[people["smith"].pk]) in html
    assert "Jon Smith" in html and "27 March 2011" in html


def test_one_log_entry_with_terms_results_and_restricted(
    client: Any, demo: Any, people: Any
) -> None:
    client.force_login(demo["police.officer"])
    before = AccessLogEntry.objects.count()
    client.post(URL, {"name": " smith ", "postcode": "", "age_from": "", "age_to": "50"})
    entries = list(AccessLogEntry.objects.order_by("seq")[before:])
    assert len(entries) == 1
    entry = entries[0]
    assert entry.action == AccessAction.SEARCH
    assert entry.object_type == "person_search"
    assert entry.username == "police.officer"
    assert entry.detail["terms"] == {"name": "smith", "age_to": "50"}
    assert sorted(entry.detail["results"]) == sorted([people["smith"].pk, people["adult"].pk])
    assert entry.detail["restricted"] == [people["smythe"].pk]


def test_a_blank_form_logs_nothing(client: Any, demo: Any) -> None:
    client.force_login(demo["police.officer"])
    assert client.get(URL).status_code == 200
    assert client.post(URL, {"name": "  "}).status_code == 200
    assert not AccessLogEntry.objects.filter(action=AccessAction.SEARCH).exists()


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "name", "Enter a name, date of birth, age range, NHS number, UPN, PNC ID or postcode"),
        ({"name": "!!!"}, "name", "Name must include letters or numbers"),
        ({"name": "x" * 101}, "name", "Name must be 100 characters or fewer"),
        ({"dob_day": "31", "dob_month": "2", "dob_year": "2012"}, "dob_day", "Date of birth must be a real date"),
        ({"dob_day": "3", "dob_year": "2012"}, "dob_month", "Date of birth must include a month"),
        ({"dob_day": "3", "dob_month": "Feb", "dob_year": "12"}, "dob_year", "Year must include 4 numbers"),
        ({"dob_day": "1", "dob_month": "1", "dob_year": "2999"}, "dob_day", "Date of birth must be today or in the past"),
        ({"age_from": "15", "age_to": "12"}, "age_to", "Age to must be the same as or more than age from"),
        ({"age_from": "ten"}, "age_from", "Age from must be a whole number, like 14"),
        ({"age_to": "130"}, "age_to", "Age to must be 120 or less"),
        ({"age_to": "15", "dob_day": "1", "dob_month": "1", "dob_year": "2012"}, "dob_day", "Enter a date of birth or an age range, not both"),
        ({"identifier": "943 476 5918"}, "identifier", "That is not a valid NHS number: check the 10 digits and try again"),
        ({"identifier": "hello"}, "identifier", "Enter an NHS number (10 digits), a UPN (a letter and 12 more letters or numbers) or a PNC ID, like 21/1234567A"),
        ({"postcode": "E8 1A"}, "postcode", "Enter a full postcode, like E8 1AB, or a postcode district, like E8"),
    ],
)  # fmt: skip
def test_bad_input_is_explained_and_kept(
    client: Any, demo: Any, data: dict[str, str], field: str, message: str
) -> None:
    client.force_login(demo["police.officer"])
    response = client.post(URL, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<title>Error: ") == 1
    assert f'<a href="#id_{field}">{message}</a>' in html
    assert "govuk-error-message" in html
    for value in data.values():
        assert f'value="{value}"' in html
    assert not AccessLogEntry.objects.filter(action=AccessAction.SEARCH).exists()


def test_month_names_are_accepted(client: Any, demo: Any, people: Any) -> None:
    client.force_login(demo["screener"])
    html = client.post(
        URL, {"dob_day": "27", "dob_month": "March", "dob_year": "2011"}
    ).content.decode()
    assert "Error:" not in html
    assert reverse("people:record", args=[people["smith"].pk]) in html


def test_typed_markup_is_inert(client: Any, demo: Any) -> None:
    client.force_login(demo["screener"])
    html = client.post(URL, {"name": '<script>alert("x")</script>'}).content.decode()
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_the_trigram_index_is_used_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'people_searchname' "
            "AND indexname = 'searchname_text_trgm'"
        )
        assert "gin_trgm_ops" in cursor.fetchone()[0]
