"""Writes for recording a concern: the concern itself, and the drafts that keep it safe while
it is being written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from efh.concerns.models import ConcernDraft, Event, EventKind, EventPerson, HarmType, Role
from efh.concerns.policy import can_record
from efh.concerns.selectors.concern import (
    PersonOption,
    people_search,
    persons_viewable,
)
from efh.concerns.validators import check_lengths
from efh.contexts.models import Location, Organisation
from efh.core.changes import created
from efh.core.models import AccessAction, ObjectType, Source
from efh.core.services import access_log_record, platform_provenance, platform_raw, platform_source
from efh.people.models import Person, PersonRecord

if TYPE_CHECKING:
    from efh.accounts.models import User


class CannotRecord(PermissionDenied):
    """The user may not record concerns (no capability, or no agency to record for)."""


@dataclass(frozen=True)
class PersonInConcern:
    """Someone involved: an existing person (``person_id``) or a new one (names, birth date)."""

    role: Role | str
    person_id: int | None = None
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    is_child: bool | None = None  # as the practitioner said; None: not known (or by birth date)


def _check_can_record(actor: User) -> None:
    if not can_record(actor):
        raise CannotRecord(
            "Your role does not record concerns"
            if actor.agency_id is not None
            else "Your account belongs to no agency to record for"
        )


def _is_child(dob: date | None, at: datetime) -> bool | None:
    if dob is None:
        return None
    today = timezone.localtime(at).date()
    age = today.year - dob.year - ((today.month, today.day) < (dob.month, dob.day))
    return age < 18


def _record_for(person_id: int, codes: list[str]) -> PersonRecord:
    """The record an event role points at: the user's agency's own record of the person if it
    has one, else the most recently recorded (linkage keeps every record of a person together)."""
    records = PersonRecord.objects.filter(person_id=person_id)
    own = records.filter(source__in=codes).order_by("-recorded_at", "-pk").first()
    if own is not None:
        return own
    record = records.order_by("-recorded_at", "-pk").first()
    if record is None:
        raise ValueError(f"person {person_id} has no record")
    return record


@transaction.atomic
def concern_record(
    *,
    actor: User,
    occurred_at: datetime,
    summary: str,
    people: list[PersonInConcern],
    harm_type_ids: list[int] | None = None,
    child_words: str = "",
    place: Location | Organisation | None = None,
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    submitted: dict[str, Any] | None = None,
    draft_id: int | None = None,
    request: HttpRequest | None = None,
) -> Event:
    """Record a concern on the platform for the actor's agency.

    The event comes from the agency's platform source with a new unique id, ``raw`` holding
    what was submitted as typed; new people get a person and a record in the same source. The
    people named must be ones the actor may open (the form found them through the policy).
    Recording makes the actor's agency one that has recorded on each person, which is what
    ``people.policy`` reads from the event's source. The draft it came from is deleted.
    """
    _check_can_record(actor)
    check_lengths({"summary": summary, "child_words": child_words})
    if not people:
        raise ValueError("a concern names at least one person")
    now = timezone.now()
    if occurred_at > now:
        raise ValueError("a concern cannot be about the future")
    existing = [p.person_id for p in people if p.person_id is not None]
    refused = set(existing) - persons_viewable(user=actor, person_ids=existing)
    if refused:
        raise PermissionDenied(f"no need to know person(s) {sorted(refused)}")
    source = platform_source(actor.agency)
    codes = list(Source.objects.filter(agency=actor.agency).values_list("code", flat=True))
    event = Event.objects.create(
        kind=EventKind.CONCERN,
        **platform_provenance(
            actor.agency, submitted if submitted is not None else {"summary": summary}
        ),
        occurred_at=occurred_at,
        recorded_at=now,
        recorded_by=actor,
        location=place if isinstance(place, Location) else None,
        organisation=place if isinstance(place, Organisation) else None,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        summary=summary,
        child_words=child_words,
    )
    harm_types = list(HarmType.objects.filter(pk__in=harm_type_ids or [], active=True))
    event.harm_types.set(harm_types)
    created_people = []
    roles = []
    for person in people:
        if person.person_id is None:
            is_child = (
                person.is_child
                if person.is_child is not None
                else _is_child(person.date_of_birth, now)
            )
            record = PersonRecord.objects.create(
                person=Person.objects.create(),
                **platform_provenance(
                    actor.agency,
                    {
                        "given_name": person.given_name,
                        "family_name": person.family_name,
                        "date_of_birth": person.date_of_birth,
                        "is_child": person.is_child,
                    },
                ),
                given_name=person.given_name,
                family_name=person.family_name,
                date_of_birth=person.date_of_birth,
                is_child=is_child,
                recorded_at=now,
            )
            created_people.append(record)
        else:
            record = _record_for(person.person_id, codes)
        role_raw, _ = platform_raw({"person": record.person_id, "role": str(person.role)})
        roles.append(
            EventPerson(
                event=event,
                record=record,
                role=str(person.role),
                source=source.code,
                delivery=None,
                line=None,
                raw=role_raw,
            )
        )
    EventPerson.objects.bulk_create(roles, ignore_conflicts=True)
    for record in created_people:
        access_log_record(
            actor=actor,
            action=AccessAction.CREATE,
            object_type=ObjectType.PERSON,
            object_id=record.person_id,
            fields=["given_name", "family_name", "date_of_birth", "is_child"],
            detail={
                "record": f"{record.source}/{record.source_id}",
                "via": "concern",
                "changes": created(
                    {
                        "given_name": record.given_name,
                        "family_name": record.family_name,
                        "date_of_birth": record.date_of_birth,
                        "is_child": record.is_child,
                    },
                ),
            },
            request=request,
        )
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.EVENT,
        object_id=event.pk,
        fields=[
            "occurred_at",
            "place",
            "harm_types",
            "summary",
            "child_words",
            "people",
        ],
        detail={
            "kind": EventKind.CONCERN.value,
            "source": f"{event.source}/{event.source_id}",
            "people": [{"person": r.record.person_id, "role": r.role} for r in roles],
            "changes": created(
                {
                    "occurred_at": occurred_at,
                    "place": f"{type(place).__name__.lower()}:{place.pk}" if place else None,
                    "postcode": postcode,
                    "latitude": latitude,
                    "longitude": longitude,
                    "harm_types": sorted(h.code for h in harm_types),
                    "summary": summary,
                    "child_words": child_words,
                },
            ),
        },
        request=request,
    )
    if draft_id is not None:
        ConcernDraft.objects.filter(pk=draft_id, user=actor).delete()
    return event


@transaction.atomic
def concern_draft_save(
    *,
    actor: User,
    fields: dict[str, list[str]],
    draft_id: int | None = None,
    person_id: int | None = None,
    request: HttpRequest | None = None,
) -> ConcernDraft | None:
    """Save the form's fields as typed into the actor's draft (a new one without ``draft_id``).

    Returns None when ``draft_id`` is not one of the actor's drafts. Making a draft is logged;
    each later autosave of the same draft (every few seconds while typing) is not, as it only
    keeps the user's own unfinished words."""
    _check_can_record(actor)
    if person_id is not None and not persons_viewable(user=actor, person_ids=[person_id]):
        person_id = None
    if draft_id is not None:
        draft = ConcernDraft.objects.select_for_update().filter(pk=draft_id, user=actor).first()
        if draft is None:
            return None
        draft.data = fields
        draft.person_id = person_id
        draft.save(update_fields=["data", "person", "updated_at"])
        return draft
    draft = ConcernDraft.objects.create(user=actor, data=fields, person_id=person_id)
    access_log_record(
        actor=actor,
        action=AccessAction.CREATE,
        object_type=ObjectType.CONCERN_DRAFT,
        object_id=draft.pk,
        detail={"person": person_id} if person_id else {},
        request=request,
    )
    return draft


