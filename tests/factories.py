"""Test data from factory_boy factories (exposed as fixtures in ``tests/conftest.py``, as
lite-api does): each makes a valid, saved row with invented data, and a test names only what
matters to it, e.g. ``PersonRecordFactory(source="health", given_name="Bea")``.

Every record received from an agency carries its provenance (``source``, ``source_id``,
``row_hash``, ``raw``); the factories number them so that source keys never clash.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import factory
from factory.django import DjangoModelFactory

from efh.accounts.models import Agency, Partnership, User
from efh.casework.models import (
    Action,
    Case,
    NrmReferral,
    Plan,
    PlanVersion,
    QueueItem,
    Screening,
    ScreeningTool,
    StrategyDiscussion,
)
from efh.casework.tool import default_definition
from efh.concerns.models import Event, EventPerson, MissingEpisode, MissingFrom
from efh.contexts.models import Association, Location, Organisation, PeerGroup
from efh.core.models import Delivery
from efh.insight.models import Candidate, CandidateKind, Hotspot, RefreshRun, RefreshStatus
from efh.people.models import Address, Person, PersonRecord, SharingDecision, Status

PASSWORD = "correct-horse-battery-staple"
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


class Sourced(DjangoModelFactory):
    """Provenance of a record as an agency sent it."""

    class Meta:
        abstract = True

    source = "police"
    source_id = factory.Sequence(lambda n: f"F{n}")
    row_hash = factory.Sequence(lambda n: f"{n:032x}")
    raw = "{}"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"practitioner{n}")
    first_name = ""
    last_name = ""
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @classmethod
    def _after_postgeneration(cls, instance: Any, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = Delivery

    fingerprint = factory.Sequence(lambda n: f"{n:064x}")
    path = "test"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person


class PersonRecordFactory(Sourced):
    """One agency's record of a person (a new person unless ``person=`` is given)."""

    class Meta:
        model = PersonRecord

    person = factory.SubFactory(PersonFactory)
    given_name = "Test"
    family_name = factory.Sequence(lambda n: f"Child{n}")
    date_of_birth = date(2010, 1, 1)
    is_child = True
    recorded_at = WHEN


class AdultRecordFactory(PersonRecordFactory):
    family_name = factory.Sequence(lambda n: f"Adult{n}")
    date_of_birth = date(1990, 1, 1)
    is_child = False


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    record = factory.SubFactory(PersonRecordFactory)
    address = factory.Sequence(lambda n: f"{n} Example Road")
    postcode = "E8 1AA"
    valid_from = WHEN


class StatusFactory(DjangoModelFactory):
    class Meta:
        model = Status

    record = factory.SubFactory(PersonRecordFactory)
    kind = "looked_after"
    started = WHEN


class LocationFactory(Sourced):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Example Park {n}")
    kind = "park"
    postcode = "E8 1AA"


class OrganisationFactory(Sourced):
    class Meta:
        model = Organisation

    source = "education"
    name = factory.Sequence(lambda n: f"Example Academy {n}")
    kind = "school"


class PeerGroupFactory(DjangoModelFactory):
    class Meta:
        model = PeerGroup

    source = "police"
    name = factory.Sequence(lambda n: f"Example group {n}")


class EventFactory(Sourced):
    class Meta:
        model = Event

    kind = "incident"
    occurred_at = WHEN
    recorded_at = factory.LazyAttribute(lambda e: e.occurred_at + timedelta(hours=1))
    summary = ""


class EventPersonFactory(DjangoModelFactory):
    """A person record's role in an event, sent by the event's source."""

    class Meta:
        model = EventPerson

    event = factory.SubFactory(EventFactory)
    record = factory.SubFactory(PersonRecordFactory)
    role = "subject"
    source = factory.SelfAttribute("event.source")
    delivery = factory.SubFactory(DeliveryFactory)
    line = 1
    raw = "{}"


class MissingEpisodeFactory(Sourced):
    class Meta:
        model = MissingEpisode

    record = factory.SubFactory(PersonRecordFactory)
    missing_from = MissingFrom.HOME
    went_missing_at = WHEN


class AssociationFactory(Sourced):
    """By default a person-to-person association; pass ``location=``, ``organisation=`` or
    ``group=`` (and ``other_kind``) for a context."""

    class Meta:
        model = Association

    record = factory.SubFactory(PersonRecordFactory)
    other_kind = "person"
    other_record = factory.SubFactory(PersonRecordFactory)
    kind = "friend"


class SharingDecisionFactory(DjangoModelFactory):
    class Meta:
        model = SharingDecision

    person = factory.SubFactory(PersonFactory)
    shared_by = factory.SubFactory(UserFactory)
    scope = "record"
    purpose = "Safety planning"
    lawful_basis = "6_1_e"
    condition = "dpa_s1_p18"
    decided_at = WHEN


