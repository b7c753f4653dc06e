"""The permission policy for persons (children and adults): who may open whose record.

Every view, list, search, export and queryset that shows a person goes through this module
(DESIGN.md: one permission policy per resource; fetch and authorise in one call):

- :func:`instances_user_can_view` is the queryset of persons a user may open, so lists and
  searches are filtered by the database and cannot leak.
- :func:`access_person` fetches one person for a user, or raises :class:`NeedToKnow` (the record
  exists, and who knows the child) or ``Http404``; it writes the access-log entry itself.
- :func:`labels_for` names people on someone else's record: the name where the user may open
  that person's own record, initials where not (a child's friends, PRACTICE.md).

The grounds, in the issue's words: a practitioner sees a record when their agency has recorded
on it, they hold an involvement or allocation, or it has been shared with them by a recorded
information-sharing decision; the front door and the panel see every record; anyone else with
casework may break the glass, giving a reason that is flagged for audit review. Analysts and
managers without casework see pseudonymised records only.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from efh.core.access import Capability
from efh.core.clock import now
from efh.core.models import AccessAction, Source
from efh.core.policies import CHANGE, VIEW, register
from efh.core.services import access_log_record
from efh.people.extensions import agency_recorded_conditions, need_to_know_conditions
from efh.people.models import (
    BreakGlassAccess,
    Involvement,
    Person,
    PersonRecord,
    SharingDecision,
    SharingScope,
)

if TYPE_CHECKING:
    from efh.accounts.models import User


class Level(StrEnum):
    FULL = "full"
    PSEUDONYMISED = "pseudonymised"


class View(StrEnum):
    """What of a record the user sees: the whole record; only identity and chronology (all an
    information-sharing decision of that scope gives); or the pseudonymised record."""

    FULL = "full"
    SHARED_CHRONOLOGY = "shared_chronology"
    PSEUDONYMISED = "pseudonymised"


EVERY_VIEW = tuple(View)


class Ground(StrEnum):
    PARTNERSHIP_WIDE = "partnership_wide"
    AGENCY_RECORDED = "agency_recorded"
    INVOLVED = "involved"
    SHARED = "shared"
    CASE = "case"
    BREAK_GLASS = "break_glass"
    PSEUDONYMISED = "pseudonymised"


GROUND_LABELS = {
    Ground.PARTNERSHIP_WIDE: "Your role covers every child (front door or panel)",
    Ground.AGENCY_RECORDED: "Your agency has recorded on this person",
    Ground.INVOLVED: "You are involved with or allocated to this person",
    Ground.SHARED: "Shared with you by an information-sharing decision",
    Ground.CASE: "Your agency leads the child's case, or you work on it",
    Ground.BREAK_GLASS: "You broke the glass, giving a reason; this access will be reviewed",
    Ground.PSEUDONYMISED: "Pseudonymised view for analysis",
}


class NotPermitted(PermissionDenied):
    """The user may open the record, but not at the view this screen needs (an analyst's
    pseudonymised view, or a share of identity and chronology only); logged as refused."""

    def __init__(self, person_id: int, view: View) -> None:
        super().__init__("not at this view")
        self.person_id = person_id
        self.view = view


class NeedToKnow(PermissionDenied):
    """The person exists but the user has no ground to open the record.

    Carries what the user may be told: how many agencies know the person, and whether they may
    break the glass."""

    def __init__(self, person_id: int, known_to: int, can_break_glass: bool) -> None:
        super().__init__("no need to know")
        self.person_id = person_id
        self.known_to = known_to
        self.can_break_glass = can_break_glass


@dataclass(frozen=True)
class PersonAccess:
    person: Person
    level: Level
    grounds: tuple[Ground, ...]
    break_glass: BreakGlassAccess | None = None
    sees_police_only: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    scope: SharingScope = SharingScope.WHOLE_RECORD

    @property
    def full(self) -> bool:
        return self.level == Level.FULL

    @property
    def view(self) -> View:
        if self.level == Level.PSEUDONYMISED:
            return View.PSEUDONYMISED
        if self.scope == SharingScope.CHRONOLOGY:
            return View.SHARED_CHRONOLOGY
        return View.FULL

    @property
    def ground_labels(self) -> list[str]:
        return [GROUND_LABELS[g] for g in self.grounds]


def agency_source_codes(user: User) -> list[str]:
    """The sending systems of the user's agency, the platform's own source for it included.

    The configured sources are read once per user object (one request: the record page asks
    the policy several times); the platform source's code is derived, not read, so an agency's
    first concern counts at once even on the same user object."""
    if user.agency is None:
        return []
    cached: list[str] | None = getattr(user, "_efh_agency_sources", None)
    if cached is None:
        cached = list(Source.objects.filter(agency=user.agency).values_list("code", flat=True))
        user._efh_agency_sources = cached  # type: ignore[attr-defined]
    return sorted({*cached, Source.platform_code(user.agency.code)})


def _agency_recorded(codes: list[str]) -> Q:
    """The person has a record from one of these sources, or another app says one of them
    recorded about the person (``people.extensions.register_agency_recorded``)."""
    if not codes:
        return Q(pk__in=[])
    q = Q(Exists(PersonRecord.objects.filter(person=OuterRef("pk"), source__in=codes)))
    for condition in agency_recorded_conditions():
        q |= condition(codes)
    return q


def _involved(user: User, at: datetime) -> Q:
    return Q(
        Exists(
            Involvement.objects.filter(person=OuterRef("pk"), user=user).filter(
                Q(ended_at__isnull=True) | Q(ended_at__gt=at)
            )
        )
    )


def _shared(user: User, at: datetime) -> Q:
    recipient = Q(to_user=user)
    if user.agency_id is not None:
        recipient |= Q(to_agency_id=user.agency_id)
    return Q(
        Exists(
            SharingDecision.objects.filter(person=OuterRef("pk"), withdrawn_at__isnull=True)
            .filter(recipient)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        )
    )


def _case(user: User, at: datetime) -> Q:
    """Grounds the apps above give (``people.extensions.register_need_to_know``)."""
    q = Q(pk__in=[])
    for condition in need_to_know_conditions():
        q |= condition(user, at)
    return q


def _broken_glass(user: User, at: datetime) -> Q:
    return Q(
        Exists(BreakGlassAccess.objects.filter(person=OuterRef("pk"), user=user, expires_at__gt=at))
    )


def instances_user_can_view(user: User) -> QuerySet[Person]:
    """Every person whose full record the user may open now."""
    if not getattr(user, "is_authenticated", False) or not user.can(Capability.CASEWORK):
        return Person.objects.none()
    if user.can(Capability.PARTNERSHIP_WIDE):
        return Person.objects.all()
    at = now()
    # The cheap grounds first: PostgreSQL tests OR'd subqueries in order and stops at the first
    # that holds, and "the agency recorded on them" (a scan of the agency's events) is the
    # costliest (bench/casework.py: a worker's case list 82 ms -> 6 ms).
    return Person.objects.filter(
        _case(user, at)
        | _involved(user, at)
        | _shared(user, at)
        | _broken_glass(user, at)
        | _agency_recorded(agency_source_codes(user))
    )


def grounds_for(user: User, person_id: int) -> tuple[Ground, ...]:
    """Why the user may open this person's full record (empty: they may not)."""
    if not getattr(user, "is_authenticated", False) or not user.can(Capability.CASEWORK):
        return ()
    if user.can(Capability.PARTNERSHIP_WIDE):
        return (Ground.PARTNERSHIP_WIDE,)
    at = now()
    one = Person.objects.filter(pk=person_id)
    checks = [
        (Ground.AGENCY_RECORDED, _agency_recorded(agency_source_codes(user))),
        (Ground.INVOLVED, _involved(user, at)),
        (Ground.SHARED, _shared(user, at)),
        (Ground.CASE, _case(user, at)),
        (Ground.BREAK_GLASS, _broken_glass(user, at)),
    ]
    flags = one.annotate(
        **{f"g_{g.value}": ExpressionWrapper(q, output_field=BooleanField()) for g, q in checks}
    )
    row = flags.values(*[f"g_{g.value}" for g, _ in checks]).first()
    if row is None:
        return ()
    return tuple(g for g, _ in checks if row[f"g_{g.value}"])


