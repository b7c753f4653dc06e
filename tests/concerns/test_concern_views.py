"""The concern form without a browser: validation, drafts, search-or-add, access refused."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from efh.concerns.models import ConcernDraft, Event, EventPerson, HarmType
from efh.core.models import AccessLogEntry, Source

NEW = reverse("concerns:concern-new")
AUTOSAVE = reverse("concerns:concern-autosave")
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def worker(demo, client):
    user = demo["social.worker"]
    client.force_login(user)
    return user


@pytest.fixture
def child(make_person):
    return make_person(source="social_care", given_name="Ada", family_name="Lovelace")


def when(at: Any = None) -> dict[str, str]:
    at = timezone.localtime(at or timezone.now() - timedelta(minutes=30))
    return {
        "when_day": str(at.day),
        "when_month": str(at.month),
        "when_year": str(at.year),
        "when_time": f"{at:%H:%M}",
    }


def complete(child_id: int, **extra: str) -> dict[str, Any]:
    return {
        **when(),
        "summary": "Seen getting into a car with older males",
        "people-0-person": str(child_id),
        "people-0-role": "subject",
        **extra,
    }


def test_empty_form_defaults_to_now(worker, client):
    response = client.get(NEW)
    assert response.status_code == 200
    now = timezone.localtime()
    html = response.content.decode()
    assert f'name="when_year" type="text" inputmode="numeric" value="{now.year}"' in html
    for harm in HarmType.objects.filter(active=True):
        assert harm.name in html


def test_records_and_redirects_to_the_confirmation(worker, client, child):
    harm = HarmType.objects.get(code="cce")
    response = client.post(NEW, {**complete(child.pk), "harm_types": [str(harm.pk)]})
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("concerns:concern-recorded", args=[event.pk])
    assert list(event.harm_types.all()) == [harm]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Concern recorded" in html and "999" in html
    assert reverse("people:record", args=[child.pk]) in html
    assert "Ada Lovelace" in html


def test_confirmation_is_the_recorders_only(worker, client, child, demo):
    client.post(NEW, complete(child.pk))
    event = Event.objects.get()
    client.force_login(demo["screener"])
    assert client.get(reverse("concerns:concern-recorded", args=[event.pk])).status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"summary": "   "}, "summary", "Enter what happened"),
        ({"postcode": "NOT A CODE"}, "postcode", "Enter a real postcode, like E8 1EA"),
        ({"latitude": "95", "longitude": "0"}, "latitude", "Latitude must be between -90 and 90"),
        ({"latitude": "51.5"}, "longitude", "Enter a longitude as well as a latitude"),
        ({"longitude": "east"}, "longitude", "Longitude must be a number"),
        ({"when_day": "31", "when_month": "2"}, "when_day", "must be a real date"),
        ({"when_time": "25:00"}, "when_time", "Enter a real time in the 24-hour clock"),
        ({"people-0-role": ""}, "people-0-role", "Select the role of Ada Lovelace"),
        # Issue 11: no length limits, postcodes checked for length only, any point accepted.
        ({"summary": "x" * 100_000}, "summary", "What happened must be 10,000 characters or fewer"),
        (
            {"child_words": FORMULA + "y" * 5_001},
            "child_words",
            "The child's own words must be 5,000 characters or fewer",
        ),
        ({"postcode": "ZZ9 9ZZ"}, "postcode", "Enter a real postcode, like E8 1EA"),
        ({"postcode": "QA1 1AA"}, "postcode", "Enter a real postcode, like E8 1EA"),
        ({"postcode": "E8 1CI"}, "postcode", "Enter a real postcode, like E8 1EA"),
        ({"postcode": "M1 1AE"}, "postcode", "Enter a postcode in the partnership's area"),
        ({"latitude": "0", "longitude": "0"}, "latitude", "in or near the partnership's area"),
        ({"latitude": "53.48", "longitude": "-2.24"}, "latitude", "in or near the partnership"),
        ({"when_year": "1989"}, "when_day", "must be in 1990 or later"),
        ({"when_day": "123"}, "when_day", "The date it happened must be a real date"),
        ({"postcode": "E8 1EA E8 1EA"}, "postcode", "Enter a real postcode, like E8 1EA"),
    ],
)
def test_validation_errors_keep_what_was_typed(worker, client, child, change, field, message):
    data = {**complete(child.pk, child_words=FORMULA), **change}
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Record a concern" in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert message in unescape(html)
    assert f'id="{field}_error"' in html  # and the field says it too
    assert "Ada Lovelace" in html  # the person added is still there
    assert "=HYPERLINK(&quot;http://example.invalid&quot;,&quot;click&quot;)" in html
    assert not Event.objects.exists()


@pytest.mark.parametrize("postcode", ["E8 1EA", "e81ea", "EC1A 1BB", "N16 7AB", "E5 8HX"])
def test_postcodes_in_the_partnerships_area_are_accepted(worker, client, child, postcode):
    client.post(NEW, complete(child.pk, postcode=postcode, latitude="51.55", longitude="-0.06"))
    event = Event.objects.get()
    assert event.postcode == postcode.upper().replace("E81EA", "E8 1EA")
    assert (event.latitude, event.longitude) == (51.55, -0.06)


def test_the_partnerships_area_is_configurable(worker, client, child, settings):
    settings.EFH_POSTCODE_AREAS = "M"
    settings.EFH_AREA_BOUNDS = "53.3,-2.5,53.6,-2.0"
    client.post(NEW, complete(child.pk, postcode="M1 1AE", latitude="53.48", longitude="-2.24"))
    assert Event.objects.get().postcode == "M1 1AE"


def test_an_over_long_summary_is_kept_to_be_shortened(worker, client, child):
    """Never silently cut: the text comes back (up to the draft's guard) with the message."""
    summary = "z" * 12_000
    html = client.post(NEW, complete(child.pk, summary=summary)).content.decode()
    assert summary in html
    assert not Event.objects.exists()


def test_future_date_refused(worker, client, child):
    tomorrow = timezone.now() + timedelta(days=1)
    response = client.post(NEW, {**complete(child.pk), **when(tomorrow)})
    assert "The date and time it happened must be in the past" in response.content.decode()
    assert not Event.objects.exists()


def test_no_person_refused(worker, client):
    response = client.post(NEW, {**when(), "summary": "Something happened"})
    html = response.content.decode()
    assert 'href="#person_query"' in html and "Add at least one person involved" in html
    assert "Something happened" in html
    assert not Event.objects.exists()


def test_script_and_formula_stored_as_typed_and_rendered_inert(worker, client, child):
    summary = f"He said {SCRIPT} & left"
    client.post(NEW, complete(child.pk, summary=summary, child_words=FORMULA, postcode="e81ea"))
    event = Event.objects.get()
    assert event.summary == summary and event.child_words == FORMULA
    assert event.postcode == "E8 1EA"
    # Re-shown (a draft of the same text): escaped, never markup.
    draft = client.post(AUTOSAVE, {"summary": summary, "child_words": FORMULA}).json()
    html = client.get(f"{NEW}?draft={draft['draft']}").content.decode()
    assert SCRIPT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_is_scoped_and_logged_then_add(worker, client, child, make_person):
    hidden = make_person(source="police", given_name="Ada", family_name="Hidden")
    response = client.post(NEW, {**when(), "action": "search", "person_query": "ada"})
    html = response.content.decode()
    assert "Ada Lovelace" in html and "Hidden" not in html
    entry = AccessLogEntry.objects.filter(action="search").latest("seq")
    assert entry.object_type == "person_search"
    assert entry.detail["terms"] == {"name": "ada"} and entry.detail["results"] == [child.pk]
    # Adding: the first person is the subject by default.
    response = client.post(NEW, {**when(), "add_person": str(child.pk), "summary": "kept"})
    html = response.content.decode()
    assert f'name="people-0-person" value="{child.pk}"' in html
    assert '<option value="subject" selected>' in html
    assert "kept" in html
    # Someone the user may not open cannot be added by posting their id.
    response = client.post(NEW, {**when(), "add_person": str(hidden.pk)})
    assert 'name="people-0-person"' not in response.content.decode()


def test_search_for_a_person_tolerates_a_typo(worker, client, child):
    response = client.post(NEW, {**when(), "action": "search", "person_query": "Lovelase"})
    assert "Ada Lovelace" in response.content.decode()


def test_add_new_person_then_record(worker, client):
    response = client.post(
        NEW,
        {
            **when(),
            "action": "add_new",
            "new_given": "Zed",
            "new_family": "Newcomer",
            "new_dob_day": "1",
            "new_dob_month": "2",
            "new_dob_year": "2011",
            "new_age_group": "child",
            "summary": "kept",
        },
    )
    html = response.content.decode()
    assert 'name="people-0-given" value="Zed"' in html
    assert 'name="people-0-dob" value="2011-02-01"' in html
    assert 'name="people-0-agegroup" value="child"' in html
    assert 'name="new_given" type="text" value=""' in html  # the add box is cleared
    client.post(
        NEW,
        {
            **when(),
            "summary": "What happened",
            "people-0-given": "Zed",
            "people-0-family": "Newcomer",
            "people-0-dob": "2011-02-01",
            "people-0-role": "victim",
        },
    )
    ep = EventPerson.objects.get()
    assert ep.role == "victim" and ep.record.given_name == "Zed" and ep.record.is_child


def test_add_new_person_errors(worker, client):
    response = client.post(
        NEW, {**when(), "action": "add_new", "new_given": "", "new_dob_day": "40"}
    )
    html = unescape(response.content.decode())
    assert "Enter the new person's given name" in html
    assert "Enter the new person's family name" in html
    assert "Enter the whole date of birth, or leave it blank" in html
    assert "Select whether the new person is a child, an adult or not known" in html


def test_a_suspect_added_as_an_adult_gets_an_adults_record(worker, client, child):
    """Issue 11: "older male in a black Audi" became a child's record."""
    added = client.post(
        NEW,
        {
            **complete(child.pk),
            "action": "add_new",
            "new_given": "Unknown",
            "new_family": "Older male, black Audi",
            "new_age_group": "adult",
        },
    ).content.decode()
    assert 'name="people-1-agegroup" value="adult"' in added
    assert "Adult</strong>" in added
    client.post(
        NEW,
        {
            **complete(child.pk),
            "people-1-given": "Unknown",
            "people-1-family": "Older male, black Audi",
            "people-1-dob": "",
            "people-1-agegroup": "adult",
            "people-1-role": "suspect",
        },
    )
    suspect = EventPerson.objects.get(role="suspect").record
    assert suspect.is_child is False
    page = client.get(reverse("people:record", args=[suspect.person_id])).content.decode()
    assert "Adult\u2019s record" in page and "Child\u2019s record" not in page
    entry = AccessLogEntry.objects.filter(action="create", object_type="person").get()
    assert entry.detail["changes"]["is_child"] == [None, False]


@pytest.mark.parametrize(
    ("group", "born", "expected"),
    [
        ("unknown", None, None),
        ("unknown", "2011-02-01", True),  # not known: by the date of birth
        ("unknown", "1980-02-01", False),
        ("child", None, True),
    ],
)
def test_child_or_adult_as_said_or_by_date_of_birth(worker, client, child, group, born, expected):
    fields = {
        **complete(child.pk),
        "people-1-given": "New",
        "people-1-family": "Person",
        "people-1-dob": born or "",
        "people-1-agegroup": group,
        "people-1-role": "witness",
    }
    client.post(NEW, fields)
    assert EventPerson.objects.get(role="witness").record.is_child is expected


@pytest.mark.parametrize(
    ("group", "dob", "message"),
    [
        ("child", ("1", "2", "1980"), "Date of birth makes them"),
        ("adult", ("1", "2", str(timezone.localdate().year - 10)), "select child"),
        ("unknown", ("1", "2", "1900"), "Date of birth must be after"),
        ("unknown", ("1", "2", str(timezone.localdate().year + 1)), "must be in the past"),
    ],
)
def test_implausible_dates_of_birth(worker, client, group, dob, message):
    html = unescape(
        client.post(
            NEW,
            {
                **when(),
                "action": "add_new",
                "new_given": "A",
                "new_family": "B",
                "new_dob_day": dob[0],
                "new_dob_month": dob[1],
                "new_dob_year": dob[2],
                "new_age_group": group,
            },
        ).content.decode()
    )
    assert message in html
    assert 'name="people-0-given"' not in html


def test_remove_person(worker, client, child):
    response = client.post(NEW, {**complete(child.pk), "remove": "0"})
    assert 'name="people-0-person"' not in response.content.decode()


def test_autosave_creates_then_updates_and_restores(worker, client, child):
    saved = client.post(AUTOSAVE, {**complete(child.pk), "summary": "first words"}).json()
    draft = ConcernDraft.objects.get(pk=saved["draft"])
    assert draft.user == worker and draft.person_id == child.pk
    assert saved["message"].startswith("Draft saved at ")
    again = client.post(AUTOSAVE, {"draft": saved["draft"], **complete(child.pk, postcode="E8")})
    assert again.json()["draft"] == draft.pk
    assert ConcernDraft.objects.count() == 1
    html = client.get(f"{NEW}?draft={draft.pk}").content.decode()
    assert "Seen getting into a car with older males" in html
    assert 'value="E8"' in html and "Ada Lovelace" in html
    assert "Draft saved at" in html
    # The drafts list on the form shows it.
    assert f"?draft={draft.pk}" in client.get(NEW).content.decode()


def test_save_as_draft_without_javascript(worker, client, child):
    response = client.post(NEW, {**complete(child.pk), "action": "draft", "summary": "half"})
    draft = ConcernDraft.objects.get()
    assert response["Location"] == f"{NEW}?draft={draft.pk}"
    assert draft.data["summary"] == ["half"]
    # Recording from the draft deletes it.
    client.post(NEW, {**complete(child.pk), "draft": str(draft.pk)})
    assert not ConcernDraft.objects.exists() and Event.objects.count() == 1


def test_drafts_belong_to_their_user(worker, client, demo, child):
    saved = client.post(AUTOSAVE, {"summary": "mine"}).json()
    client.force_login(demo["police.officer"])
    assert client.get(f"{NEW}?draft={saved['draft']}").status_code == 404
    stolen = client.post(AUTOSAVE, {"draft": saved["draft"], "summary": "overwritten"})
    assert stolen.status_code == 404
    delete = reverse("concerns:concern-draft-delete", args=[saved["draft"]])
    assert client.post(delete).status_code == 404
    assert ConcernDraft.objects.get().data["summary"] == ["mine"]


def test_autosave_after_the_session_ended_says_so(client, db):
    response = client.post(AUTOSAVE, {"summary": "typed while signed out"})
    assert response.status_code == 401
    assert response.json()["error"] == "signed-out"
    assert not ConcernDraft.objects.exists()


@pytest.mark.parametrize("username", ["analyst", "auditor", "admin", "manager"])
def test_roles_without_record_are_refused(demo, client, username):
    client.force_login(demo[username])
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {"summary": "x"}).status_code == 403
    assert client.post(AUTOSAVE, {"summary": "x"}).status_code == 403
    assert not ConcernDraft.objects.exists()


