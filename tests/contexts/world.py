"""A small synthetic world for the record and place pages' tests.

``build_world(demo)`` makes (all names invented):

- Ada, a child known to police and education (two source records), with an alias, two
  addresses, an open looked-after status and an ended child-in-need status, a school; a police
  incident at Mare Street Park whose summary is hostile text (script, HTML, a formula), an
  education exclusion, a health A&E attendance (health holds no record of her), a missing
  episode that ended five days ago with no interview (overdue), and one still open;
- Bea, a child only health knows (a witness at Ada's A&E attendance), Ada's friend (so police
  see her initials only);
- Cal, a child police know, Ada's friend (police see his name);
- Dev, an adult police know, linked to Ada as a suspected exploiter with handling code C (police
  roles only);
- a peer group and the park as Ada's associations; Dev frequents the park too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from efh.concerns.models import Event, EventPerson, HarmType, MissingEpisode
from efh.contexts.models import Association, Location, Organisation, PeerGroup, Ward
from efh.core.models import Delivery
from efh.people.models import Address, Alias, Person, PersonRecord, Status
from factories import (
    AssociationFactory,
    DeliveryFactory,
    EventFactory,
    EventPersonFactory,
    LocationFactory,
    MissingEpisodeFactory,
    OrganisationFactory,
    PeerGroupFactory,
    PersonFactory,
    PersonRecordFactory,
)

HOSTILE = '<script>alert("x")</script><b>bold</b> =HYPERLINK("http://evil.invalid","click")'


@dataclass
class World:
    ada: Person
    bea: Person
    cal: Person
    dev: Person
    ada_police: PersonRecord
    ada_education: PersonRecord
    park: Location
    school: Organisation
    group: PeerGroup
    incident: Event
    exclusion: Event
    ae: Event
    overdue: MissingEpisode
    still_missing: MissingEpisode
    delivery: Delivery


def record(person: Person, source: str, given: str, family: str, **kw: Any) -> PersonRecord:
    values: dict[str, Any] = {"sex": "F", "ethnicity": "W1", "date_of_birth": date(2010, 5, 17)}
    values.update(kw)
    return PersonRecordFactory(
        person=person, source=source, given_name=given, family_name=family, **values
    )


def event(kind: str, source: str, when: datetime, **kw: Any) -> Event:
    return EventFactory(kind=kind, source=source, occurred_at=when, **kw)


def involve(ev: Event, rec: PersonRecord, role: str, delivery: Delivery) -> EventPerson:
    return EventPersonFactory(event=ev, record=rec, role=role, delivery=delivery)


def associate(rec: PersonRecord, kind: str, source: str = "police", **kw: Any) -> Association:
    other_kind = next((k for k, field in OTHER_KINDS if field in kw), "group")
    kw.setdefault("other_record", None)
    return AssociationFactory(record=rec, other_kind=other_kind, kind=kind, source=source, **kw)


OTHER_KINDS = [
    ("person", "other_record"),
    ("location", "location"),
    ("organisation", "organisation"),
    ("group", "group"),
]


def build_world() -> World:
    now = datetime.now(tz=UTC)
    delivery = DeliveryFactory()
    ward = Ward.objects.get_or_create(
        code="E05009372",
        defaults={"name": "Hackney Central", "latitude": 51.55, "longitude": -0.06},
    )[0]
    park = LocationFactory(name="Mare Street Park", postcode="E8 1AA", ward=ward)
    school = OrganisationFactory(name="Example Academy", postcode="E8 2BB", ward=ward)
    group = PeerGroupFactory(name="Mare Street group")

    ada = PersonFactory()
    ada_police = record(ada, "police", "Ada", "Lovelock", pnc_id="10/123456A")
    ada_education = record(
        ada,
        "education",
        "Ada",
        "Lovelock-Smith",
        upn="A123456789012",
        school=school,
        recorded_at=datetime(2026, 2, 1, tzinfo=UTC),
    )
    Alias.objects.create(record=ada_police, name="Little A")
    Address.objects.create(
        record=ada_police,
        address="1 Old Road",
        postcode="E5 0AA",
        valid_from=datetime(2020, 1, 1, tzinfo=UTC),
        valid_to=datetime(2024, 1, 1, tzinfo=UTC),
    )
    Address.objects.create(
        record=ada_education,
        address="2 New Street",
        postcode="E8 1AA",
        valid_from=datetime(2024, 1, 1, tzinfo=UTC),
    )
    Status.objects.create(
        record=ada_education, kind="looked_after", started=datetime(2025, 6, 1, tzinfo=UTC)
    )
    Status.objects.create(
        record=ada_education,
        kind="child_in_need",
        started=datetime(2023, 1, 1, tzinfo=UTC),
        ended=datetime(2024, 1, 1, tzinfo=UTC),
    )

    bea = PersonFactory()
    bea_health = record(bea, "health", "Bea", "Quill")
    cal = PersonFactory()
    cal_police = record(cal, "police", "Cal", "Rowntree", sex="M")
    dev = PersonFactory()
    dev_police = record(
        dev, "police", "Dev", "Stone", is_child=False, date_of_birth=date(1990, 1, 1), sex="M"
    )

    cce = HarmType.objects.get(code="cce")
    incident = event(
        "incident",
        "police",
        now - timedelta(days=30),
        location=park,
        summary=HOSTILE,
        child_words="=cmd|' /C calc'!A0",
    )
    incident.harm_types.add(cce)
    involve(incident, ada_police, "victim", delivery)
    involve(incident, dev_police, "suspect", delivery)
    exclusion = event(
        "exclusion", "education", now - timedelta(days=60), organisation=school, summary="Excluded"
    )
    involve(exclusion, ada_education, "subject", delivery)
    ae = event("ae_attendance", "health", now - timedelta(days=10), summary="Attended A&E")
    ae.harm_types.add(HarmType.objects.get(code="self_harm"))
    involve(ae, ada_police, "subject", delivery)
    involve(ae, bea_health, "witness", delivery)

    overdue = MissingEpisodeFactory(
        record=ada_police,
        missing_from="care",
        went_missing_at=now - timedelta(days=7),
        returned_at=now - timedelta(days=5),
        found_location=park,
    )
    still_missing = MissingEpisodeFactory(
        record=ada_police, missing_from="home", went_missing_at=now - timedelta(hours=6)
    )

    associate(ada_police, "friend", other_record=bea_health, handling_code="P")
    associate(ada_police, "friend", other_record=cal_police, last_seen=date(2026, 3, 1))
    associate(
        ada_police,
        "suspected_exploiter",
        other_record=dev_police,
        source_evaluation="2",
        intelligence_evaluation="B",
        handling_code="C",
    )
    associate(ada_police, "member_of", group=group)
    associate(ada_police, "frequents", location=park)
    associate(ada_education, "attends", source="education", organisation=school)
    associate(dev_police, "frequents", location=park, handling_code="C")
    associate(cal_police, "frequents", location=park)
    return World(
        ada=ada,
        bea=bea,
        cal=cal,
        dev=dev,
        ada_police=ada_police,
        ada_education=ada_education,
        park=park,
        school=school,
        group=group,
        incident=incident,
        exclusion=exclusion,
        ae=ae,
        overdue=overdue,
        still_missing=still_missing,
        delivery=delivery,
    )