class RefreshRunFactory(DjangoModelFactory):
    """A finished refresh of the intelligence picture."""

    class Meta:
        model = RefreshRun

    status = RefreshStatus.SUCCEEDED
    stage = "finished"
    started_by = "efh refresh (test)"
    started_at = WHEN
    heartbeat_at = factory.SelfAttribute("started_at")
    finished_at = factory.SelfAttribute("started_at")


class CandidateFactory(DjangoModelFactory):
    class Meta:
        model = Candidate

    kind = CandidateKind.PEER_GROUP
    code = factory.Sequence(lambda n: f"PG-{n + 1:04d}")
    first_run = factory.SubFactory(RefreshRunFactory)
    last_run = factory.SelfAttribute("first_run")
    rank = 1
    size = 2


class HotspotFactory(DjangoModelFactory):
    class Meta:
        model = Hotspot

    run = factory.SubFactory(RefreshRunFactory)
    number = factory.Sequence(lambda n: n + 1)
    harm_type = "cce"
    status = "emerging"
    start = date(2026, 8, 3)
    end = date(2026, 11, 1)
    window_start = factory.SelfAttribute("start")
    window_end = factory.SelfAttribute("end")
    latitude = 51.5468
    longitude = -0.0750
    radius_m = 250
    score = 4.2
    p_value = 0.001
    events = 12


class PartnershipFactory(DjangoModelFactory):
    class Meta:
        model = Partnership
        django_get_or_create = ("code",)

    code = "city-hackney"
    name = "Example partnership"


class AgencyFactory(DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    partnership = factory.SubFactory(PartnershipFactory)
    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.LazyAttribute(lambda a: f"Agency {a.code}")
    sector = "social_care"


# --- casework ---------------------------------------------------------------------------


class ScreeningToolFactory(DjangoModelFactory):
    """The default screening tool's definition, as a new version (``casework.tool``)."""

    class Meta:
        model = ScreeningTool
        django_get_or_create = ("version",)

    version = 1
    name = "Exploitation screening tool"
    definition = factory.LazyFunction(default_definition)
    created_at = WHEN


class CaseFactory(DjangoModelFactory):
    """An open case for a new child (``person=`` for a given one), led by a new agency."""

    class Meta:
        model = Case

    person = factory.SubFactory(PersonFactory)
    lead_agency = factory.SubFactory(AgencyFactory)
    opened_at = WHEN
    opened_by = factory.SubFactory(UserFactory)
    updated_at = WHEN
    level = "medium"


class ScreeningFactory(DjangoModelFactory):
    class Meta:
        model = Screening

    person = factory.SubFactory(PersonFactory)
    tool = factory.SubFactory(ScreeningToolFactory)
    taken_by = factory.SubFactory(UserFactory)
    taken_at = WHEN
    updated_at = WHEN


class QueueItemFactory(DjangoModelFactory):
    """A concern about a child waiting at the front door (its event and child made too)."""

    class Meta:
        model = QueueItem

    event = factory.SubFactory(EventFactory, kind="concern")
    person = factory.SubFactory(PersonFactory)
    arrived_at = WHEN
    due_at = factory.LazyAttribute(lambda q: q.arrived_at + timedelta(days=1))


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan

    case = factory.SubFactory(CaseFactory)
    kind = "safety"
    created_at = WHEN
    created_by = factory.SelfAttribute("case.opened_by")
    review_weeks = 6
    next_review_due = factory.LazyAttribute(lambda p: p.created_at.date() + timedelta(weeks=6))


class PlanVersionFactory(DjangoModelFactory):
    class Meta:
        model = PlanVersion

    plan = factory.SubFactory(PlanFactory)
    number = 1
    goals = factory.LazyFunction(lambda: [{"goal": "Safe at school", "happen": "Daily check-in"}])
    saved_at = WHEN
    saved_by = factory.SelfAttribute("plan.created_by")


class ActionFactory(DjangoModelFactory):
    class Meta:
        model = Action

    case = factory.SubFactory(CaseFactory)
    what = "Visit the family"
    due_on = date(2026, 1, 15)
    created_at = WHEN
    created_by = factory.SelfAttribute("case.opened_by")


class StrategyDiscussionFactory(DjangoModelFactory):
    class Meta:
        model = StrategyDiscussion

    case = factory.SubFactory(CaseFactory)
    due_on = date(2026, 1, 5)
    created_at = WHEN


class NrmReferralFactory(DjangoModelFactory):
    class Meta:
        model = NrmReferral

    case = factory.SubFactory(CaseFactory)
    first_responder = factory.SelfAttribute("case.lead_agency")
    submitted_on = date(2026, 1, 2)
    devolved = True
    rg_due_on = date(2026, 2, 16)
    recorded_by = factory.SelfAttribute("case.opened_by")
    created_at = WHEN
    updated_at = WHEN
