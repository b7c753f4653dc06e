"""Identity linkage writes: merging people, splitting them back, and reviewers' decisions.

A merge moves the absorbed person's source records (and with them their chronology and
associations, which point at records) and the rows that hang off the person itself to the
survivor, and stores exactly what moved in a :class:`~efh.people.models.Merge`, so that
:func:`merge_undo` can put it all back. The absorbed person keeps its row, with ``merged_into``
set, so old links to it lead to the survivor.

Link runs merge tens of thousands of pairs at once: :func:`persons_merge_many` issues a fixed
number of queries whatever the number of plans (up to :data:`BATCH` plans per query; one more
round of queries per further batch). Rows move with ``UPDATE ... SET person_id = CASE person_id
WHEN <absorbed> THEN <survivor> ... END WHERE person_id IN (...)``, which Django's ORM writes on
SQLite and PostgreSQL alike.

Every write here logs to the access log in the same transaction: a human merge, unmerge or
decision one entry each; a link run one entry summarising its merges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When

from efh.concerns.models import PhilomenaProfile
from efh.core.access import Capability
from efh.core.models import AccessAction
from efh.core.services import access_log_record
from efh.people.models import (
    LinkDecision,
    LinkDecisionKind,
    LinkRun,
    Merge,
    Person,
    PersonRecord,
    ReviewPair,
)
from efh.people.selectors.linking import PERSON_ROWS, PHILOMENA, PHILOMENA_KEPT, unmerge_blocker

if TYPE_CHECKING:
    from django.http import HttpRequest

    from efh.accounts.models import User

BATCH = 1000
"""Plans per query. Each CASE update binds three parameters per plan, well inside SQLite's
32,766 and PostgreSQL's 65,535 bound parameters."""


class MergeError(ValidationError):
    """A merge that cannot be made as asked (a person already merged, the same person twice, a
    plan that is not flat, or two people someone decided are different)."""


class UnmergeBlocked(MergeError):
    """An unmerge that would not split back exactly, because something since depends on the
    merge; ``first`` is the merge to undo first, where there is one."""

    def __init__(self, message: str, first: Merge | None = None) -> None:
        super().__init__(message)
        self.first = first


class PlanLike(Protocol):
    @property
    def survivor_id(self) -> int: ...
    @property
    def absorbed_id(self) -> int: ...
    @property
    def evidence(self) -> tuple[int, int] | None: ...
    @property
    def match_weight(self) -> float | None: ...


@dataclass(frozen=True)
class MergePlan:
    """Merge ``absorbed_id`` into ``survivor_id``; ``evidence`` is the pair of record ids whose
    match led to it. The linkage engine has its own class with the same fields; any object with
    these attributes will do."""

    survivor_id: int
    absorbed_id: int
    evidence: tuple[int, int] | None = None
    match_weight: float | None = None


def now() -> datetime:
    return datetime.now(tz=UTC)


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reassign(model: type[models.Model], moves: Sequence[tuple[int, int]]) -> int:
    """Point every row of ``model`` whose person is ``old`` at ``new``, for each (old, new):
    one CASE update per batch. Returns the number of rows changed."""
    changed = 0
    for chunk in _chunks(list(moves)):
        whens = [When(person_id=old, then=Value(new)) for old, new in chunk]
        changed += model._default_manager.filter(person_id__in=[old for old, _ in chunk]).update(
            person_id=Case(*whens, output_field=models.BigIntegerField())
        )
    return changed


def _ids_by_person(model: type[models.Model], person_ids: Sequence[int]) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    for chunk in _chunks(list(person_ids)):
        rows = (
            model._default_manager.filter(person_id__in=chunk)
            .order_by("pk")
            .values_list("person_id", "pk")
        )
        for person_id, pk in rows:
            found[person_id].append(pk)
    return found


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _different_between(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], LinkDecision]:
    """The "different people" decisions between the records of each pair of persons: one query
    per batch, keyed by the (ordered) pair of person ids."""
    wanted = {_pair(a, b) for a, b in pairs}
    found: dict[tuple[int, int], LinkDecision] = {}
    people = sorted({p for pair in wanted for p in pair})
    for chunk in _chunks(people):
        decisions = (
            LinkDecision.objects.filter(decision=LinkDecisionKind.DIFFERENT)
            .filter(Q(record_a__person_id__in=chunk) | Q(record_b__person_id__in=chunk))
            .annotate(person_a=F("record_a__person_id"), person_b=F("record_b__person_id"))
            .select_related("decided_by")
        )
        for d in decisions:
            key = _pair(d.person_a, d.person_b)  # type: ignore[attr-defined]
            if key in wanted:
                found.setdefault(key, d)
    return found


