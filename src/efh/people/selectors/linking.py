"""Reads for identity linkage: the clerical review queue, one pair side by side, merges and
their history, link runs, and the "different people" decisions the linkage engine must respect.

The review screens are for the link-review capability only (``Capability.LINK_REVIEW``): they
show the identity details of the records under review (names, date of birth, addresses,
identifiers), never their chronology. Each function that returns people's details asks for the
capability; the views log what they show.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from efh.core.clock import now
from efh.core.jobs import RunProgress
from efh.core.models import Source
from efh.people.extensions import person_rows
from efh.people.models import (
    LinkDecision,
    LinkDecisionKind,
    LinkRun,
    LinkRunStatus,
    Merge,
    Person,
    PersonRecord,
    ReviewPair,
    Sex,
)
from efh.people.policy import require_link_reviewer

if TYPE_CHECKING:
    from efh.accounts.models import User

PER_PAGE = 25
HEARTBEAT_TIMEOUT = timedelta(minutes=2)
"""A running link run whose heartbeat is older than this was interrupted (it writes its links
in one transaction at the end, so nothing was changed)."""


def require_reviewer(user: User) -> None:
    require_link_reviewer(user)


# --- For the linkage engine ---------------------------------------------------------------------


def different_pairs() -> list[tuple[int, int]]:
    """Every pair of record ids someone decided are different people (lower id first): the
    clustering must never put the two in one person."""
    return list(
        LinkDecision.objects.filter(decision=LinkDecisionKind.DIFFERENT)
        .order_by("record_a_id", "record_b_id")
        .values_list("record_a_id", "record_b_id")
    )


# --- The queue ----------------------------------------------------------------------------------


def _decision_for_pair() -> QuerySet[LinkDecision]:
    return LinkDecision.objects.filter(
        record_a_id=OuterRef("record_a_id"), record_b_id=OuterRef("record_b_id")
    )


def open_pairs() -> QuerySet[ReviewPair]:
    """Pairs waiting for a first decision, the most likely match first."""
    return (
        ReviewPair.objects.filter(resolved_at__isnull=True)
        .exclude(Exists(_decision_for_pair()))
        .order_by("-match_weight", "pk")
    )


def not_sure_pairs() -> QuerySet[ReviewPair]:
    """Pairs a reviewer was not sure about, for a second reviewer; the oldest decision first."""
    decisions = _decision_for_pair().filter(decision=LinkDecisionKind.NOT_SURE)
    return (
        ReviewPair.objects.filter(resolved_at__isnull=True)
        .filter(Exists(decisions))
        .annotate(
            decided_at=Subquery(decisions.values("decided_at")[:1]),
            decided_by_id=Subquery(decisions.values("decided_by_id")[:1]),
            note=Subquery(decisions.values("note")[:1]),
        )
        .order_by("decided_at", "pk")
    )


def recent_decisions() -> QuerySet[LinkDecision]:
    """Decisions, the latest first, with the review pair each was made on (where there is one)."""
    pairs = ReviewPair.objects.filter(
        record_a_id=OuterRef("record_a_id"), record_b_id=OuterRef("record_b_id")
    )
    return (
        LinkDecision.objects.select_related("decided_by", "record_a", "record_b")
        .annotate(review_pair_id=Subquery(pairs.values("pk")[:1]))
        .order_by("-decided_at", "-pk")
    )


@dataclass(frozen=True)
class QueueCounts:
    open: int
    not_sure: int
    decided: int


def queue_counts() -> QueueCounts:
    return QueueCounts(
        open=open_pairs().count(),
        not_sure=not_sure_pairs().count(),
        decided=LinkDecision.objects.count(),
    )


QUEUE_LISTS = ("open", "not_sure", "decided")


@dataclass
class QueuePage:
    name: str
    page: Page[Any]
    counts: QueueCounts
    users: dict[Any, Any] = field(default_factory=dict)

    def record_ids(self) -> list[int]:
        return sorted({i for row in self.page for i in (row.record_a_id, row.record_b_id)})


def review_queue(user: User, *, list_name: str, page_number: Any) -> QueuePage:
    """One page of the queue (``open``), the "Not sure" list or the recent decisions."""
    require_reviewer(user)
    qs: QuerySet[Any]
    if list_name == "not_sure":
        qs = not_sure_pairs().select_related("record_a", "record_b")
    elif list_name == "decided":
        qs = recent_decisions()
    else:
        list_name = "open"
        qs = open_pairs().select_related("record_a", "record_b")
    page = Paginator(qs, PER_PAGE).get_page(page_number)
    users: dict[Any, Any] = {}
    if list_name == "not_sure":
        from efh.accounts.models import User as UserModel

        rows: list[Any] = list(page)
        users = {u.pk: u for u in UserModel.objects.filter(pk__in={r.decided_by_id for r in rows})}
        for row in rows:
            row.decided_by = users.get(row.decided_by_id)
    return QueuePage(list_name, page, queue_counts(), users)


# --- One pair, side by side ---------------------------------------------------------------------


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.casefold()).split())


def _compact(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.casefold())


def _phone(text: str) -> str:
    """The last ten digits: +44 7700 900123 and 07700 900123 are the same number."""
    return re.sub(r"\D", "", text)[-10:]


@dataclass
class Side:
    """One record under review, with the other records already linked to its person."""

    record: PersonRecord
    agency: str
    aliases: list[str]
    addresses: list[tuple[str, str]]
    others: list[tuple[str, PersonRecord]]
    merged_into: int | None = None

    @property
    def person_id(self) -> int:
        return self.record.person_id

    def values(self, name: str) -> list[str]:
        r = self.record
        if name == "given_name":
            return [r.given_name] if r.given_name else []
        if name == "family_name":
            return [r.family_name] if r.family_name else []
        if name == "aliases":
            return self.aliases
        if name == "date_of_birth":
            return [f"{r.date_of_birth.day} {r.date_of_birth:%B %Y}"] if r.date_of_birth else []
        if name == "sex":
            return [r.get_sex_display()] if r.sex and r.sex != Sex.UNKNOWN else []
        if name == "postcode":
            return sorted({p for _a, p in self.addresses if p})
        if name == "address":
            return [a for a, _p in self.addresses if a]
        value = getattr(r, name, "")
        return [str(value)] if value else []


FIELDS = [
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("aliases", "Aliases, nicknames, street names"),
    ("date_of_birth", "Date of birth"),
    ("sex", "Sex"),
    ("postcode", "Postcodes"),
    ("address", "Addresses"),
    ("phone", "Phone"),
    ("nhs_number", "NHS number"),
    ("upn", "Unique pupil number"),
    ("pnc_id", "PNC id"),
]
COMPACT = {"postcode", "phone", "nhs_number", "upn", "pnc_id", "date_of_birth", "sex"}


@dataclass(frozen=True)
class FieldRow:
    name: str
    label: str
    a: list[str]
    b: list[str]
    state: str  # agrees, disagrees, missing

    @property
    def state_label(self) -> str:
        return {"agrees": "Agrees", "disagrees": "Disagrees", "missing": "Missing"}[self.state]

    @property
    def colour(self) -> str:
        return {"agrees": "green", "disagrees": "red", "missing": "grey"}[self.state]


def compare_field(name: str, a: Sequence[str], b: Sequence[str]) -> str:
    """Whether two records agree on a field, for the reviewer's eye: ``missing`` when either
    side has no value, ``agrees`` when any value is the same (ignoring case, spaces and
    punctuation), otherwise ``disagrees``. The model's own finer comparison (typos, swapped day
    and month, nicknames) is in the contributions beside it."""
    if not a or not b:
        return "missing"
    norm = _phone if name == "phone" else _compact if name in COMPACT else _words
    return "agrees" if {norm(v) for v in a} & {norm(v) for v in b} else "disagrees"


@dataclass(frozen=True)
class Contribution:
    """One field's part in the match weight, in plain words."""

    label: str
    words: str
    weight: float

    @property
    def direction(self) -> str:
        if self.weight >= 0.05:
            return "for"
        if self.weight <= -0.05:
            return "against"
        return "neutral"

    @property
    def strength(self) -> str:
        size = abs(self.weight)
        if size < 0.05:
            return "No evidence either way"
        grade = "Strong" if size >= 5 else "Moderate" if size >= 2 else "Weak"
        side = "that they are the same person" if self.weight > 0 else "that they are different"
        return f"{grade} evidence {side}"

    @property
    def factor(self) -> str:
        """The Bayes factor, 2 to the weight, as "x times more (or less) likely"."""
        size = 2 ** abs(self.weight)
        if abs(self.weight) < 0.05:
            return ""
        amount = f"{size:,.0f}" if size >= 10 else f"{size:.1f}"
        more = "more" if self.weight > 0 else "less"
        return f"{amount} times {more} likely to be one person"