def _shared_scope(user: User, person_id: int) -> SharingScope:
    """The widest scope shared with the user (or their agency) in force for this person."""
    recipient = Q(to_user=user)
    if user.agency_id is not None:
        recipient |= Q(to_agency_id=user.agency_id)
    at = now()
    scopes = set(
        SharingDecision.objects.filter(person_id=person_id, withdrawn_at__isnull=True)
        .filter(recipient)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .values_list("scope", flat=True)
    )
    if SharingScope.WHOLE_RECORD in scopes or not scopes:
        return SharingScope.WHOLE_RECORD
    return SharingScope.CHRONOLOGY


def known_to(person_ids: list[int]) -> dict[int, int]:
    """How many agencies hold a record of each person (what anyone may be told)."""
    source_agency = dict(Source.objects.values_list("code", "agency_id"))
    agencies: dict[int, set[Any]] = {pid: set() for pid in person_ids}
    rows = PersonRecord.objects.filter(person_id__in=person_ids).values_list("person_id", "source")
    for person_id, source in rows.distinct():
        agencies[person_id].add(source_agency.get(source) or f"source:{source}")
    return {pid: len(a) for pid, a in agencies.items()}


def pseudonym(person_id: int) -> str:
    """A stable pseudonym for analysts: a keyed hash of the id, not reversible without the key."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"person:{person_id}".encode(), hashlib.sha256
    ).hexdigest()
    return f"P-{digest[:10].upper()}"


def access_person(
    user: User,
    person_id: int,
    *,
    request: HttpRequest | None = None,
    fields: list[str] | Callable[[PersonAccess], list[str]] | None = None,
    detail: dict[str, Any] | None = None,
    object_type: str = "person",
    views: tuple[View, ...] = EVERY_VIEW,
) -> PersonAccess:
    """Fetch a person for this user and log the view, or raise ``NeedToKnow`` (no ground to
    open the record), ``NotPermitted`` (not at a view the screen allows: ``views``) or
    ``Http404``.

    ``fields`` names what the screen shows, or works it out from the access (the record page
    shows less of a record shared for identity and chronology only). A refused attempt is
    logged as refused (``detail.outcome = "refused"``, with the reason), never as a view, so an
    auditor sees who tried to open what.
    """
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        raise Http404("No such person")
    grounds = grounds_for(user, person.pk)
    level = Level.FULL
    if not grounds:
        if user.can(Capability.PSEUDONYMISED) and not user.can(Capability.CASEWORK):
            grounds, level = (Ground.PSEUDONYMISED,), Level.PSEUDONYMISED
        else:
            _log_refused(user, person.pk, object_type, detail, request, "need_to_know")
            raise NeedToKnow(
                person.pk, known_to([person.pk])[person.pk], user.can(Capability.BREAK_GLASS)
            )
    scope = SharingScope.WHOLE_RECORD
    if level == Level.FULL and grounds == (Ground.SHARED,):
        scope = _shared_scope(user, person.pk)
    glass = None
    if Ground.BREAK_GLASS in grounds:
        glass = (
            BreakGlassAccess.objects.filter(person=person, user=user, expires_at__gt=now())
            .order_by("-opened_at")
            .first()
        )
    access = PersonAccess(
        person=person,
        level=level,
        grounds=grounds,
        break_glass=glass,
        sees_police_only=user.is_police,
        scope=scope,
    )
    if access.view not in views:
        _log_refused(user, person.pk, object_type, detail, request, access.view.value)
        raise NotPermitted(person.pk, access.view)
    extra: dict[str, Any] = {"grounds": [g.value for g in grounds]}
    if access.view == View.SHARED_CHRONOLOGY:
        extra["scope"] = scope.value
    access_log_record(
        actor=user,
        action=AccessAction.VIEW,
        object_type=object_type,
        object_id=person.pk,
        fields=fields(access) if callable(fields) else fields,
        detail={**(detail or {}), **extra},
        reason=glass.reason if glass and grounds == (Ground.BREAK_GLASS,) else "",
        break_glass=grounds == (Ground.BREAK_GLASS,),
        request=request,
    )
    return access


def _log_refused(
    user: User,
    person_id: int,
    object_type: str,
    detail: dict[str, Any] | None,
    request: HttpRequest | None,
    why: str,
) -> None:
    """A refusal in the access log: no fields (nothing was shown), the outcome and why."""
    access_log_record(
        actor=user,
        action=AccessAction.REFUSED,
        object_type=object_type,
        object_id=person_id,
        detail={**(detail or {}), "outcome": "refused", "refused_because": why},
        request=request,
    )


@dataclass(frozen=True)
class Label:
    """How to show a person on a page about someone else."""

    person_id: int
    text: str
    can_open: bool
    names: tuple[str, ...] = ()
    """Every name the person's records give (full names, given and family names), kept only
    where the user may not open the record: what :func:`mask_names` hides in free text."""


def initials(given_name: str, family_name: str) -> str:
    parts = [p for p in f"{given_name} {family_name}".replace("-", " ").split() if p]
    return "".join(f"{p[0].upper()}." for p in parts) or "?"


def labels_for(user: User, person_ids: list[int]) -> dict[int, Label]:
    """Name where the user may open the person's own record; initials where they may not."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    openable = set(instances_user_can_view(user).filter(pk__in=ids).values_list("pk", flat=True))
    names: dict[int, tuple[str, str]] = {}
    known: dict[int, set[str]] = {}
    for pid, given, family in (
        PersonRecord.objects.filter(person_id__in=ids)
        .order_by("person_id", "-recorded_at", "pk")
        .values_list("person_id", "given_name", "family_name")
    ):
        names.setdefault(pid, (given, family))
        known.setdefault(pid, set()).update(
            n for n in (f"{given} {family}".strip(), *given.split(), *family.split()) if n
        )
    labels = {}
    for pid in ids:
        given, family = names.get(pid, ("", ""))
        if pid in openable:
            labels[pid] = Label(pid, f"{given} {family}".strip() or f"Person {pid}", True)
        else:
            hidden = tuple(sorted(known.get(pid, ()), key=lambda n: (-len(n), n)))
            labels[pid] = Label(pid, initials(given, family), False, hidden)
    return labels


