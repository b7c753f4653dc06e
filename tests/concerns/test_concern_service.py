"""concern_record: the event, its people and harm types, the access log, and raw text kept inert."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from efh.concerns.models import ConcernDraft, Event, EventKind, EventPerson, HarmType, Role
from efh.concerns.services.concern import PersonInConcern, concern_draft_save, concern_record
from efh.core.models import AccessLogEntry
from efh.people.models import PersonRecord
from efh.people.policy import Ground, grounds_for, instances_user_can_view

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://example.invalid","click")'


@pytest.fixture
def worker(demo):
    return demo["social.worker"]


def test_records_the_event_people_harm_types_and_log(worker, make_person):
    child = make_person(source="social_care", given_name="Ada", family_name="Example")
    harms = list(HarmType.objects.filter(code__in=["cce", "county_lines"]))
    draft = concern_draft_save(actor=worker, fields={"summary": ["half"]})
    occurred = timezone.now() - timedelta(hours=2)
    before = AccessLogEntry.objects.count()

    event = concern_record(
        actor=worker,
        occurred_at=occurred,
        summary=f"Seen with older males {SCRIPT}",
        child_words=FORMULA,
        harm_type_ids=[h.pk for h in harms],
        postcode="E8 1EA",
        latitude=51.5465,
        longitude=-0.0553,
        people=[
            PersonInConcern(role=Role.SUBJECT, person_id=child.pk),
            PersonInConcern(
                role=Role.SUSPECT,
                given_name="Zed",
                family_name="Adult",
                date_of_birth=date(1990, 5, 1),
            ),
        ],
        submitted={"summary": f"Seen with older males {SCRIPT}", "child_words": FORMULA},
        draft_id=draft.pk,
    )

    event.refresh_from_db()
    assert event.kind == EventKind.CONCERN
    assert event.source == "efh-childrens-social-care"
    assert len(event.source_id) == 32 and event.delivery_id is None and event.line is None
    assert event.recorded_by == worker and event.occurred_at == occurred
    assert event.summary == f"Seen with older males {SCRIPT}"  # exactly as typed
    assert event.child_words == FORMULA
    assert json.loads(event.raw)["child_words"] == FORMULA
    assert len(event.row_hash) == 32
    assert set(event.harm_types.all()) == set(harms)
    assert (event.postcode, event.latitude, event.longitude) == ("E8 1EA", 51.5465, -0.0553)

    roles = {(ep.record.person_id, ep.role): ep for ep in EventPerson.objects.filter(event=event)}
    assert (child.pk, "subject") in roles
    new_record = PersonRecord.objects.get(given_name="Zed", family_name="Adult")
    assert new_record.source == "efh-childrens-social-care" and new_record.delivery_id is None
    assert new_record.is_child is False and new_record.date_of_birth == date(1990, 5, 1)
    suspect = roles[(new_record.person_id, "suspect")]
    assert suspect.source == event.source and suspect.delivery_id is None and suspect.line is None
    assert json.loads(suspect.raw) == {"person": new_record.person_id, "role": "suspect"}

    entries = list(AccessLogEntry.objects.order_by("seq")[before:])
    created = [e for e in entries if e.object_type == "event"]
    assert len(created) == 1 and created[0].action == "create"
    assert created[0].object_id == str(event.pk) and "summary" in created[0].fields
    assert [e.object_id for e in entries if e.object_type == "person"] == [
        str(new_record.person_id)
    ]
    assert not ConcernDraft.objects.filter(pk=draft.pk).exists()


def test_recording_makes_the_agency_one_that_has_recorded(demo, make_person):
    officer = demo["police.officer"]
    worker = demo["social.worker"]
    # Known to police only; the social worker's agency has no record yet.
    child = make_person(source="police")
    assert Ground.AGENCY_RECORDED not in grounds_for(worker, child.pk)
    # The police officer records a concern about a new person; police now know them.
    event = concern_record(
        actor=officer,
        occurred_at=timezone.now(),
        summary="Found late at night",
        people=[PersonInConcern(role=Role.SUBJECT, given_name="New", family_name="Child")],
    )
    person_id = EventPerson.objects.get(event=event).record.person_id
    assert instances_user_can_view(officer).filter(pk=person_id).exists()
    assert not instances_user_can_view(worker).filter(pk=person_id).exists()


def test_existing_person_via_another_agencys_record_gives_the_agency_a_ground(demo, make_person):
    screener = demo["screener"]  # partnership-wide: may open anyone
    child = make_person(source="police")
    concern_record(
        actor=screener,
        occurred_at=timezone.now(),
        summary="Referral call",
        people=[PersonInConcern(role=Role.SUBJECT, person_id=child.pk)],
    )
    worker = demo["social.worker"]  # same agency as the screener
    assert Ground.AGENCY_RECORDED in grounds_for(worker, child.pk)


def test_refuses_people_the_actor_may_not_open(demo, make_person):
    stranger = make_person(source="police")
    with pytest.raises(PermissionDenied):
        concern_record(
            actor=demo["school.dsl"],
            occurred_at=timezone.now(),
            summary="x",
            people=[PersonInConcern(role=Role.VICTIM, person_id=stranger.pk)],
        )
    assert not Event.objects.exists()


def test_refuses_roles_without_record_capability_and_the_future(demo):
    person = [PersonInConcern(role=Role.SUBJECT, given_name="A", family_name="B")]
    with pytest.raises(PermissionDenied):
        concern_record(
            actor=demo["analyst"], occurred_at=timezone.now(), summary="x", people=person
        )
    with pytest.raises(ValueError):
        concern_record(
            actor=demo["social.worker"],
            occurred_at=datetime.now(tz=UTC) + timedelta(days=1),
            summary="x",
            people=person,
        )
    assert not Event.objects.exists()