def contributions(comparison: Iterable[dict[str, Any]]) -> list[Contribution]:
    """The stored per-field comparison, strongest first."""
    rows = []
    for item in comparison or []:
        try:
            weight = float(item.get("weight") or 0.0)
        except (TypeError, ValueError):
            weight = 0.0
        if not math.isfinite(weight):
            weight = math.copysign(99.0, weight) if not math.isnan(weight) else 0.0
        label = str(item.get("label") or item.get("field") or "")
        words = str(item.get("words") or item.get("level") or "")
        rows.append(Contribution(label, words, weight))
    return sorted(rows, key=lambda c: -abs(c.weight))


@dataclass
class PairPage:
    pair: ReviewPair
    a: Side
    b: Side
    rows: list[FieldRow]
    contributions: list[Contribution]
    decision: LinkDecision | None
    same_person: bool

    @property
    def probability_percent(self) -> str:
        p = self.pair.match_probability * 100
        if 0 < p < 0.1:
            return "less than 0.1%"
        if 99.9 < p < 100:
            return "more than 99.9%"
        return f"{p:.1f}%"

    @property
    def counts(self) -> dict[str, int]:
        found = {"agrees": 0, "disagrees": 0, "missing": 0}
        for row in self.rows:
            found[row.state] += 1
        return found

    def record_ids(self) -> list[int]:
        return [self.a.record.pk, self.b.record.pk]

    def person_ids(self) -> list[int]:
        return sorted({self.a.person_id, self.b.person_id})


