"""Identity linkage writes: merging people, splitting them back, and reviewers' decisions.

A merge moves the absorbed person's source records (and with them their chronology and
associations, which point at records) and the rows that hang off the person itself to the
survivor, and stores exactly what moved in a :class:`~efh.people.models.Merge`, so that
:func:`merge_undo` can put it all back. The absorbed person keeps its row, with ``merged_into``
set, so old links to it lead to the survivor.

Link runs merge tens of thousands of pairs at once: :func:`persons_merge_many` issues a fixed
number of queries whatever the number of plans (up to :data:`BATCH` plans per query; one more
round of queries per further batch). Rows move with ``UPDATE ... FROM (VALUES (absorbed,
survivor), ...)`` (``core.bulk.update_from_pairs``), and a large batch's merges are written with
``COPY`` (``core.bulk.insert_frame``): at a million records, Django's ``Case``/``When`` updates and
``bulk_create`` took most of a link run's time.

Every write here logs to the access log in the same transaction: a human merge, unmerge or
decision one entry each; a link run one entry summarising its merges.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Q

from efh.core import bulk
from efh.core.clock import now
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.people.extensions import PersonRows, person_rows
from efh.people.models import (
    LinkDecision,
    LinkDecisionKind,
    LinkRun,
    Merge,
    Person,
    PersonRecord,
    ReviewPair,
)
from efh.people.policy import require_link_reviewer
from efh.people.selectors.linking import unmerge_blocker

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


def _chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reassign(model: type[models.Model], moves: Sequence[tuple[int, int]]) -> int:
    """Point every row of ``model`` whose person is ``old`` at ``new``, for each (old, new).
    Returns the number of rows changed."""
    return bulk.update_from_pairs(model, match="person", set_field="person", pairs=list(moves))


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


def _insert_merges(made: list[Merge]) -> None:
    """Write many merges at once (``COPY`` on PostgreSQL), giving each its id."""
    for merge, pk in zip(made, bulk.allocate_ids(Merge, len(made)), strict=True):
        merge.pk = pk
    fields = [
        "id", "survivor_id", "absorbed_id", "records", "moved", "evidence_a_id", "evidence_b_id",
        "match_weight", "run_id", "decided_by_id", "reason", "merged_at", "unmerge_reason",
    ]  # fmt: skip
    rows = {
        f: [json.dumps(getattr(m, f)) if f in ("records", "moved") else getattr(m, f) for m in made]
        for f in fields
    }
    schema: dict[str, Any] = dict.fromkeys(fields, pl.Int64) | {
        "records": pl.String,
        "moved": pl.String,
        "match_weight": pl.Float64,
        "reason": pl.String,
        "unmerge_reason": pl.String,
        "merged_at": pl.Datetime("us", "UTC"),
    }
    bulk.insert_frame(Merge, pl.DataFrame(rows, schema=schema))


def _check_flat(survivors: Sequence[int], absorbed: Sequence[int]) -> None:
    """Refuse plans that are not flat: every absorbed person once, no survivor absorbed."""
    if len(set(absorbed)) != len(absorbed):
        raise MergeError("A person is absorbed by more than one merge in the same batch")
    if any(s == a for s, a in zip(survivors, absorbed, strict=True)):
        raise MergeError("A person cannot be merged with themselves")
    if set(absorbed) & set(survivors):
        raise MergeError("A survivor is itself absorbed in the same batch: flatten the plans")


def _kept(rows: PersonRows, row_id: int) -> dict[str, Any]:
    """What ``Merge.moved`` notes of a one-per-person row left with the absorbed person."""
    return {
        "id": row_id,
        "why": f"the survivor has a {rows.label} of its own; this one stays with the absorbed "
        "person and returns with it on an unmerge",
    }


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def _different_between(pairs: Sequence[tuple[int, int]]) -> dict[tuple[int, int], LinkDecision]:
    """The "different people" decisions between the records of each pair of persons: one query
    per batch, keyed by the (ordered) pair of person ids."""
    found: dict[tuple[int, int], LinkDecision] = {}
    if not LinkDecision.objects.filter(decision=LinkDecisionKind.DIFFERENT).exists():
        return found  # the usual case for a link run: nothing to look up person by person
    wanted = {_pair(a, b) for a, b in pairs}
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
    if actor is not None:
        require_link_reviewer(actor)
    survivors = [p.survivor_id for p in plans]
    absorbed = [p.absorbed_id for p in plans]
    _check_flat(survivors, absorbed)

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
    single_moves: dict[str, list[tuple[int, int]]] = {}
    for rows in person_rows():
        if not rows.one_per_person:
            for person_id, ids in _ids_by_person(rows.model, absorbed).items():
                moved[person_id][rows.kind] = ids
            continue
        held = _ids_by_person(rows.model, everyone)
        single_moves[rows.kind] = []
        for p in plans:
            if p.absorbed_id in held:
                if p.survivor_id in held:
                    moved[p.absorbed_id][rows.kept_kind] = _kept(rows, held[p.absorbed_id][0])
                else:
                    moved[p.absorbed_id][rows.kind] = held[p.absorbed_id]
                    single_moves[rows.kind].append((p.absorbed_id, p.survivor_id))

    moves = [(p.absorbed_id, p.survivor_id) for p in plans]
    _reassign(PersonRecord, moves)
    for rows in person_rows():
        if rows.one_per_person:
            kind_moves = single_moves[rows.kind]
        else:
            kind_moves = [(a, s) for a, s in moves if moved[a].get(rows.kind)]
        if kind_moves:
            _reassign(rows.model, kind_moves)
    bulk.update_from_pairs(Person, match="id", set_field="merged_into", pairs=moves)

    at = now()
    made = [
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
    ]
    if len(made) < BATCH:
        Merge.objects.bulk_create(made)
    else:
        _insert_merges(made)
    _resolve_linked_pairs(sorted(set(survivors)), at)

    if actor is None:
        ids = [m.pk for m in made]
        access_log_record(
            actor=None,
            action=AccessAction.UPDATE,
            object_type=ObjectType.LINK_RUN if run else "merge",
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
                object_type=ObjectType.MERGE,
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


@dataclass(frozen=True)
class MergeTotals:
    """What a link run's merges came to: how many, the first and last merge id, records moved."""

    merges: int
    first: int | None
    last: int | None
    records: int


