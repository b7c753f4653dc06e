"""The "Derived intelligence" section of a person's record, and the pseudonymised record's codes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from efh.insight.models import Candidate, CandidateKind, CandidateMember
from efh.insight.policy import candidates_user_can_view
from efh.insight.selectors.common import latest_run
from efh.people.policy import instances_user_can_view, labels_for

if TYPE_CHECKING:
    from efh.accounts.models import User


@dataclass(frozen=True)
class DerivedGroup:
    candidate: Candidate
    others: int
    openable: list[Any]

    @property
    def is_co_missing(self) -> bool:
        return self.candidate.kind == CandidateKind.CO_MISSING


@dataclass(frozen=True)
class DerivedAdult:
    candidate: Candidate
    children: int
    openable: list[Any]


@dataclass(frozen=True)
class DerivedIntelligence:
    groups: list[DerivedGroup]
    adult: DerivedAdult | None
    computed: datetime | None

    @property
    def any(self) -> bool:
        return bool(self.groups or self.adult)


def derived_for_record(user: User, person_id: int) -> DerivedIntelligence:
    """What the intelligence picture derived about a person whose full record the user has
    just opened (``people.policy.access_person`` already authorised and logged it): the current
    peer-group and co-missing candidates the person is in, with how many other children, and
    the names of only those whose own records the user may open; and, for an adult, that they
    were derived as linked to several children."""
    # One query for both: the groups the person is in, and their own adult candidate.
    found = list(
        Candidate.objects.filter(current=True)
        .filter(
            Q(
                kind__in=[CandidateKind.PEER_GROUP, CandidateKind.CO_MISSING],
                members__person_id=person_id,
            )
            | Q(kind=CandidateKind.ADULT, person_id=person_id)
        )
        .distinct()
        .order_by("kind", "code")
    )
    if not found:  # the usual case: nothing derived, no further query
        return DerivedIntelligence(groups=[], adult=None, computed=None)
    groups = [c for c in found if c.kind != CandidateKind.ADULT]
    adult = next((c for c in found if c.kind == CandidateKind.ADULT), None)
    member_ids: dict[int, list[int]] = defaultdict(list)
    wanted = [c.pk for c in groups] + ([adult.pk] if adult else [])
    for cid, pid in CandidateMember.objects.filter(candidate_id__in=wanted).values_list(
        "candidate_id", "person_id"
    ):
        if pid != person_id:
            member_ids[cid].append(pid)
    everyone = sorted({p for ids in member_ids.values() for p in ids})
    openable = set(
        instances_user_can_view(user).filter(pk__in=everyone).values_list("pk", flat=True)
    )
    labels = labels_for(user, sorted(openable))

    def names(ids: list[int]) -> list[Any]:
        return sorted((labels[p] for p in ids if p in openable), key=lambda label: label.text)

    run = latest_run()
    return DerivedIntelligence(
        groups=[DerivedGroup(c, len(member_ids[c.pk]), names(member_ids[c.pk])) for c in groups],
        adult=DerivedAdult(adult, len(member_ids[adult.pk]), names(member_ids[adult.pk]))
        if adult
        else None,
        computed=run.finished_at if run else None,
    )


def derived_codes_for(user: User, person_id: int) -> list[Candidate]:
    """For the pseudonymised record: the current candidates a person is in (analysts only)."""
    return list(
        candidates_user_can_view(user)
        .filter(Q(members__person_id=person_id) | Q(person_id=person_id))
        .distinct()
        .order_by("kind", "code")
    )