def _sides(records: list[PersonRecord]) -> list[Side]:
    """Sides for these records: their agency, aliases, addresses and the other records of
    their persons (four queries whatever the number)."""
    agencies = {
        s.code: (s.agency.name if s.agency else s.name)
        for s in Source.objects.select_related("agency")
    }
    person_ids = {r.person_id for r in records}
    others: dict[int, list[PersonRecord]] = {}
    for other in (
        PersonRecord.objects.filter(person_id__in=person_ids)
        .only("person_id", "source", "source_id", "given_name", "family_name", "date_of_birth")
        .order_by("source", "source_id")
    ):
        others.setdefault(other.person_id, []).append(other)
    sides = []
    for r in records:
        sides.append(
            Side(
                record=r,
                agency=agencies.get(r.source, r.source),
                aliases=sorted({a.name for a in r.aliases.all()}, key=str.casefold),
                addresses=[(a.address, a.postcode) for a in r.addresses.all()],
                others=[
                    (agencies.get(o.source, o.source), o)
                    for o in others.get(r.person_id, [])
                    if o.pk != r.pk
                ],
            )
        )
    return sides


def review_pair(user: User, pair_id: int) -> PairPage | None:
    """The pair side by side, or None if there is no such pair."""
    require_reviewer(user)
    pair = ReviewPair.objects.filter(pk=pair_id).first()
    if pair is None:
        return None
    records = {
        r.pk: r
        for r in PersonRecord.objects.filter(pk__in=[pair.record_a_id, pair.record_b_id])
        .defer("raw")
        .prefetch_related("aliases", "addresses")
    }
    a, b = _sides([records[pair.record_a_id], records[pair.record_b_id]])
    rows = []
    for name, label in FIELDS:
        va, vb = a.values(name), b.values(name)
        if name == "aliases":
            # An alias agrees if it is the other side's name or one of its aliases.
            va_all = [*va, f"{a.record.given_name} {a.record.family_name}", a.record.given_name]
            vb_all = [*vb, f"{b.record.given_name} {b.record.family_name}", b.record.given_name]
            state = "missing" if not va and not vb else compare_field(name, va_all, vb_all)
        else:
            state = compare_field(name, va, vb)
        rows.append(FieldRow(name, label, va, vb, state))
    decision = LinkDecision.objects.filter(
        record_a_id=pair.record_a_id, record_b_id=pair.record_b_id
    ).first()
    return PairPage(
        pair=pair,
        a=a,
        b=b,
        rows=rows,
        contributions=contributions(pair.comparison),
        decision=decision,
        same_person=a.person_id == b.person_id,
    )