def _resolve_linked_pairs(person_ids: Sequence[int], at: datetime) -> int:
    """Open review pairs whose two records now belong to one of these persons are resolved."""
    resolved = 0
    for chunk in _chunks(list(person_ids)):
        resolved += ReviewPair.objects.filter(
            resolved_at__isnull=True,
            record_a__person_id__in=chunk,
            record_a__person_id=F("record_b__person_id"),
        ).update(resolved_at=at)
    return resolved


@transaction.atomic
def persons_merge_many(
    *,
    plans: Sequence[PlanLike],
    run: LinkRun | None,
    actor: User | None,
    reason: str,
    request: HttpRequest | None = None,
) -> list[Merge]:
    """Merge each plan's absorbed person into its survivor, in bulk; returns the merges made.

    Plans must be flat: no person is absorbed twice, and no survivor is absorbed in the same
    batch. Refused (:class:`MergeError`, nothing changed) if a person does not exist or is
    already merged, or if someone decided a record of one side and a record of the other are
    different people. A link run (``run``, no ``actor``) writes one access-log entry for all its
    merges; a person (``actor``) one per merge.
    """
    # Plain ints and floats: an engine's plans may carry numpy scalars, which database drivers
    # do not all accept.
    plans = [
        MergePlan(
            int(p.survivor_id),
            int(p.absorbed_id),
            (int(p.evidence[0]), int(p.evidence[1])) if p.evidence else None,
            float(p.match_weight) if p.match_weight is not None else None,
        )
        for p in plans
    ]
    if not plans:
        return []
    if actor is not None and not actor.can(Capability.LINK_REVIEW):
        raise PermissionDenied("Your role does not merge people")
    survivors = [p.survivor_id for p in plans]
    absorbed = [p.absorbed_id for p in plans]
    if len(set(absorbed)) != len(absorbed):
        raise MergeError("A person is absorbed by more than one merge in the same batch")
    if set(absorbed) & set(survivors):
        raise MergeError("A survivor is itself absorbed in the same batch: flatten the plans")
    if any(p.survivor_id == p.absorbed_id for p in plans):
        raise MergeError("A person cannot be merged with themselves")

    everyone = sorted(set(survivors) | set(absorbed))
    state: dict[int, int | None] = {}
    for chunk in _chunks(everyone):
        # Locks the people: no record can be added to or moved off them until this commits.
        state.update(
            Person.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", "merged_into_id")
        )
    missing = [p for p in everyone if p not in state]
    if missing:
        raise MergeError(f"No such person: {', '.join(map(str, missing[:10]))}")
    merged = [p for p in everyone if state[p] is not None]
    if merged:
        first = merged[0]
        raise MergeError(
            f"Person {first} has already been merged into person {state[first]}"
            + (f" (and {len(merged) - 1} more)" if len(merged) > 1 else "")
        )
    conflicts = _different_between([(p.survivor_id, p.absorbed_id) for p in plans])
    if conflicts:
        (pa, pb), d = next(iter(conflicts.items()))
        who = d.decided_by.get_full_name() or d.decided_by.username
        raise MergeError(
            f"{who} decided that records {d.record_a_id} and {d.record_b_id} are different "
            f"people, so persons {pa} and {pb} are not merged"
            + (f" ({len(conflicts) - 1} more such pairs)" if len(conflicts) > 1 else "")
            + ". Change that decision first if it was wrong."
        )

    records = _ids_by_person(PersonRecord, absorbed)
    moved: dict[int, dict[str, Any]] = defaultdict(dict)
    for kind, model in PERSON_ROWS.items():
        for person_id, ids in _ids_by_person(model, absorbed).items():
            moved[person_id][kind] = ids
    profiles = _ids_by_person(PhilomenaProfile, everyone)
    profile_moves = []
    for p in plans:
        if p.absorbed_id in profiles:
            if p.survivor_id in profiles:
                moved[p.absorbed_id][PHILOMENA_KEPT] = {
                    "id": profiles[p.absorbed_id][0],
                    "why": "the survivor has a Philomena profile of its own; this one stays "
                    "with the absorbed person and returns with it on an unmerge",
                }
            else:
                moved[p.absorbed_id][PHILOMENA] = profiles[p.absorbed_id]
                profile_moves.append((p.absorbed_id, p.survivor_id))

    moves = [(p.absorbed_id, p.survivor_id) for p in plans]
    _reassign(PersonRecord, moves)
    for kind, model in PERSON_ROWS.items():
        kind_moves = [(a, s) for a, s in moves if moved[a].get(kind)]
        if kind_moves:
            _reassign(model, kind_moves)
    if profile_moves:
        _reassign(PhilomenaProfile, profile_moves)
    for chunk in _chunks(moves):
        Person.objects.filter(pk__in=[a for a, _ in chunk]).update(
            merged_into_id=Case(
                *[When(pk=a, then=Value(s)) for a, s in chunk],
                output_field=models.BigIntegerField(),
            )
        )

    at = now()
    made = Merge.objects.bulk_create(
        [
            Merge(
                survivor_id=p.survivor_id,
                absorbed_id=p.absorbed_id,
                records=records.get(p.absorbed_id, []),
                moved=moved.get(p.absorbed_id, {}),
                evidence_a_id=p.evidence[0] if p.evidence else None,
                evidence_b_id=p.evidence[1] if p.evidence else None,
                match_weight=p.match_weight,
                run=run,
                decided_by=actor,
                reason=reason,
                merged_at=at,
            )
            for p in plans
        ],
        batch_size=BATCH,
    )
    _resolve_linked_pairs(sorted(set(survivors)), at)

    if actor is None:
        ids = [m.pk for m in made]
        access_log_record(
            actor=None,
            action=AccessAction.UPDATE,
            object_type="link_run" if run else "merge",
            object_id=run.pk if run else "",
            fields=["person"],
            detail={
                "merges": len(made),
                "first_merge": min(ids),
                "last_merge": max(ids),
                "records_moved": sum(len(m.records) for m in made),
            },
            reason=reason,
            origin=f"link run {run.pk}" if run else "",
        )
    else:
        for m in made:
            access_log_record(
                actor=actor,
                action=AccessAction.UPDATE,
                object_type="merge",
                object_id=m.pk,
                fields=["person"],
                detail={
                    "survivor": m.survivor_id,
                    "absorbed": m.absorbed_id,
                    "records": m.records,
                    "evidence": [m.evidence_a_id, m.evidence_b_id] if m.evidence_a_id else None,
                },
                reason=reason,
                request=request,
            )
    return made


