"""The permission policy for the intelligence picture: who may see which derived item.

One policy for the app's resources (DESIGN.md), asked by capability, never by role name:

- candidates naming people (peer groups, adults linked to several children, children missing
  together, one person's connections) need :attr:`Capability.INTELLIGENCE` (analysts). They
  show people by pseudonym only; :func:`candidates_user_can_view` is the queryset a list starts
  from, so a list cannot leak, and :func:`access_candidate` fetches one or raises;
- aggregates (hotspots, trends, the overview) need :attr:`Capability.PSEUDONYMISED` (analysts
  and partnership managers) or INTELLIGENCE;
- practitioners and panel chairs (casework) never see these pages: they meet derived items
  only on the records they may already open (``efh.insight.selectors.derived_for_record``),
  through ``people.policy``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from efh.core.access import Capability
from efh.core.policies import VIEW, register
from efh.insight.models import Candidate, CandidateKind, Hotspot, RefreshRun, RefreshStatus

if TYPE_CHECKING:
    from efh.accounts.models import User


def _can(user: Any, capability: Capability) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


def can_see_candidates(user: Any) -> bool:
    """May see derived candidates that name people (by pseudonym) and review them."""
    return _can(user, Capability.INTELLIGENCE)


def can_see_aggregates(user: Any) -> bool:
    """May see hotspots, trends and the overview (no person named)."""
    return _can(user, Capability.PSEUDONYMISED) or _can(user, Capability.INTELLIGENCE)


def require_candidates(user: Any) -> User:
    if not can_see_candidates(user):
        raise PermissionDenied("Your role does not see the intelligence picture's candidates")
    return user  # type: ignore[no-any-return]


def require_aggregates(user: Any) -> User:
    if not can_see_aggregates(user):
        raise PermissionDenied("Your role does not see the intelligence picture")
    return user  # type: ignore[no-any-return]


def candidates_user_can_view(user: Any, kind: str | None = None) -> QuerySet[Candidate]:
    """The current candidates (derived by the latest refresh) the user may see, of one kind."""
    if not can_see_candidates(user):
        return Candidate.objects.none()
    qs = Candidate.objects.filter(current=True)
    return qs.filter(kind=kind) if kind else qs


def access_candidate(user: Any, kind: CandidateKind | str, code: str) -> Candidate:
    """One candidate of a kind by its code, or ``PermissionDenied`` / ``Http404``.

    A candidate no longer derived (``current`` false) still opens, so that its review history
    stays reachable from a link in an old note; the page says it is no longer derived."""
    require_candidates(user)
    candidate = (
        Candidate.objects.filter(kind=kind, code=code)
        .select_related("first_run", "last_run")
        .first()
    )
    if candidate is None:
        raise Http404("No such candidate")
    return candidate


class CandidatePolicy:
    """Derived candidates (peer groups, adults linked to several children, children missing
    together), by code: analysts only."""

    resource = "candidate"

    def instances_user_can_view(self, user: Any) -> QuerySet[Candidate]:
        return candidates_user_can_view(user)

    def access(
        self, user: Any, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Candidate:
        require_candidates(user)
        candidate = Candidate.objects.filter(code=pk).first()
        if candidate is None:
            raise Http404("No such candidate")
        return access_candidate(user, candidate.kind, candidate.code)


class HotspotPolicy:
    """Hotspots of the latest refresh: aggregates, for analysts and partnership managers."""

    resource = "hotspot"

    def instances_user_can_view(self, user: Any) -> QuerySet[Hotspot]:
        if not can_see_aggregates(user):
            return Hotspot.objects.none()
        latest = (
            RefreshRun.objects.filter(status=RefreshStatus.SUCCEEDED)
            .order_by("-finished_at", "-pk")
            .values("pk")[:1]
        )
        return Hotspot.objects.filter(run__in=latest)

    def access(
        self, user: Any, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Hotspot:
        require_aggregates(user)
        hotspot = self.instances_user_can_view(user).filter(pk=pk).first()
        if hotspot is None:
            raise Http404("No such hotspot in the latest refresh")
        return hotspot


register(CandidatePolicy())
register(HotspotPolicy())