def test_signed_out_goes_to_sign_in(client, db):
    response = client.get(NEW)
    assert response.status_code == 302 and reverse("accounts:sign-in") in response["Location"]


def test_starting_from_a_childs_record(worker, client, child):
    response = client.get(f"{NEW}?person={child.pk}")
    html = response.content.decode()
    assert f'name="people-0-person" value="{child.pk}"' in html
    assert '<option value="subject" selected>' in html
    entry = AccessLogEntry.objects.latest("seq")
    assert entry.object_id == str(child.pk) and entry.detail["for"] == "record a concern"


def test_starting_from_a_record_without_need_to_know(worker, client, make_person):
    stranger = make_person(source="police")
    response = client.get(f"{NEW}?person={stranger.pk}")
    assert response.status_code == 403
    html = response.content.decode()
    assert "known to 1 agency" in html
    assert reverse("people:break-glass", args=[stranger.pk]) in html
    entry = AccessLogEntry.objects.latest("seq")
    assert entry.object_id == str(stranger.pk) and entry.detail["outcome"] == "refused"
    assert client.get(f"{NEW}?person=999999").status_code == 404


def _place(model: Any, source: str, name: str, postcode: str, kind: str) -> Any:
    n = model.objects.count() + 1
    return model.objects.create(
        source=source,
        source_id=f"P{n}",
        row_hash=f"{n:032x}",
        raw="{}",
        name=name,
        postcode=postcode,
        kind=kind,
    )