@transaction.atomic
def persons_merge(
    *,
    actor: User,
    survivor: Person,
    absorbed: Person,
    reason: str,
    evidence: tuple[int, int] | None = None,
    request: HttpRequest | None = None,
) -> Merge:
    """One merge decided by a person (from the review of two records, or the merge page)."""
    if not reason.strip():
        raise MergeError({"reason": "Say why these are the same person"})
    (merge,) = persons_merge_many(
        plans=[MergePlan(survivor.pk, absorbed.pk, evidence, None)],
        run=None,
        actor=actor,
        reason=reason.strip(),
        request=request,
    )
    return merge


def _representative_pair(merge: Merge) -> tuple[int, int] | None:
    """The pair to remember as "different": the merge's evidence if it spans the two sides,
    otherwise the first record of each side."""
    absorbed_side = set(merge.records)
    if merge.evidence_a_id and merge.evidence_b_id:
        a, b = merge.evidence_a_id, merge.evidence_b_id
        if (a in absorbed_side) != (b in absorbed_side):
            return _pair(a, b)
    survivor_record = (
        PersonRecord.objects.filter(person_id=merge.survivor_id)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if not merge.records or survivor_record is None:
        return None
    return _pair(min(merge.records), survivor_record)


@transaction.atomic
def merge_undo(
    *, actor: User, merge: Merge, reason: str, request: HttpRequest | None = None
) -> None:
    """Split a merge back exactly: its records and the rows that moved return to the absorbed
    person, who is no longer merged; records added to the survivor since stay there.

    The model is told never to link the two again: a "different people" decision is recorded for
    the merge's evidence pair (or a record from each side). Refused with :class:`UnmergeBlocked`
    if something since depends on the merge (the survivor was itself merged, or records moved
    on), naming the merge to undo first.
    """
    if not actor.can(Capability.LINK_REVIEW):
        raise PermissionDenied("Your role does not unmerge people")
    reason = reason.strip()
    if not reason:
        raise MergeError({"reason": "Say why these are different people"})
    # Lock both people and the merge, then check again what the caller saw.
    people = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(
            pk__in=[merge.survivor_id, merge.absorbed_id]
        )
    }
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    if merge.unmerged_at is not None:
        raise MergeError(f"Merge {merge.pk} has already been undone")
    blocked = unmerge_blocker(merge)
    if blocked is not None:
        raise UnmergeBlocked(blocked.message, blocked.first)

    PersonRecord.objects.filter(pk__in=merge.records).update(person_id=merge.absorbed_id)
    for kind, model in PERSON_ROWS.items():
        ids = merge.moved.get(kind) or []
        if ids:
            model._default_manager.filter(pk__in=ids).update(person_id=merge.absorbed_id)
    if merge.moved.get(PHILOMENA):
        PhilomenaProfile.objects.filter(pk__in=merge.moved[PHILOMENA]).update(
            person_id=merge.absorbed_id
        )
    absorbed = people[merge.absorbed_id]
    absorbed.merged_into = None
    absorbed.save(update_fields=["merged_into"])
    at = now()
    merge.unmerged_at = at
    merge.unmerged_by = actor
    merge.unmerge_reason = reason
    merge.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason"])

    pair = _representative_pair(merge)
    if pair is not None:
        LinkDecision.objects.update_or_create(
            record_a_id=pair[0],
            record_b_id=pair[1],
            defaults={
                "decision": LinkDecisionKind.DIFFERENT,
                "decided_by": actor,
                "decided_at": at,
                "note": f"Unmerged (merge {merge.pk}): {reason}",
            },
        )
    access_log_record(
        actor=actor,
        action=AccessAction.UPDATE,
        object_type="merge",
        object_id=merge.pk,
        fields=["person", "unmerged_at"],
        detail={
            "unmerged": True,
            "survivor": merge.survivor_id,
            "absorbed": merge.absorbed_id,
            "records": merge.records,
            "different": list(pair) if pair else None,
        },
        reason=reason,
        request=request,
    )


