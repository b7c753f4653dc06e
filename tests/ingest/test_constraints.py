"""The database itself refuses impossible records, whatever writes them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from efh.concerns.models import Event, EventPerson, MissingEpisode
from efh.contexts.models import Association, Location, Organisation, PeerGroup
from efh.core.models import Delivery
from efh.people.models import Address, Person, PersonRecord, Status

T0 = datetime(2026, 8, 30, 21, 15, tzinfo=UTC)


@pytest.fixture
def world(db):
    delivery = Delivery.objects.create(fingerprint="f" * 64, path="/deliveries/1")
    common = {
        "source": "police",
        "delivery": delivery,
        "line": 2,
        "row_hash": "0" * 32,
        "raw": {"source": "police"},
    }

    def record(source_id: str) -> PersonRecord:
        return PersonRecord.objects.create(
            **common,
            source_id=source_id,
            person=Person.objects.create(),
            given_name="Leyla",
            family_name="Yilmaz",
            recorded_at=T0,
        )

    return {
        "common": common,
        "child": record("PN-10"),
        "adult": record("PN-9"),
        "location": Location.objects.create(**common, source_id="LOC-1", name="Park", kind="park"),
        "organisation": Organisation.objects.create(
            **common, source_id="SCH-1", name="Academy", kind="school"
        ),
        "group": PeerGroup.objects.create(source="police", name="Example Boys"),
    }


def _refused(create) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


def _association(world, n: int = 1, **fields) -> Association:
    values = {
        **world["common"],
        "source_id": f"AS-{n}",
        "record": world["child"],
        "other_kind": "person",
        "other_record": world["adult"],
        "kind": "suspected_exploiter",
        **fields,
    }
    return Association.objects.create(**values)


def test_a_well_formed_association_of_each_kind_is_accepted(world):
    _association(world, 1, first_seen=date(2026, 7, 1), last_seen=date(2026, 7, 1))
    _association(world, 2, other_kind="location", other_record=None, location=world["location"])
    _association(
        world, 3, other_kind="organisation", other_record=None, organisation=world["organisation"]
    )
    _association(world, 4, other_kind="group", other_record=None, group=world["group"])
    _association(world, 5, source_evaluation="3", intelligence_evaluation="E", handling_code="C")

    assert Association.objects.count() == 5


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"location_id": "location"}, id="person-and-location"),
        pytest.param({"group_id": "group"}, id="person-and-group"),
        pytest.param(
            {"other_kind": "location", "location_id": "location"}, id="location-kind-two-targets"
        ),
        pytest.param({"other_kind": "location"}, id="location-kind-names-a-person"),
        pytest.param({"other_record": None}, id="no-target"),
    ],
)
def test_an_association_has_exactly_one_target_of_its_kind(world, fields):
    values = {k: (world[v].pk if k.endswith("_id") else v) for k, v in fields.items()}

    _refused(lambda: _association(world, **values))


@pytest.mark.parametrize(
    "grading",
    [
        {"source_evaluation": "4"},
        {"intelligence_evaluation": "F"},
        {"handling_code": "X"},
        {"source_evaluation": "a"},
    ],
    ids=lambda g: "-".join(f"{k}={v}" for k, v in g.items()),
)
def test_an_association_grading_is_3x5x2(world, grading):
    _refused(lambda: _association(world, **grading))


def test_an_association_is_not_last_seen_before_first_seen(world):
    _refused(lambda: _association(world, first_seen=date(2026, 8, 30), last_seen=date(2026, 8, 29)))


def _event(world, **fields) -> Event:
    values = {
        **world["common"],
        "source_id": "EV-1",
        "kind": "incident",
        "occurred_at": T0,
        "recorded_at": T0,
        **fields,
    }
    return Event.objects.create(**values)


def test_an_event_is_not_recorded_before_it_occurred(world):
    _event(world, source_id="EV-0")  # recorded the moment it occurred: accepted

    _refused(lambda: _event(world, recorded_at=T0 - timedelta(seconds=1)))


def test_an_event_is_at_one_place_at_most(world):
    _refused(lambda: _event(world, location=world["location"], organisation=world["organisation"]))


def _episode(world, **fields) -> MissingEpisode:
    values = {
        **world["common"],
        "source_id": "MS-1",
        "record": world["child"],
        "missing_from": "home",
        "went_missing_at": T0,
        **fields,
    }
    return MissingEpisode.objects.create(**values)


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"returned_at": T0 - timedelta(minutes=1)}, id="returned-before-leaving"),
        pytest.param({"reported_at": T0 - timedelta(minutes=1)}, id="reported-before-leaving"),
        pytest.param(
            {"rhi_offered_at": T0 + timedelta(days=2), "rhi_completed_at": T0 + timedelta(days=1)},
            id="interview-completed-before-offered",
        ),
    ],
)
def test_a_missing_episode_keeps_its_order(world, fields):
    _episode(world, source_id="MS-0", returned_at=T0, reported_at=T0)  # same instant: accepted

    _refused(lambda: _episode(world, **fields))


@pytest.mark.parametrize(
    "model", ["person", "location", "organisation", "event", "association", "episode"]
)
def test_a_source_id_is_stored_once_per_source(world, model):
    def make(source: str):
        common = {**world["common"], "source": source}
        if model == "person":
            return PersonRecord.objects.create(
                **common,
                source_id="PN-10",
                person=Person.objects.create(),
                given_name="L",
                family_name="Y",
                recorded_at=T0,
            )
        if model == "location":
            return Location.objects.create(**common, source_id="LOC-1", name="Park", kind="park")
        if model == "organisation":
            return Organisation.objects.create(**common, source_id="SCH-1", name="A", kind="school")
        if model == "event":
            return _event(world, source=source, source_id="EV-9")
        if model == "association":
            return _association(world, 9, source=source)
        return _episode(world, source=source, source_id="MS-9")

    make("education")  # the same source_id from another source is another record
    if model in ("event", "association", "episode"):
        make("police")

    _refused(lambda: make("police"))


def test_an_event_role_is_stored_once(world):
    event = _event(world)

    def role(name: str) -> EventPerson:
        return EventPerson.objects.create(
            event=event,
            record=world["child"],
            role=name,
            source="police",
            delivery=event.delivery,
            line=3,
            raw={},
        )

    role("victim")
    role("witness")

    _refused(lambda: role("victim"))


def test_an_address_does_not_end_before_it_starts(world):
    _refused(
        lambda: Address.objects.create(
            record=world["child"], postcode="E8 1AB", valid_from=T0, valid_to=T0 - timedelta(days=1)
        )
    )


def test_a_status_does_not_end_before_it_starts_and_one_of_a_kind_is_open(world):
    Status.objects.create(record=world["child"], kind="looked_after", started=T0, ended=T0)
    Status.objects.create(record=world["child"], kind="looked_after", started=T0)

    _refused(
        lambda: Status.objects.create(
            record=world["child"], kind="send", started=T0, ended=T0 - timedelta(days=1)
        )
    )
    _refused(lambda: Status.objects.create(record=world["child"], kind="looked_after", started=T0))