def test_place_search_shows_each_real_place_once_with_the_agencies(worker, client, demo):
    """Issue 11: "Upland Estate" was listed four times, schools under two spellings."""
    from efh.concerns.selectors.concern import places_search
    from efh.contexts.models import Location, Organisation

    for source, name in [
        ("police", "Upland Estate"),
        ("education", "Upland Estate"),
        ("social_care", "UPLAND ESTATE"),
        ("youth_justice", "Upland Est."),
        ("health", "Upland Estate (outside)"),
    ]:
        _place(Location, source, name, "E5 8AA", "estate")
    _place(Location, "police", "Upland Estate", "N16 7AB", "estate")  # another, elsewhere
    _place(Organisation, "education", "Sorrel Academy", "E8 1EA", "school")
    _place(Organisation, "police", "SORREL ACAD.", "E8 1EA", "school")

    estates = places_search(query="upland estate")
    assert [(o.name, o.detail) for o in estates] == [
        ("Upland Estate", "Estate, E5 8AA"),
        ("Upland Estate", "Estate, N16 7AB"),
    ]
    agency = dict(Source.objects.values_list("code", "agency__name"))
    assert estates[0].agencies == tuple(
        sorted(agency[s] for s in ("police", "education", "social_care", "youth_justice", "health"))
    )
    assert estates[1].agencies == (agency["police"],)
    schools = places_search(query="Sorrel Academy")
    assert [(o.name, o.agencies) for o in schools] == [
        ("Sorrel Academy", tuple(sorted((agency["education"], agency["police"]))))
    ]
    assert places_search(query="sorrel acad") == schools

    html = unescape(
        client.post(
            NEW, {**when(), "action": "find_place", "place_query": "Upland"}
        ).content.decode()
    )
    assert "2 places found: choose one" in html
    assert html.count('name="place" type="radio"') == 3  # two places, and "No known place"
    assert f"Known to {estates[0].known_to}" in html
