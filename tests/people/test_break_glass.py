"""Breaking the glass: only roles that may, with a reason long enough to review; the record
opens for EFH_BREAK_GLASS_MINUTES; an auditor (never the same person) reviews it, and the
review is logged. Ends with the whole journey in a browser."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from efh.core.models import AccessLogEntry
from efh.core.services import access_log_record
from efh.people.models import BreakGlassAccess
from efh.people.policy import Ground, NeedToKnow, access_person, grounds_for

REASON = "Found at Hackney Central at 2am with an older adult; checking if she is missing"


@pytest.fixture
def child(make_person):
    """A child only the police have recorded on: no one at the school may open the record."""
    return make_person(source="police", given_name="Ada", family_name="Example")


def _url(person) -> str:
    return reverse("people:break-glass", kwargs={"person_id": person.pk})


@pytest.mark.parametrize("username", ["analyst", "manager", "auditor", "admin"])
def test_roles_without_break_glass_are_refused(client, demo, child, username):
    client.force_login(demo[username])
    assert client.get(_url(child)).status_code == 403
    assert client.post(_url(child), {"reason": REASON}).status_code == 403
    assert not BreakGlassAccess.objects.exists()


def test_the_form_explains_that_the_access_is_logged_and_reviewed(client, demo, child):
    client.force_login(demo["school.dsl"])
    response = client.get(_url(child))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Give a reason to open this record" in html
    assert "logged and will be reviewed by an auditor" in html
    assert "stay open to you for 2 hours" in html
    assert "known to 1 agency" in html
    assert "Ada" not in html  # nothing of the record before the glass is broken


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("", "Enter why you need to open this record"),
        ("   ", "Enter why you need to open this record"),
        ("urgent", "Give the reason you need to open this record, in at least 10 characters"),
    ],
)
def test_a_missing_or_short_reason_gets_a_clear_error(client, demo, child, reason, message):
    client.force_login(demo["school.dsl"])
    response = client.post(_url(child), {"reason": reason})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert html.count(message) == 2  # in the summary and by the field
    assert 'href="#id_reason"' in html
    if reason.strip():
        assert f"{reason}</textarea>" in html  # what was typed is kept
    assert not BreakGlassAccess.objects.exists()
    assert grounds_for(demo["school.dsl"], child.pk) == ()


def test_breaking_the_glass_opens_the_record_for_a_while(client, demo, child, settings):
    dsl = demo["school.dsl"]
    with pytest.raises(NeedToKnow):
        access_person(dsl, child.pk)
    client.force_login(dsl)
    response = client.post(_url(child), {"reason": f"  {REASON}  "})
    assert response.status_code == 302
    assert response["Location"] == reverse("people:record", kwargs={"person_id": child.pk})

    access = BreakGlassAccess.objects.get()
    assert (access.user, access.person, access.reason) == (dsl, child, REASON)
    assert access.expires_at - access.opened_at == timedelta(
        minutes=settings.EFH_BREAK_GLASS_MINUTES
    )
    opened = AccessLogEntry.objects.get(seq=access.log_seq)
    assert opened.break_glass and opened.reason == REASON and opened.username == "school.dsl"
    assert opened.object_type == "person" and opened.object_id == str(child.pk)

    assert grounds_for(dsl, child.pk) == (Ground.BREAK_GLASS,)
    seen = access_person(dsl, child.pk)
    assert seen.full and seen.break_glass == access
    viewed = AccessLogEntry.objects.order_by("-seq").first()
    assert viewed.break_glass and viewed.reason == REASON

    # Already open: the form sends them straight to the record, and nothing new is flagged.
    response = client.get(_url(child))
    assert response.status_code == 302 and BreakGlassAccess.objects.count() == 1


def test_someone_with_a_standing_reason_goes_straight_to_the_record(client, demo, child):
    client.force_login(demo["police.officer"])
    response = client.post(_url(child), {"reason": REASON})
    assert response.status_code == 302
    assert not BreakGlassAccess.objects.exists()


def test_an_unknown_person_is_not_found(client, demo):
    client.force_login(demo["school.dsl"])
    response = client.get(reverse("people:break-glass", kwargs={"person_id": 99999}))
    assert response.status_code == 404


def _open(client, user, person) -> BreakGlassAccess:
    client.force_login(user)
    client.post(_url(person), {"reason": REASON})
    return BreakGlassAccess.objects.filter(user=user, person=person).get()


def test_the_queue_lists_accesses_oldest_first_with_what_the_user_did(
    client, demo, child, make_person
):
    other = make_person(source="health", given_name="Kofi", family_name="Example")
    first = _open(client, demo["school.dsl"], child)
    # What the user did while the record was open, and something by someone else.
    access_log_record(
        actor=demo["school.dsl"], action="view", object_type="person", object_id=child.pk
    )
    access_log_record(
        actor=demo["school.dsl"],
        action="search",
        object_type="person_search",
        detail={"terms": "kofi"},
    )
    access_log_record(
        actor=demo["health.nurse"], action="view", object_type="person", object_id=other.pk
    )
    second = _open(client, demo["youth.worker"], other)

    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:break-glass"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["access"] for r in rows] == [first, second]
    assert [(e.object_type, e.username) for e in rows[0]["window"]] == [
        ("person", "school.dsl"),
        ("person_search", "school.dsl"),
    ]
    html = response.content.decode()
    assert REASON in html and "Ada Example" in html and "Kofi Example" in html
    own = AccessLogEntry.objects.order_by("-seq").first()
    assert own.object_type == "access_log" and own.object_id == "break_glass"
    assert own.detail["people"] == sorted([child.pk, other.pk])


def test_a_review_is_recorded_and_logged(client, demo, child):
    access = _open(client, demo["school.dsl"], child)
    client.force_login(demo["auditor"])
    url = reverse("audit:break-glass-review", kwargs={"pk": access.pk})
    response = client.get(url)
    assert response.status_code == 200 and REASON in response.content.decode()
    looked = AccessLogEntry.objects.order_by("-seq").first()
    assert looked.object_type == "break_glass_access" and looked.detail["person"] == child.pk

    response = client.post(url, {"decision": "not_justified", "note": " "})
    html = response.content.decode()
    assert "Say why the access was not justified" in html and "<title>Error: " in html
    assert 'value="not_justified" checked' in html
    response = client.post(url, {})
    assert "Choose whether the access was justified" in response.content.decode()
    access.refresh_from_db()
    assert access.reviewed_at is None

    response = client.post(url, {"decision": "referred", "note": "Asked the DPO to follow up"})
    assert response.status_code == 302
    access.refresh_from_db()
    assert access.decision == "referred" and access.reviewed_by == demo["auditor"]
    assert access.review_note == "Asked the DPO to follow up"
    logged = AccessLogEntry.objects.filter(object_type="break_glass_access", action="update").get()
    assert logged.username == "auditor" and logged.object_id == str(access.pk)
    assert logged.detail == {
        "person": child.pk,
        "user": demo["school.dsl"].pk,
        "decision": "referred",
    }

    queue = client.get(response["Location"])
    assert "Your review of school.dsl\u2019s access was recorded" in queue.content.decode()
    assert queue.context["rows"] == []
    reviewed = client.get(reverse("audit:break-glass"), {"show": "reviewed"})
    assert [r["access"] for r in reviewed.context["rows"]] == [access]
    # A second review is refused by the service and shown, not applied.
    again = client.post(url, {"decision": "justified"})
    assert "This access has already been reviewed" in again.content.decode()
    access.refresh_from_db()
    assert access.decision == "referred"


def test_an_auditor_cannot_review_their_own_access(client, demo, child):
    from efh.accounts.models import Role

    both = demo["auditor"]
    both.extra_roles.add(Role.objects.get(code="practitioner"))
    both = type(both).objects.get(pk=both.pk)  # fresh cached capabilities
    access = _open(client, both, child)
    client.force_login(both)
    url = reverse("audit:break-glass-review", kwargs={"pk": access.pk})
    page = client.get(url).content.decode()
    assert "This is your own access: another auditor must review it." in page
    assert 'name="decision"' not in page
    response = client.post(url, {"decision": "justified"})
    assert response.status_code == 403
    assert "You cannot review your own access" in response.content.decode()
    access.refresh_from_db()
    assert access.reviewed_at is None
    assert not AccessLogEntry.objects.filter(
        object_type="break_glass_access", action="update"
    ).exists()


# --- In the browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_journey_denied_then_break_glass_then_the_auditor_reviews(
    live_server, page, seeded, demo, make_person, assert_accessible, sign_in
):
    child = make_person(source="police", given_name="Ada", family_name="Example")
    dsl = demo["school.dsl"]
    sign_in(page, live_server, dsl)

    # Denied: the school has no standing reason to open a child only the police know.
    response = page.goto(f"{live_server.url}{reverse('people:record', args=[child.pk])}")
    assert response.status in (403, 404)  # 404 until the record page exists
    assert grounds_for(dsl, child.pk) == ()

    page.goto(f"{live_server.url}{_url(child)}")
    assert page.title().startswith("Give a reason to open this record")
    assert_accessible(page)
    page.get_by_role("button", name="Open the record").click()
    expect(page).to_have_title(re.compile("^Error: "))
    expect(
        page.locator(".govuk-error-summary").get_by_text("Enter why you need to open this record")
    ).to_be_visible()
    assert_accessible(page)
    reason = page.get_by_label("Why do you need to open this record now?")
    reason.fill("urgent")
    page.get_by_role("button", name="Open the record").click()
    expect(
        page.locator(".govuk-error-summary").get_by_text("at least 10 characters")
    ).to_be_visible()
    assert reason.input_value() == "urgent"
    assert_accessible(page)
    reason.fill(REASON)
    response_url = reverse("people:record", args=[child.pk])
    with page.expect_navigation():
        page.get_by_role("button", name="Open the record").click()
    assert page.url == f"{live_server.url}{response_url}"
    access = BreakGlassAccess.objects.get()
    assert access.user == dsl and access.reason == REASON
    assert grounds_for(dsl, child.pk) == (Ground.BREAK_GLASS,)
    if page.title().startswith("Ada"):  # the record page, once it exists, shows the child
        expect(page.get_by_text("Ada Example").first).to_be_visible()

    # The auditor: the log, who looked at the child, what the user did, the review.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, demo["auditor"])
    page.goto(f"{live_server.url}{reverse('audit:index')}")
    expect(page.get_by_role("heading", name="Access log", exact=True)).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Who looked at a person").fill(str(child.pk))
    page.get_by_role("button", name="Show who looked").click()
    expect(page.get_by_role("heading", name="Who looked at Ada Example")).to_be_visible()
    expect(page.get_by_role("cell", name=REASON).first).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}{reverse('audit:index')}")
    page.get_by_label("What a user looked at").fill("school.dsl")
    page.get_by_role("button", name="Show what they looked at").click()
    expect(page.get_by_role("heading", name="What Tom Example looked at")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{live_server.url}{reverse('audit:break-glass')}")
    expect(page.get_by_text(REASON)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Review the access by school.dsl").click()
    expect(
        page.get_by_role("heading", name="Tom Example opened Ada Example\u2019s record")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Record the review").click()
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page)
    page.get_by_label("Not justified: raise with the user's manager").check()
    page.get_by_role("button", name="Record the review").click()
    expect(
        page.locator(".govuk-error-summary").get_by_text("Say why the access was not justified")
    ).to_be_visible()
    page.get_by_label("Justified", exact=True).check()
    page.get_by_role("button", name="Record the review").click()
    expect(
        page.get_by_text("Your review of school.dsl\u2019s access was recorded: justified.")
    ).to_be_visible()
    assert_accessible(page)
    access.refresh_from_db()
    assert access.decision == "justified" and access.reviewed_by == demo["auditor"]
    assert AccessLogEntry.objects.filter(
        object_type="break_glass_access", action="update", username="auditor"
    ).exists()


def test_the_queue_shows_a_refused_attempt_as_refused(client, demo, child, make_person):
    other = make_person(source="health", given_name="Kofi", family_name="Example")
    _open(client, demo["school.dsl"], child)
    client.force_login(demo["school.dsl"])
    assert client.get(reverse("people:record", args=[other.pk])).status_code == 403
    client.force_login(demo["auditor"])
    response = client.get(reverse("audit:break-glass"))
    window = response.context["rows"][0]["window"]
    assert [(e.action, e.object_id) for e in window] == [("refused", str(other.pk))]
    html = response.content.decode()
    assert "Refused</strong> tried to open <a" in html
    assert f'viewed <a class="govuk-link" href="/audit/people/{other.pk}/"' not in html
