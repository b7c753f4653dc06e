"""The person record page as a composition of sections.

``people`` owns the page (who may open it, at which level, and the access-log entry) and the
registry :data:`record_sections`; every app contributes what it knows of the person in its own
``sections.py`` (``people``: identity, statuses, involvements, sharing and merges; ``concerns``:
the chronology, missing episodes and the return home interview flags and actions; ``contexts``:
associations and the ward; ``insight``: derived intelligence). ``people`` imports none of them.

Slots, top to bottom: ``flags`` (tags in "Key flags"; a section's data is a list of
:class:`Flag`), ``lead`` (under the flags), ``facts`` (the pseudonymised summary list; a list of
:class:`Fact`), ``actions`` (the buttons and links under "Open actions"; a list of
:class:`Action`), ``next`` (what happens next), ``main`` (the numbered sections in the contents)
and ``end``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from django.http import HttpRequest

from efh.core import clock
from efh.core.access import Capability
from efh.people.policy import Level, PersonAccess, View, labels_for
from efh.people.selectors.record import Identity, identity
from efh.people.selectors.sources import Sources
from efh.web.sections import Composed, LookupBatch, SectionRegistry

if TYPE_CHECKING:
    from efh.accounts.models import User

T = TypeVar("T")

record_sections = SectionRegistry(
    "person record", slots=("flags", "lead", "facts", "actions", "next", "main", "end")
)
FULL = View.FULL.value
SHARED_CHRONOLOGY = View.SHARED_CHRONOLOGY.value
"""A record shared for identity and chronology only: a section shows there only if it says so."""
PSEUDONYMISED = View.PSEUDONYMISED.value


@dataclass(frozen=True)
class Flag:
    text: str
    colour: str  # a govuk-tag modifier


@dataclass(frozen=True)
class Fact:
    key: str
    value: str


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    style: str = "link"  # "primary", "secondary" (buttons) or "link"


@dataclass
class RecordContext:
    """What every section of one person's page is built from."""

    user: User
    access: PersonAccess
    request: HttpRequest
    sources: Sources
    identity: Identity
    at: datetime
    labels: LookupBatch = field(default_factory=LookupBatch)
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def person_id(self) -> int:
        return self.access.person.pk

    @property
    def record_ids(self) -> list[int]:
        return [r.pk for r in self.identity.records]

    @property
    def full(self) -> bool:
        """Names, free text and places may be shown (not the pseudonymised view)."""
        return self.access.level == Level.FULL

    @property
    def view(self) -> str:
        return self.access.view.value

    @property
    def known_to(self) -> int:
        """How many agencies hold a record of the person."""
        return len({self.sources.info(r.source).agency_name for r in self.identity.records})

    def memo(self, key: str, compute: Callable[[], T]) -> T:
        """A read two sections share (e.g. the missing episodes for flags and next steps)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]


def level_for(user: User) -> str:
    """The level the page will be shown at, known before the policy answers: a user with
    casework sees the full record or is refused; one without sees the pseudonymised page or is
    refused (``people.policy.access_person``)."""
    return FULL if user.can(Capability.CASEWORK) else PSEUDONYMISED


def record_fields(access: PersonAccess) -> list[str]:
    """The sections the page will show at the access's view, named in the access-log entry."""
    return record_sections.fields(access.view.value)


def record_detail(user: User, request: HttpRequest) -> dict[str, Any]:
    """What the access-log entry records of the request (the chronology's page and filters)."""
    return record_sections.detail(level_for(user), request)


def record_compose(
    user: User, access: PersonAccess, request: HttpRequest
) -> tuple[RecordContext, Composed]:
    """Build every section of the page at the level the policy gave, then label every person
    they name in one query."""
    sources = Sources.load()
    context = RecordContext(
        user=user,
        access=access,
        request=request,
        sources=sources,
        identity=identity(access.person.pk, sources),
        at=clock.now(),
    )
    composed = record_sections.compose(context, access.view.value)
    context.labels.resolve(lambda ids: labels_for(user, ids))
    return context, composed