@transaction.atomic
def concern_draft_delete(*, actor: User, draft_id: int, request: HttpRequest | None = None) -> bool:
    """Throw away one of the actor's drafts; False if it is not theirs (or already gone)."""
    deleted, _ = ConcernDraft.objects.filter(pk=draft_id, user=actor).delete()
    if deleted:
        access_log_record(
            actor=actor,
            action=AccessAction.UPDATE,
            object_type=ObjectType.CONCERN_DRAFT,
            object_id=draft_id,
            detail={"deleted": True},
            request=request,
        )
    return bool(deleted)


@transaction.atomic
def concern_people_search(
    *, actor: User, query: str, exclude: set[int], request: HttpRequest | None = None
) -> list[PersonOption]:
    """Search, for the concern form, the people the actor may open; logged with its terms."""
    results = people_search(user=actor, query=query, exclude=exclude)
    access_log_record(
        actor=actor,
        action=AccessAction.SEARCH,
        # As the "Search people" screen logs, so that the auditors' "who looked at this child"
        # finds the searches that showed them.
        object_type=ObjectType.PERSON_SEARCH,
        detail={
            "terms": {"name": query},
            "results": [option.person_id for option in results],
            "restricted": [],
            "for": "concern",
        },
        request=request,
    )
    return results


@transaction.atomic
def concern_draft_opened(*, actor: User, draft: ConcernDraft, request: HttpRequest) -> None:
    """Log the opening of a draft that names people (the form shows their names)."""
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=ObjectType.CONCERN_DRAFT,
        object_id=draft.pk,
        detail={"person": draft.person_id} if draft.person_id else {},
        request=request,
    )


@transaction.atomic
def concern_confirmation_viewed(*, actor: User, event: Event, request: HttpRequest) -> None:
    access_log_record(
        actor=actor,
        action=AccessAction.VIEW,
        object_type=ObjectType.EVENT,
        object_id=event.pk,
        fields=["people"],
        detail={"page": "concern recorded"},
        request=request,
    )


def concern_drafts_viewed(
    *, actor: User, drafts: list[Any], request: HttpRequest | None = None
) -> None:
    """The user's list of drafts names the people they are about: a view of personal data,
    logged when it names anyone."""
    named = sorted({d.person_id for d in drafts if d.person_id and d.about})
    if named:
        access_log_record(
            actor=actor,
            action=AccessAction.VIEW,
            object_type=ObjectType.CONCERN_DRAFT,
            fields=["names"],
            detail={"people": named},
            request=request,
        )