@transaction.atomic
def link_decide(
    *,
    actor: User,
    record_a_id: int,
    record_b_id: int,
    decision: str,
    note: str = "",
    request: HttpRequest | None = None,
) -> LinkDecision:
    """Record (or change) a person's decision on a pair of records.

    "same" merges the two people (the lower person id survives) unless they are one already;
    "different" only records it (clustering reads it as a cannot-link, and no later merge joins
    the two); "not sure" takes the pair off the queue onto the "Not sure" list, where a second
    reviewer may decide it. "same" and "different" resolve the pair's review.
    """
    if not actor.can(Capability.LINK_REVIEW):
        raise PermissionDenied("Your role does not review record links")
    if decision not in LinkDecisionKind.values:
        raise ValidationError({"decision": "Choose whether these are the same person"})
    if record_a_id == record_b_id:
        raise ValidationError("A record is always the same person as itself")
    a, b = _pair(record_a_id, record_b_id)
    records = {
        r.pk: r
        for r in PersonRecord.objects.select_for_update().filter(pk__in=[a, b]).only("person")
    }
    if len(records) != 2:
        raise ValidationError("No such record")
    at = now()
    existing = LinkDecision.objects.filter(record_a_id=a, record_b_id=b).first()
    previous = existing.decision if existing else None
    made, _ = LinkDecision.objects.update_or_create(
        record_a_id=a,
        record_b_id=b,
        defaults={
            "decision": decision,
            "decided_by": actor,
            "decided_at": at,
            "note": note.strip(),
        },
    )
    if decision != LinkDecisionKind.NOT_SURE:
        ReviewPair.objects.filter(record_a_id=a, record_b_id=b, resolved_at__isnull=True).update(
            resolved_at=at
        )
    access_log_record(
        actor=actor,
        action=AccessAction.UPDATE if existing else AccessAction.CREATE,
        object_type="link_decision",
        object_id=made.pk,
        fields=["decision", "note"] if note.strip() else ["decision"],
        detail={"records": [a, b], "decision": decision, "previous": previous},
        request=request,
    )
    person_a, person_b = records[a].person_id, records[b].person_id
    if decision == LinkDecisionKind.SAME and person_a != person_b:
        survivor, absorbed = sorted((person_a, person_b))
        persons_merge(
            actor=actor,
            survivor=Person(pk=survivor),
            absorbed=Person(pk=absorbed),
            reason=note.strip() or "Reviewed: the same person",
            evidence=(a, b),
            request=request,
        )
    return made