def next_pair_id(after: ReviewPair | None = None) -> int | None:
    """The next pair to review: the open pair with the highest weight (not this one)."""
    qs = open_pairs()
    if after is not None:
        qs = qs.exclude(pk=after.pk)
    return qs.values_list("pk", flat=True).first()


# --- Merges -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """Why a merge cannot be split back exactly now; ``first`` is the merge to undo first."""

    message: str
    first: Merge | None = None


def unmerge_blocker(merge: Merge) -> Blocker | None:
    """Whether something since depends on the merge: the survivor was itself merged, or some
    of the merge's records or moved rows are no longer on the survivor."""
    survivor = Person.objects.get(pk=merge.survivor_id)
    if survivor.merged_into_id is not None:
        later = (
            Merge.objects.filter(absorbed_id=survivor.pk, unmerged_at__isnull=True)
            .order_by("-merged_at", "-pk")
            .first()
        )
        return Blocker(
            f"Person {survivor.pk} has since been merged into person {survivor.merged_into_id}"
            + (f": undo merge {later.pk} first" if later else ""),
            later,
        )
    elsewhere = (
        PersonRecord.objects.filter(pk__in=merge.records)
        .exclude(person_id=merge.survivor_id)
        .values_list("pk", "person_id")
        .first()
    )
    if elsewhere is not None:
        record_id, person_id = elsewhere
        return Blocker(
            f"Record {record_id} has since moved to person {person_id}; "
            f"it must be back with person {merge.survivor_id} before this merge can be undone"
        )
    for rows in person_rows():
        ids = merge.moved.get(rows.kind) or []
        if (
            ids
            and rows.model._default_manager.filter(pk__in=ids)
            .exclude(person_id=merge.survivor_id)
            .exists()
        ):
            return Blocker(
                f"{'The' if rows.one_per_person else 'A'} {rows.label} that moved with this "
                "merge has since moved to someone else"
            )
    return None


