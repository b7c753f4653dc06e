"""The concern form without a browser: validation, drafts, search-or-add, access refused."""

from __future__ import annotations

from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from efh.concerns.models import ConcernDraft, Event, EventPerson, HarmType
from efh.core.models import AccessLogEntry

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
    ],
)
def test_validation_errors_keep_what_was_typed(worker, client, child, change, field, message):
    data = {**complete(child.pk, child_words=FORMULA), **change}
    response = client.post(NEW, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Record a concern" in html
    assert f'href="#{field}"' in html  # the error summary links to the field
    assert message in html
    assert f'id="{field}_error"' in html  # and the field says it too
    assert "Ada Lovelace" in html  # the person added is still there
    assert "=HYPERLINK(&quot;http://example.invalid&quot;,&quot;click&quot;)" in html
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
            "summary": "kept",
        },
    )
    html = response.content.decode()
    assert 'name="people-0-given" value="Zed"' in html
    assert 'name="people-0-dob" value="2011-02-01"' in html
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