@transaction.atomic
def persons_merge_run(*, plans: Sequence[PlanLike], run: LinkRun, reason: str) -> MergeTotals:
    """A link run's merges: the same as :func:`persons_merge_many` (same rows, same checks, one
    access-log entry), set-based on PostgreSQL.

    At a million records a run merges a quarter of a million people; building a Django object per
    merge and sending id lists of thousands of parameters took minutes. On PostgreSQL the plans go
    into a temporary table with ``COPY`` and every step is one statement joined to it; the merges
    themselves are written with ``COPY``. Elsewhere (SQLite: the demo) it calls
    :func:`persons_merge_many`.
    """
    if connection.vendor != "postgresql" or len(plans) < BATCH:
        made = persons_merge_many(plans=plans, run=run, actor=None, reason=reason)
        ids = [m.pk for m in made]
        return MergeTotals(
            len(made), min(ids, default=None), max(ids, default=None),
            sum(len(m.records) for m in made),
        )  # fmt: skip
    flat = [
        (
            int(p.absorbed_id),
            int(p.survivor_id),
            int(p.evidence[0]) if p.evidence else None,
            int(p.evidence[1]) if p.evidence else None,
            float(p.match_weight) if p.match_weight is not None else None,
        )
        for p in plans
    ]
    absorbed = [row[0] for row in flat]
    _check_flat([row[1] for row in flat], absorbed)
    person = Person._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE efh_merge_plan (absorbed bigint PRIMARY KEY, survivor bigint "
            "NOT NULL, evidence_a bigint, evidence_b bigint, weight double precision) "
            "ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY efh_merge_plan FROM STDIN") as copy:
            for row in flat:
                copy.write_row(row)
        cursor.execute("ANALYZE efh_merge_plan")
        # Lock everyone involved, then check they all exist and none is merged already.
        cursor.execute(
            f"SELECT count(*), count(*) FILTER (WHERE merged_into_id IS NOT NULL) FROM ("  # noqa: S608
            f"SELECT id, merged_into_id FROM {person} WHERE id IN (SELECT absorbed FROM "
            "efh_merge_plan UNION SELECT survivor FROM efh_merge_plan) FOR UPDATE) locked"
        )
        found, merged = cursor.fetchone()
        expected = len(set(absorbed) | {row[1] for row in flat})
        if found != expected:
            raise MergeError(f"{expected - found} of the people to merge do not exist")
        if merged:
            raise MergeError(f"{merged} of the people to merge have already been merged")
        conflicts = _different_between([(s, a) for a, s, *_ in flat])
        if conflicts:
            (pa, pb), d = next(iter(conflicts.items()))
            raise MergeError(
                f"Records {d.record_a_id} and {d.record_b_id} were decided to be different "
                f"people, so persons {pa} and {pb} are not merged"
            )

        def ids_by_absorbed(model: type[models.Model]) -> dict[int, list[int]]:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT m.person_id, array_agg(m.id ORDER BY m.id) FROM {table} m "  # noqa: S608
                "JOIN efh_merge_plan p ON m.person_id = p.absorbed GROUP BY m.person_id"
            )
            return dict(cursor.fetchall())

        records = ids_by_absorbed(PersonRecord)
        moved: dict[int, dict[str, Any]] = defaultdict(dict)
        many = [r for r in person_rows() if not r.one_per_person]
        for rows in many:
            for person_id, ids in ids_by_absorbed(rows.model).items():
                moved[person_id][rows.kind] = ids
        single_moves: dict[str, list[int]] = {}
        for rows in person_rows():
            if not rows.one_per_person:
                continue
            table = rows.model._meta.db_table
            cursor.execute(
                f"SELECT p.absorbed, a.id, s.id FROM efh_merge_plan p "  # noqa: S608
                f"JOIN {table} a ON a.person_id = p.absorbed "
                f"LEFT JOIN {table} s ON s.person_id = p.survivor"
            )
            single_moves[table] = []
            for absorbed_id, row_id, survivor_row in cursor.fetchall():
                if survivor_row is None:
                    moved[absorbed_id][rows.kind] = [row_id]
                    single_moves[table].append(absorbed_id)
                else:
                    moved[absorbed_id][rows.kept_kind] = _kept(rows, row_id)

        tables = [PersonRecord._meta.db_table] + [r.model._meta.db_table for r in many]
        for table in tables:
            cursor.execute(
                f"UPDATE {table} m SET person_id = p.survivor "  # noqa: S608
                "FROM efh_merge_plan p WHERE m.person_id = p.absorbed"
            )
        for table, absorbed_ids in single_moves.items():
            if absorbed_ids:
                cursor.execute(
                    f"UPDATE {table} m SET person_id = p.survivor "  # noqa: S608
                    "FROM efh_merge_plan p "
                    "WHERE m.person_id = p.absorbed AND p.absorbed = ANY(%s)",
                    [absorbed_ids],
                )
        cursor.execute(
            f"UPDATE {person} m SET merged_into_id = p.survivor "  # noqa: S608
            "FROM efh_merge_plan p WHERE m.id = p.absorbed"
        )
        at = now()
        ids = bulk.allocate_ids(Merge, len(flat))
        frame = pl.DataFrame(
            {
                "id": ids,
                "survivor_id": [row[1] for row in flat],
                "absorbed_id": absorbed,
                "records": [json.dumps(records.get(a, [])) for a in absorbed],
                "moved": [json.dumps(moved.get(a, {})) for a in absorbed],
                "evidence_a_id": [row[2] for row in flat],
                "evidence_b_id": [row[3] for row in flat],
                "match_weight": [row[4] for row in flat],
            },
            schema={
                "id": pl.Int64, "survivor_id": pl.Int64, "absorbed_id": pl.Int64,
                "records": pl.String, "moved": pl.String, "evidence_a_id": pl.Int64,
                "evidence_b_id": pl.Int64, "match_weight": pl.Float64,
            },
        ).with_columns(
            run_id=pl.lit(run.pk, pl.Int64),
            reason=pl.lit(reason),
            merged_at=pl.lit(at, pl.Datetime("us", "UTC")),
            unmerge_reason=pl.lit(""),
        )  # fmt: skip
        bulk.insert_frame(Merge, frame)
        review = ReviewPair._meta.db_table
        record = PersonRecord._meta.db_table
        cursor.execute(
            f"UPDATE {review} rp SET resolved_at = %s FROM {record} a, {record} b "  # noqa: S608
            "WHERE rp.resolved_at IS NULL AND a.id = rp.record_a_id AND b.id = rp.record_b_id "
            "AND a.person_id = b.person_id",
            [at],
        )
    moved_records = sum(len(v) for v in records.values())
    access_log_record(
        actor=None,
        action=AccessAction.UPDATE,
        object_type=ObjectType.LINK_RUN,
        object_id=run.pk,
        fields=["person"],
        detail={
            "merges": len(ids),
            "first_merge": min(ids),
            "last_merge": max(ids),
            "records_moved": moved_records,
        },
        reason=reason,
        origin=f"link run {run.pk}",
    )
    return MergeTotals(len(ids), min(ids), max(ids), moved_records)


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
    require_link_reviewer(actor)
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
    for rows in person_rows():
        ids = merge.moved.get(rows.kind) or []
        if ids:
            rows.model._default_manager.filter(pk__in=ids).update(person_id=merge.absorbed_id)
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
        object_type=ObjectType.MERGE,
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
    require_link_reviewer(actor)
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
        object_type=ObjectType.LINK_DECISION,
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
