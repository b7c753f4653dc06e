"""Who may see what of the concerns app's records.

``recorded_by_agency`` extends the people app's need to know (``people.extensions``): an agency
that recorded an event about a person, or a missing episode of theirs, has recorded about them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from efh.concerns.models import Event, EventPerson, MissingEpisode
from efh.core.access import Capability
from efh.core.models import AccessAction
from efh.core.policies import CHANGE, VIEW, register
from efh.core.services import access_log_record
from efh.people.policy import View, access_person, agency_source_codes, instances_user_can_view

if TYPE_CHECKING:
    from efh.accounts.models import User


def recorded_by_agency(codes: list[str]) -> Q:
    """True of a ``Person`` where one of these sources recorded an event about them or one of
    their missing episodes."""
    return Q(
        Exists(EventPerson.objects.filter(record__person=OuterRef("pk"), event__source__in=codes))
    ) | Q(Exists(MissingEpisode.objects.filter(record__person=OuterRef("pk"), source__in=codes)))


class MissingEpisodePolicy:
    """Missing episodes: those of the children whose whole record the user may open; one
    episode, its child's access checked (and logged) by ``people.policy.access_person``."""

    resource = "missing_episode"

    def instances_user_can_view(self, user: User) -> QuerySet[MissingEpisode]:
        return MissingEpisode.objects.filter(record__person__in=instances_user_can_view(user))

    def access(
        self, user: User, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> MissingEpisode:
        episode = MissingEpisode.objects.select_related("record").filter(pk=pk).first()
        if episode is None:
            raise Http404("No such missing episode")
        if action == CHANGE and not user.can(Capability.RECORD):
            raise PermissionDenied("Your role does not record missing episodes")
        access_person(
            user,
            episode.record.person_id,
            request=request,
            object_type=self.resource,
            fields=["missing_episode"],
            detail={"episode": episode.pk, "action": action},
            views=(View.FULL,),
        )
        return episode


class EventPolicy:
    """Events (concerns, incidents...): those about a child whose record the user may open, or
    that the user's agency recorded; one event, refused (and logged) for anyone else."""

    resource = "event"

    def instances_user_can_view(self, user: User) -> QuerySet[Event]:
        if not getattr(user, "is_authenticated", False) or not user.can(Capability.CASEWORK):
            return Event.objects.none()
        people = instances_user_can_view(user)
        return Event.objects.filter(
            Q(pk__in=EventPerson.objects.filter(record__person__in=people).values("event_id"))
            | Q(source__in=agency_source_codes(user))
        )

    def access(
        self, user: User, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Event:
        event = Event.objects.filter(pk=pk).first()
        if event is None:
            raise Http404("No such event")
        allowed = self.instances_user_can_view(user).filter(pk=event.pk).exists()
        if allowed and action == CHANGE:
            allowed = user.can(Capability.RECORD)
        access_log_record(
            actor=user,
            action=AccessAction.VIEW if allowed else AccessAction.REFUSED,
            object_type=self.resource,
            object_id=event.pk,
            fields=["summary", "people"] if allowed else [],
            detail={"action": action} if allowed else {"outcome": "refused", "action": action},
            request=request,
        )
        if not allowed:
            raise PermissionDenied("You may not open this event")
        return event


register(MissingEpisodePolicy())
register(EventPolicy())


def can_record(user: Any) -> bool:
    """May record concerns, missing episodes, return home interviews and Philomena profiles: a
    role that records, and an agency to record for (the record's source is the agency's)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.can(Capability.RECORD)
        and user.agency_id is not None
    )


def require_recorder(user: Any) -> None:
    if not can_record(user):
        raise PermissionDenied("Your role does not record concerns")