def record_names(record_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """Each record's name and agency, for the merge lists (one query, and one for sources)."""
    agencies = {
        s.code: (s.agency.name if s.agency else s.name)
        for s in Source.objects.select_related("agency")
    }
    return {
        pk: (f"{given} {family}".strip(), agencies.get(source, source))
        for pk, given, family, source in PersonRecord.objects.filter(
            pk__in=set(record_ids)
        ).values_list("pk", "given_name", "family_name", "source")
    }


@dataclass
class MergeRow:
    merge: Merge
    absorbed_names: list[tuple[str, str]]
    survivor_name: str

    def moved_words(self) -> list[str]:
        words = []
        for rows in person_rows():
            label = rows.label
            n = len(self.merge.moved.get(rows.kind) or [])
            if n:
                words.append(f"{n} {label}{'s' if n != 1 else ''}")
        return words


def _survivor_names(person_ids: Iterable[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for person_id, given, family in (
        PersonRecord.objects.filter(person_id__in=set(person_ids))
        .order_by("person_id", "pk")
        .values_list("person_id", "given_name", "family_name")
    ):
        names.setdefault(person_id, f"{given} {family}".strip())
    return names


def merge_rows(merges: Sequence[Merge]) -> list[MergeRow]:
    names = record_names(i for m in merges for i in m.records)
    survivors = _survivor_names(m.survivor_id for m in merges)
    return [
        MergeRow(
            m,
            [names[i] for i in m.records if i in names],
            survivors.get(m.survivor_id, ""),
        )
        for m in merges
    ]


@dataclass
class MergesPage:
    page: Page[Any]
    rows: list[MergeRow]
    run: LinkRun | None
    person_id: int | None


def merges(
    user: User, *, run_id: int | None, person_id: int | None, page_number: Any
) -> MergesPage:
    """Recent merges, the latest first; of one link run, or of one person, if asked."""
    require_reviewer(user)
    qs = Merge.objects.select_related("run", "decided_by", "unmerged_by")
    run = None
    if run_id is not None:
        run = LinkRun.objects.filter(pk=run_id).first()
        qs = qs.filter(run_id=run_id)
    if person_id is not None:
        qs = qs.filter(Q(survivor_id=person_id) | Q(absorbed_id=person_id))
    page = Paginator(qs.order_by("-merged_at", "-pk"), PER_PAGE).get_page(page_number)
    return MergesPage(page, merge_rows(list(page)), run, person_id)


def merge_detail(user: User, merge_id: int) -> tuple[MergeRow, Blocker | None] | None:
    require_reviewer(user)
    merge = (
        Merge.objects.select_related("run", "decided_by", "unmerged_by").filter(pk=merge_id).first()
    )
    if merge is None:
        return None
    blocker = None if merge.unmerged_at else unmerge_blocker(merge)
    return merge_rows([merge])[0], blocker


def merge_history(person_id: int) -> list[MergeRow]:
    """Merges into and out of a person, the latest first (for the record page; the caller has
    authorised the person)."""
    found = Merge.objects.filter(Q(survivor_id=person_id) | Q(absorbed_id=person_id))
    return merge_rows(list(found.select_related("decided_by", "unmerged_by", "run")[:50]))


def survivor_of(person_id: int) -> int | None:
    """Where a merged person's records are now (following merges of merges), or None if the
    person is not merged."""
    seen: set[int] = set()
    current = person_id
    while True:
        merged_into = (
            Person.objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        )
        if merged_into is None or merged_into in seen:
            return None if current == person_id else current
        seen.add(current)
        current = merged_into


@dataclass
class PersonSummary:
    person: Person
    sides: list[Side]


def persons_for_merge(user: User, person_ids: Sequence[int]) -> list[PersonSummary] | None:
    """Two persons' records side by side for the merge page; None if either does not exist."""
    require_reviewer(user)
    people = {p.pk: p for p in Person.objects.filter(pk__in=person_ids)}
    if len(people) != len(set(person_ids)):
        return None
    records = list(
        PersonRecord.objects.filter(person_id__in=person_ids)
        .defer("raw")
        .prefetch_related("aliases", "addresses")
        .order_by("pk")
    )
    sides = _sides(records)
    return [
        PersonSummary(people[pid], [s for s in sides if s.person_id == pid]) for pid in person_ids
    ]


# --- Link runs ----------------------------------------------------------------------------------


@dataclass
class RunRow(RunProgress):
    """A link run on the runs page (queued, running with its stage and time left, finished)."""

    timeout: timedelta = HEARTBEAT_TIMEOUT

    @property
    def figures(self) -> list[tuple[str, str]]:
        """The run's figures as label and text: counts with thousands separators, other numbers
        to three significant figures."""
        shown = []
        for key, value in (self.run.figures or {}).items():
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                continue
            if isinstance(value, int):
                text = f"{value:,}"
            elif isinstance(value, float):
                text = f"{value:,.3g}"
            else:
                text = value
            shown.append((str(key).replace("_", " ").capitalize(), text))
        return shown


def link_runs(user: User, *, page_number: Any) -> tuple[Page[Any], list[RunRow]]:
    require_reviewer(user)
    page = Paginator(LinkRun.objects.order_by("-started_at", "-pk"), PER_PAGE).get_page(page_number)
    at = now()
    last = (
        LinkRun.objects.filter(status=LinkRunStatus.SUCCEEDED, finished_at__isnull=False)
        .order_by("-finished_at")
        .first()
    )
    previous = (
        (last.finished_at - last.started_at).total_seconds() if last and last.finished_at else None
    )
    return page, [RunRow(r, at, previous=previous) for r in page]
