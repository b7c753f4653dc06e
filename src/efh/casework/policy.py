"""Who may see and change casework.

A case is visible to its lead agency's practitioners, its lead practitioner and allocated
worker, the front door, and anyone ``people.policy`` already lets open the child's whole record;
nobody else (issue 12). :func:`works_on_case` gives the first three need to know of the child
(``people.extensions.register_need_to_know``), so the record and the case agree.

The screening queue and screenings are the front door's (``Capability.SCREEN``); closure and
step-down approvals are a manager's of the lead agency (``Capability.MANAGE``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest

from efh.casework.models import Case, Screening
from efh.core.access import Capability
from efh.core.models import AccessAction
from efh.core.policies import CHANGE, VIEW, register
from efh.core.services import access_log_record
from efh.people.policy import View, access_person, instances_user_can_view

if TYPE_CHECKING:
    from efh.accounts.models import User


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def works_on_case(user: Any, at: datetime) -> Q:
    """True of a ``Person`` with a case that the user's agency leads, or that the user leads or
    is allocated to. A closed case still counts: its lead agency holds the case's record (as an
    agency that recorded on the child keeps its ground), and the manager who approved the
    closure reads the case they closed."""
    on_case = Q(lead_practitioner=user) | Q(allocated_worker=user)
    if getattr(user, "agency_id", None) is not None:
        on_case |= Q(lead_agency_id=user.agency_id)
    return Q(Exists(Case.objects.filter(on_case, person=OuterRef("pk"))))


def can_screen(user: Any) -> bool:
    """The front door: take from the screening queue, screen and decide the route."""
    return _authenticated(user) and user.can(Capability.SCREEN)


def require_screener(
    user: Any,
    *,
    person_id: int | None = None,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Refuse anyone but the front door; a refusal about a child is logged as refused."""
    if can_screen(user):
        return
    if person_id is not None and _authenticated(user):
        access_log_record(
            actor=user,
            action=AccessAction.REFUSED,
            object_type="screening",
            object_id=person_id,
            fields=[],
            detail={"outcome": "refused", **(detail or {})},
            request=request,
        )
    raise PermissionDenied("Only the front door screens concerns")


def can_manage(user: Any) -> bool:
    return _authenticated(user) and user.can(Capability.MANAGE) and user.agency_id is not None


def manages(user: Any, case: Case) -> bool:
    """A manager of the case's lead agency: approves closure and step-down, allocates."""
    return can_manage(user) and user.agency_id == case.lead_agency_id


def _refused(user: Any, person_id: int, what: str, detail: dict[str, Any], request: Any) -> None:
    access_log_record(
        actor=user,
        action=AccessAction.REFUSED,
        object_type=what,
        object_id=person_id,
        fields=[],
        detail={"outcome": "refused", **detail},
        request=request,
    )


def require_manager_of(user: Any, case: Case, request: HttpRequest | None = None) -> None:
    """A manager of the lead agency only (allocation, approvals); a refusal is logged."""
    if not manages(user, case):
        _refused(user, case.person_id, "case", {"case": case.pk, "need": "manager"}, request)
        raise PermissionDenied("Only a manager of the lead agency does this")


def can_work_case(user: Any) -> bool:
    """May change a case they can see: plans, reviews, actions, strategy discussions, NRM."""
    return _authenticated(user) and user.can(Capability.CASEWORK) and user.can(Capability.RECORD)


def can_see_panel_referrals(user: Any) -> bool:
    """The panel's list of referrals: the front door and the panel (every child's record)."""
    return (
        _authenticated(user)
        and user.can(Capability.CASEWORK)
        and user.can(Capability.PARTNERSHIP_WIDE)
    )


class CasePolicy:
    """Cases: those of children whose whole record the user may open (which includes the cases
    the user's agency leads or the user works on, and every case for the front door); one case,
    its child's access checked and logged by ``people.policy.access_person``."""

    resource = "case"

    def instances_user_can_view(self, user: User) -> QuerySet[Case]:
        if not _authenticated(user) or not user.can(Capability.CASEWORK):
            return Case.objects.none()
        if user.can(Capability.PARTNERSHIP_WIDE):
            return Case.objects.all()
        return Case.objects.filter(person__in=instances_user_can_view(user))

    def access(
        self, user: User, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Case:
        case = Case.objects.select_related("lead_agency").filter(pk=pk).first()
        if case is None:
            raise Http404("No such case")
        access_person(
            user,
            case.person_id,
            request=request,
            object_type=self.resource,
            fields=["case"],
            detail={"case": case.pk, "action": action},
            views=(View.FULL,),
        )
        if action == CHANGE and not can_work_case(user):
            _refused(
                user, case.person_id, self.resource, {"case": case.pk, "action": action}, request
            )
            raise PermissionDenied("Your role does not change cases")
        return case


class ScreeningPolicy:
    """Screenings: the front door's, and those of children whose record the user may open (the
    record shows the screening that opened the case)."""

    resource = "screening"

    def instances_user_can_view(self, user: User) -> QuerySet[Screening]:
        if not _authenticated(user) or not user.can(Capability.CASEWORK):
            return Screening.objects.none()
        if can_screen(user) or user.can(Capability.PARTNERSHIP_WIDE):
            return Screening.objects.all()
        return Screening.objects.filter(person__in=instances_user_can_view(user))

    def access(
        self, user: User, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Screening:
        screening = Screening.objects.filter(pk=pk).first()
        if screening is None:
            raise Http404("No such screening")
        if action == CHANGE and not can_screen(user):
            access_log_record(
                actor=user,
                action=AccessAction.REFUSED,
                object_type=self.resource,
                object_id=screening.person_id,
                fields=[],
                detail={"outcome": "refused", "screening": screening.pk, "action": action},
                request=request,
            )
            raise PermissionDenied("Only the front door screens concerns")
        access_person(
            user,
            screening.person_id,
            request=request,
            object_type=self.resource,
            fields=["screening"],
            detail={"screening": screening.pk, "action": action},
            views=(View.FULL,),
        )
        return screening


register(CasePolicy())
register(ScreeningPolicy())