MASKABLE = 2
"""Names shorter than this are left alone: a single letter is no one's name in a sentence."""


def mask_names(text: str, labels: Iterable[Label | None]) -> str:
    """Free text with the names of people the user may not open replaced by their initials,
    as everywhere else on the page (a record's free text must not undo need to know). Longer
    names first, so "Bea Example" becomes "B.E.", not "B. E."; whole words, any case."""
    for label in labels:
        if label is None or label.can_open or not label.names:
            continue
        names = [n for n in label.names if len(n) >= MASKABLE]
        if not names:
            continue
        pattern = r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)"
        text = re.sub(pattern, label.text, text, flags=re.IGNORECASE)
    return text


VIEW_PSEUDONYMISED = "view_pseudonymised"


class PersonPolicy:
    """Persons: the records the user may open by name (``instances_user_can_view``) and one
    record for an action (``access_person``, which logs the view or the refusal): ``view`` is
    opening it by name (whole, or as shared); ``view_pseudonymised`` lets an analyst's
    pseudonymised view through too (the record page); ``change`` needs the capability to
    record and the whole record."""

    resource = "person"

    def instances_user_can_view(self, user: User) -> QuerySet[Person]:
        return instances_user_can_view(user)

    def access(
        self, user: User, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> PersonAccess:
        if action == CHANGE:
            if not user.can(Capability.RECORD):
                _log_refused(user, int(pk), self.resource, {"action": action}, request, "role")
                raise PermissionDenied("Your role does not record on children's records")
            return access_person(user, int(pk), request=request, views=(View.FULL,))
        if action == VIEW_PSEUDONYMISED:
            return access_person(user, int(pk), request=request)
        return access_person(
            user, int(pk), request=request, views=(View.FULL, View.SHARED_CHRONOLOGY)
        )


register(PersonPolicy())


def can_search(user: Any) -> bool:
    """May search people by name (casework roles)."""
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.CASEWORK))


def can_break_glass(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.BREAK_GLASS))


def can_share(user: Any) -> bool:
    """May record an information-sharing decision (on a record they may open in full)."""
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.RECORD))


def require_link_reviewer(user: Any) -> User:
    """Review record links, merge and unmerge (the front door and the data quality officer)."""
    if not (getattr(user, "is_authenticated", False) and user.can(Capability.LINK_REVIEW)):
        raise PermissionDenied("Your role does not review record links")
    return user  # type: ignore[no-any-return]


def can_review_break_glass(user: Any) -> bool:
    """Auditors review break-glass accesses."""
    return bool(getattr(user, "is_authenticated", False) and user.can(Capability.AUDIT))
