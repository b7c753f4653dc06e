"""Every registered permission policy, every role: what ``instances_user_can_view`` lists and
what ``access`` lets through, for one object of each resource.

The test loops over ``core.policies.policies()``: a resource registered without its row in
``EXPECTED`` fails :func:`test_every_policy_has_its_expected_answers`, so a new resource cannot
be forgotten. Each row says, per role, whether the object is listed and opens ("yes"), or is
neither listed nor opened ("no"). Lists and single fetches must agree.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from efh.core.models import AccessLogEntry
from efh.core.policies import CHANGE, policies, policy_for
from factories import (
    AgencyFactory,
    CandidateFactory,
    CaseFactory,
    EventFactory,
    EventPersonFactory,
    HotspotFactory,
    LocationFactory,
    MissingEpisodeFactory,
    OrganisationFactory,
    PersonRecordFactory,
    RefreshRunFactory,
    ScreeningFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["police.officer", "school.dsl", "screener", "analyst", "manager", "auditor", "admin"]
CASEWORK_OWN = {"police.officer": True, "screener": True}  # police recorded on the child
AGGREGATES = {"analyst": True, "manager": True}
EXPECTED: dict[str, dict[str, bool]] = {
    "person": {**CASEWORK_OWN},
    "event": {**CASEWORK_OWN},
    "missing_episode": {**CASEWORK_OWN},
    "location": {"police.officer": True, "school.dsl": True, "screener": True, **AGGREGATES},
    "organisation": {"police.officer": True, "school.dsl": True, "screener": True, **AGGREGATES},
    "candidate": {"analyst": True},
    "hotspot": {**AGGREGATES},
    # A case led by social care on the police's child: its lead agency's staff and allocated
    # worker see it too (tests/casework); here, those who may open the child.
    "case": {**CASEWORK_OWN},
    "screening": {**CASEWORK_OWN},
}


@pytest.fixture
def objects(demo: dict[str, Any]) -> dict[str, Any]:
    child = PersonRecordFactory(source="police", given_name="Ada", family_name="Policy")
    event = EventFactory(source="police")
    EventPersonFactory(event=event, record=child, role="victim")
    episode = MissingEpisodeFactory(record=child, source="police")
    run = RefreshRunFactory()
    candidate = CandidateFactory(code="PG-0001", first_run=run)
    hotspot = HotspotFactory(run=run)
    case = CaseFactory(person=child.person, lead_agency=AgencyFactory(code="childrens-social-care"))
    return {
        "case": case,
        "screening": ScreeningFactory(person=child.person, case=case),
        "person": child.person,
        "event": event,
        "missing_episode": episode,
        "location": LocationFactory(),
        "organisation": OrganisationFactory(),
        "candidate": candidate,
        "hotspot": hotspot,
    }


def _key(resource: str, obj: Any) -> Any:
    return obj.code if resource == "candidate" else obj.pk


def test_every_policy_has_its_expected_answers() -> None:
    registered = {p.resource for p in policies()}
    assert registered == set(EXPECTED), (
        "each registered policy needs its row in EXPECTED (and each row a policy): "
        f"missing {sorted(registered - set(EXPECTED))}, extra {sorted(set(EXPECTED) - registered)}"
    )


@pytest.mark.parametrize("resource", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_policy_lists_and_opens_alike(
    demo: dict[str, Any], objects: dict[str, Any], resource: str, role: str
) -> None:
    policy = policy_for(resource)
    user, obj = demo[role], objects[resource]
    allowed = EXPECTED[resource].get(role, False)
    listed = policy.instances_user_can_view(user).filter(pk=obj.pk).exists()
    assert listed == allowed, f"{role} {'should' if allowed else 'should not'} list {resource}"
    before = AccessLogEntry.objects.count()
    if allowed:
        policy.access(user, _key(resource, obj))
    else:
        with pytest.raises((PermissionDenied, Http404)):
            policy.access(user, _key(resource, obj))
    if resource in {"person", "event", "missing_episode", "case", "screening"}:  # always logged
        entry = AccessLogEntry.objects.order_by("-seq").first()
        assert AccessLogEntry.objects.count() > before and entry is not None
        assert entry.action == ("view" if allowed else "refused")


@pytest.mark.parametrize("resource", ["person", "missing_episode"])
def test_changing_needs_the_capability_to_record(
    demo: dict[str, Any], objects: dict[str, Any], make_user: Any, resource: str
) -> None:
    from efh.accounts.models import Role

    reader = Role.objects.create(
        code="reader", name="Reader", capabilities=["casework", "partnership_wide"]
    )
    policy = policy_for(resource)
    obj = objects[resource]
    policy.access(demo["police.officer"], obj.pk, action=CHANGE)
    policy.access(make_user(username="reader", role=reader), obj.pk)  # may read...
    with pytest.raises(PermissionDenied):  # ...but not record
        policy.access(make_user(username="reader"), obj.pk, action=CHANGE)


@pytest.mark.parametrize("resource", sorted(EXPECTED))
def test_an_unknown_object_is_not_found(demo: dict[str, Any], resource: str) -> None:
    policy = policy_for(resource)
    user = next(demo[r] for r in ROLES if EXPECTED[resource].get(r))
    with pytest.raises(Http404):
        policy.access(user, "XX-9999" if resource == "candidate" else 999_999)
