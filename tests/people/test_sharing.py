"""Information-sharing decisions: who may record one, the consent rules and the other
validation with GOV.UK errors, the decisions in force, and the effect: the recipient can now
open the record (asked of the permission policy itself)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from efh.accounts.models import Agency
from efh.core.models import AccessLogEntry
from efh.people.models import SharingDecision
from efh.people.policy import Ground, grounds_for, now


@pytest.fixture
def child(make_person):
    return make_person(source="police", given_name="Ada", family_name="Example")


def _url(person) -> str:
    return reverse("people:share", kwargs={"person_id": person.pk})


def _valid(**changes) -> dict[str, str]:
    data = {
        "recipient_kind": "agency",
        "to_agency": str(Agency.objects.get(code="health").pk),
        "to_user": "",
        "scope": "record",
        "purpose": "Health visitor needs the missing history before the strategy meeting",
        "lawful_basis": "6_1_e",
        "condition": "dpa_s1_p18",
        "consent": "not_sought",
        "consent_override_reason": "Seeking consent would put the child at greater risk",
        "expires_day": "",
        "expires_month": "",
        "expires_year": "",
    }
    data.update(changes)
    return data


def test_sharing_with_an_agency_lets_its_practitioners_open_the_record(client, demo, child):
    nurse, dsl = demo["health.nurse"], demo["school.dsl"]
    assert grounds_for(nurse, child.pk) == ()
    client.force_login(demo["police.officer"])
    response = client.post(_url(child), _valid())
    decision = SharingDecision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{_url(child)}?shared={decision.pk}"
    assert decision.to_agency.code == "health" and decision.shared_by == demo["police.officer"]
    assert decision.consent_obtained is None and decision.lawful_basis == "6_1_e"
    logged = AccessLogEntry.objects.filter(object_type="sharing_decision").get()
    assert logged.detail == {"person": child.pk} and logged.action == "create"

    assert grounds_for(nurse, child.pk) == (Ground.SHARED,)
    assert grounds_for(dsl, child.pk) == ()  # another agency still may not

    confirmation = client.get(response["Location"])
    html = confirmation.content.decode()
    assert "Record shared" in html
    assert "City &amp; Hackney health services can now open Ada Example\u2019s record" in html
    assert confirmation.context["decisions"] == [decision]


def test_sharing_with_a_named_person(client, demo, child):
    dsl = demo["school.dsl"]
    client.force_login(demo["police.officer"])
    expiry = timezone.localdate() + timedelta(days=30)
    response = client.post(
        _url(child),
        _valid(
            recipient_kind="user",
            to_agency="",
            to_user="School.DSL",
            consent="yes",
            lawful_basis="6_1_a",
            condition="9_2_a",
            consent_override_reason="",
            expires_day=str(expiry.day),
            expires_month=str(expiry.month),
            expires_year=str(expiry.year),
        ),
    )
    assert response.status_code == 302
    decision = SharingDecision.objects.get()
    assert decision.to_user == dsl and decision.consent_obtained is True
    assert timezone.localtime(decision.expires_at).date() == expiry + timedelta(days=1)
    assert grounds_for(dsl, child.pk) == (Ground.SHARED,)
    assert grounds_for(demo["health.nurse"], child.pk) == ()
    html = client.get(response["Location"]).content.decode()
    assert "Tom Example can open Ada Example\u2019s record until" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"recipient_kind": ""},
            "recipient_kind",
            "Choose whether you are sharing with an agency or a person",
        ),
        ({"to_agency": ""}, "to_agency", "Choose the agency you are sharing with"),
        (
            {"recipient_kind": "user", "to_user": ""},
            "to_user",
            "Enter the username of the person you are sharing with",
        ),
        (
            {"recipient_kind": "user", "to_user": "no.one"},
            "to_user",
            "Enter the username of a practitioner whose role opens children\u2019s records",
        ),
        ({"scope": ""}, "scope", "Choose what you are sharing"),
        ({"purpose": "  "}, "purpose", "Say why you are sharing this record"),
        ({"lawful_basis": "6_1_b"}, "lawful_basis", "Choose the lawful basis"),
        ({"condition": ""}, "condition", "Choose the condition for special category data"),
        ({"consent": ""}, "consent", "Choose whether consent was obtained"),
        # The consent rules (the service's): consent as the basis needs consent given...
        (
            {"lawful_basis": "6_1_a", "consent": "no"},
            "consent",
            "Consent is the basis, so record that it was given",
        ),
        (
            {"condition": "9_2_a", "consent": "not_sought"},
            "consent",
            "Consent is the basis, so record that it was given",
        ),
        # ...and any other basis needs the reason consent was not sought or was overridden.
        (
            {"consent_override_reason": ""},
            "consent_override_reason",
            "Say why consent was not sought, or why it was overridden",
        ),
        (
            {"consent": "no", "consent_override_reason": " "},
            "consent_override_reason",
            "Say why consent was not sought, or why it was overridden",
        ),
        (
            {"expires_day": "31", "expires_month": "2", "expires_year": "2031"},
            "expires_day",
            "The expiry date must be a real date",
        ),
        (
            {"expires_day": "1", "expires_month": "", "expires_year": "2031"},
            "expires_day",
            "The expiry date must include a month",
        ),
        (
            {"expires_day": "1", "expires_month": "1", "expires_year": "2020"},
            "expires_day",
            "The expiry date must be today or in the future",
        ),
        (
            {"purpose": "p" * 4001},
            "purpose",
            "Why you are sharing it must be 4,000 characters or fewer",
        ),
        (
            {"consent": "no", "consent_override_reason": "r" * 4001},
            "consent_override_reason",
            "Why consent was not sought or was overridden must be 4,000 characters or fewer",
        ),
    ],
)
def test_validation_errors_are_shown_and_nothing_is_shared(
    client, demo, child, changes, field, message
):
    client.force_login(demo["police.officer"])
    data = _valid(**changes)
    response = client.post(_url(child), data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: " in html and "There is a problem" in html
    assert message in response.context["form"].errors[field][0]
    assert f'href="#id_{field}"' in html
    assert data["purpose"].strip() in html or not data["purpose"].strip()  # kept as typed
    assert not SharingDecision.objects.exists()
    assert grounds_for(demo["health.nurse"], child.pk) == ()


def test_consent_given_as_the_basis_needs_no_override_reason(client, demo, child):
    client.force_login(demo["police.officer"])
    response = client.post(
        _url(child), _valid(lawful_basis="6_1_a", consent="yes", consent_override_reason="")
    )
    assert response.status_code == 302
    assert SharingDecision.objects.get().consent_obtained is True


@pytest.mark.parametrize("username", ["analyst", "manager", "auditor", "admin"])
def test_roles_that_cannot_record_may_not_share(client, demo, child, username):
    client.force_login(demo[username])
    assert client.get(_url(child)).status_code == 403
    assert client.post(_url(child), _valid()).status_code == 403
    assert not SharingDecision.objects.exists()


def test_a_practitioner_who_may_not_open_the_record_may_not_share_it(client, demo, child):
    client.force_login(demo["school.dsl"])
    assert client.get(_url(child)).status_code == 403
    assert client.post(_url(child), _valid()).status_code == 403
    assert not SharingDecision.objects.exists()
    refusals = AccessLogEntry.objects.filter(username="school.dsl", object_id=str(child.pk))
    assert [e.detail["outcome"] for e in refusals] == ["refused", "refused"]


def test_the_page_lists_the_decisions_in_force_and_is_logged(client, demo, child):
    officer = demo["police.officer"]
    health, vcs = Agency.objects.get(code="health"), Agency.objects.get(code="vcs")
    common = {
        "person": child,
        "shared_by": officer,
        "scope": "record",
        "purpose": "p",
        "lawful_basis": "6_1_e",
        "condition": "dpa_s1_p18",
        "decided_at": now(),
    }
    in_force = SharingDecision.objects.create(to_agency=health, **common)
    SharingDecision.objects.create(to_agency=vcs, expires_at=now() - timedelta(days=1), **common)
    SharingDecision.objects.create(to_user=demo["school.dsl"], withdrawn_at=now(), **common)
    client.force_login(officer)
    response = client.get(_url(child))
    assert response.status_code == 200
    assert response.context["decisions"] == [in_force]
    entry = AccessLogEntry.objects.order_by("-seq").first()
    assert entry.object_type == "person" and entry.object_id == str(child.pk)
    assert entry.detail["screen"] == "share" and "sharing_decisions" in entry.fields


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_sharing_in_the_browser(
    live_server, page, seeded, demo, make_person, assert_accessible, sign_in
):
    child = make_person(source="police", given_name="Ada", family_name="Example")
    sign_in(page, live_server, demo["police.officer"])
    page.goto(f"{live_server.url}{_url(child)}")
    expect(page.get_by_role("heading", name="Share Ada Example\u2019s record")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Record the decision and share").click()
    expect(page).to_have_title(re.compile("^Error: "))
    summary = page.locator(".govuk-error-summary")
    expect(
        summary.get_by_text("Choose whether you are sharing with an agency or a person")
    ).to_be_visible()
    assert_accessible(page)

    page.get_by_label("An agency: everyone there with a casework role").check()
    page.get_by_label("Agency", exact=True).select_option(label="City & Hackney health services")
    page.get_by_label("The whole multi-agency record").check()
    page.get_by_label("Why are you sharing it?").fill("Strategy meeting on Thursday")
    page.get_by_label("Article 6(1)(a): consent").check()
    page.get_by_label("DPA 2018 Schedule 1 paragraph 18", exact=False).check()
    page.get_by_label("Consent was not sought", exact=True).check()
    page.get_by_role("button", name="Record the decision and share").click()
    expect(summary.get_by_text("Consent is the basis, so record that it was given")).to_be_visible()
    assert (
        page.get_by_label("Why are you sharing it?").input_value() == "Strategy meeting on Thursday"
    )
    assert_accessible(page)

    page.get_by_label("Article 6(1)(e): public task").check()
    page.get_by_label("Why consent was not sought, or why it was overridden").fill(
        "Seeking consent would alert the adult exploiting her"
    )
    page.get_by_role("button", name="Record the decision and share").click()
    expect(page.get_by_role("heading", name="Record shared")).to_be_visible()
    expect(page.locator(".govuk-panel__body")).to_contain_text(
        "City & Hackney health services can now open Ada Example\u2019s record"
    )
    expect(page.locator("#confirmation-detail")).to_contain_text(
        "Everyone at City & Hackney health services with a casework role can open"
    )
    assert_accessible(page)
    assert grounds_for(demo["health.nurse"], child.pk) == (Ground.SHARED,)


@pytest.mark.parametrize("username", ["admin", "auditor", "no.such.account"])
def test_the_form_refuses_recipients_who_cannot_open_records_without_saying_who_exists(
    client, demo, child, username
):
    """An administrator or an auditor cannot open records, so sharing with them is refused up
    front, with the same words as for a username that does not exist."""
    client.force_login(demo["police.officer"])
    response = client.post(
        _url(child), _valid(recipient_kind="user", to_agency="", to_user=username)
    )
    assert response.status_code == 400
    errors = response.context["form"].errors["to_user"]
    assert errors == [
        "Enter the username of a practitioner whose role opens children\u2019s records, "
        "exactly as they sign in"
    ]
    html = response.content.decode()
    assert "can now open" not in html and "still cannot open" not in html
    assert not SharingDecision.objects.exists()


def test_the_service_refuses_a_recipient_who_cannot_open_records(demo, child):
    from django.core.exceptions import ValidationError

    from efh.people.services import sharing_decision_record

    with pytest.raises(ValidationError) as raised:
        sharing_decision_record(
            actor=demo["police.officer"],
            person_id=child.pk,
            to_user=demo["auditor"],
            scope="record",
            purpose="Audit",
            lawful_basis="6_1_e",
            condition="dpa_s1_p18",
            consent_override_reason="Not needed",
        )
    assert "to_user" in raised.value.message_dict
    assert not SharingDecision.objects.exists()
