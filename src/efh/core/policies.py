"""One permission policy per resource, one shape for all (Wagtail's permission policies).

Every resource that holds or points at personal data has a policy with two methods:

- ``instances_user_can_view(user)``: the queryset of what the user may see, which every list and
  search starts from, so a list cannot leak what a page would refuse;
- ``access(user, pk, *, action="view", request=None)``: fetch one and authorise the action, or
  raise ``Http404`` (no such thing) or ``PermissionDenied`` (not for this user); where the
  resource is about a person, the refusal and the view are in the access log.

Each app declares its policies in its ``policy.py`` and registers them here; at start-up
``CoreConfig.ready`` imports every installed app's ``policy`` module. The permission-matrix
tests loop over :func:`policies`, so a resource registered without its expected answers fails
them: a new resource cannot be forgotten.

Hand-written because it is a registry of a few lines: Wagtail's policies come with Wagtail.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.module_loading import autodiscover_modules

VIEW = "view"
CHANGE = "change"


class Policy(Protocol):
    resource: str
    """The resource's name, one of ``core.models.ObjectType``."""

    def instances_user_can_view(self, user: Any) -> QuerySet[Any]: ...

    def access(
        self, user: Any, pk: Any, *, action: str = VIEW, request: HttpRequest | None = None
    ) -> Any: ...


_policies: dict[str, Policy] = {}


def register(policy: Policy) -> Policy:
    existing = _policies.get(policy.resource)
    if existing is not None and type(existing) is not type(policy):
        raise ValueError(f"A policy for {policy.resource!r} is already registered")
    _policies[policy.resource] = policy
    return policy


def policies() -> list[Policy]:
    """Every registered policy, by resource name."""
    return [_policies[name] for name in sorted(_policies)]


def policy_for(resource: str) -> Policy:
    return _policies[resource]


def autodiscover() -> None:
    autodiscover_modules("policy")
