"""Searching for people: by name (typos, aliases and street names, sound-alikes), date of birth
or age range, identifier and postcode, in any combination.

How it stays fast at a borough's scale (60,000 children, 1,000,000 events): every criterion is
a key in one table, ``people.SearchName`` (see ``people.search_index``), so the whole match is
**one grouped query**. Each typed name word is an indexed condition on that table (exact text,
prefix, Metaphone, NYSIIS, sorted letters, and on PostgreSQL trigram similarity through a GIN
index); the rows they find are grouped by person, a person is kept only when every word found
something (``HAVING``), and the identifier and postcode are ``EXISTS`` checks on that person.
The database ranks and caps each list (children, adults, age unknown) with a window function.
Then a fixed handful of small queries dress the at most ``LIMIT + 1`` people per list: their
records, the policy's verdict for exactly these ids, and ``known_to`` for those the user may
not open. Events are read only by the policy, for those few ids, through indexes.

What a user is told follows ``people.policy``: people in ``instances_user_can_view`` are shown
by name; anyone else only as "known to N agencies", with break glass offered to roles that may.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

import jellyfish
from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.functions import Greatest, RowNumber

from efh.core.models import Source
from efh.people.models import NAME_KINDS, Alias, PersonRecord, SearchKind, SearchName
from efh.people.policy import can_search, instances_user_can_view, known_to
from efh.people.search_index import (
    POSTCODE_FULL,
    canonical_identifier,
    canonical_postcode,
    identifier_candidates,
    name_keys,
    words,
)

if TYPE_CHECKING:
    from efh.accounts.models import User

LIMIT = 50
MAX_WORDS = 6
IDENTIFIER_KINDS = (SearchKind.NHS, SearchKind.UPN, SearchKind.PNC)

# How well one typed word matches one indexed word (the best of those that apply).
EXACT = 1.0
PREFIX = 0.85
TRANSPOSED = 0.8
SOUNDS_LIKE = 0.75
INITIAL = 0.6


class Group(StrEnum):
    CHILDREN = "children"
    ADULTS = "adults"
    UNKNOWN = "unknown"


_GROUP_CODE = {2: Group.CHILDREN, 1: Group.ADULTS, 0: Group.UNKNOWN}


@dataclass(frozen=True)
class SearchTerms:
    """What to look for, already checked and normalised (``people.forms``-style validation
    happens in the view's form)."""

    name: str = ""
    date_of_birth: date | None = None
    born_after: date | None = None  # exclusive
    born_on_or_before: date | None = None
    identifier: str = ""
    postcode: str = ""

    @property
    def name_words(self) -> list[str]:
        return list(dict.fromkeys(words(self.name)))[:MAX_WORDS]

    @property
    def empty(self) -> bool:
        return not (
            self.name_words
            or self.date_of_birth
            or self.born_after
            or self.born_on_or_before
            or canonical_identifier(self.identifier)
            or canonical_postcode(self.postcode)
        )


@dataclass
class Found:
    """One person in the results. ``can_open`` False: only ``known_to`` may be shown."""

    person_id: int
    score: float
    group: Group
    can_open: bool
    known_to: int = 0
    name: str = ""
    also_known_as: list[str] = field(default_factory=list)
    date_of_birth: date | None = None
    age: int | None = None
    agencies: list[str] = field(default_factory=list)


@dataclass
class SearchResults:
    lists: dict[Group, list[Found]]
    more: dict[Group, bool]

    @property
    def shown(self) -> list[Found]:
        return [f for found in self.lists.values() for f in found]

    @property
    def result_ids(self) -> list[int]:
        return [f.person_id for f in self.shown if f.can_open]

    @property
    def restricted_ids(self) -> list[int]:
        return [f.person_id for f in self.shown if not f.can_open]

    @property
    def total(self) -> int:
        return len(self.shown)


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def born_between(today: date, age_from: int | None, age_to: int | None) -> tuple[date | None, ...]:
    """(born after, born on or before) for ages ``age_from`` to ``age_to`` inclusive today."""
    after = years_before(today, age_to + 1) if age_to is not None else None
    on_or_before = years_before(today, age_from) if age_from is not None else None
    return after, on_or_before


# --- the one grouped query -----------------------------------------------------------------


def _trigrams() -> bool:
    return connection.vendor == "postgresql"


def _word_match(word: str) -> tuple[Q, Any]:
    """The condition for index rows one typed word matches, and how well each matches."""
    metaphone, nysiis, anagram = name_keys(word)
    names = Q(kind__in=NAME_KINDS)
    if len(word) == 1:  # an initial: a given name starting with it, or a one-letter alias
        condition = names & Q(text=word) | Q(kind=SearchKind.GIVEN, text__startswith=word)
        initial = Case(When(text=word, then=Value(EXACT)), default=Value(INITIAL))
        return condition, initial
    alternatives = Q(text=word) | Q(text__startswith=word)
    whens = [
        When(text=word, then=Value(EXACT)),
        When(text__startswith=word, then=Value(PREFIX)),
    ]
    if anagram:
        alternatives |= Q(anagram=anagram)
        whens.append(When(anagram=anagram, then=Value(TRANSPOSED)))
    if metaphone:
        alternatives |= Q(metaphone=metaphone) | Q(nysiis=nysiis)
        whens.append(When(Q(metaphone=metaphone) | Q(nysiis=nysiis), then=Value(SOUNDS_LIKE)))
    score: Any = Case(*whens, default=Value(0.0), output_field=FloatField())
    if _trigrams():
        from django.contrib.postgres.lookups import TrigramSimilar
        from django.contrib.postgres.search import TrigramSimilarity

        # ``text % word``: the GIN trigram index finds words within pg_trgm's similarity
        # threshold (0.3 by default): a missing, extra or wrong letter in a longer name.
        alternatives |= Q(TrigramSimilar(F("text"), Value(word)))
        score = Greatest(score, TrigramSimilarity("text", word), output_field=FloatField())
    return names & alternatives, score


def _same_person_has(condition: Q) -> Exists:
    """Some record of the row's person has a key meeting ``condition``."""
    return Exists(
        SearchName.objects.filter(condition, record__person_id=OuterRef("record__person_id"))
    )


def _matches(terms: SearchTerms, limit: int) -> list[tuple[int, Group, float]]:
    """(person id, list, score) of the best ``limit + 1`` people in each list, best first.

    The most selective criterion typed drives the query (name words, else the identifier, else
    the postcode, else the date of birth or age); the others are ``EXISTS`` checks on the same
    person, so a broad one (a postcode district has thousands of keys) is never grouped."""
    conditions: list[Q] = []
    identifiers = identifier_candidates(terms.identifier)
    if identifiers:
        conditions.append(Q(kind__in=IDENTIFIER_KINDS, text__in=identifiers))
    postcode = canonical_postcode(terms.postcode)
    if postcode:
        if POSTCODE_FULL.match(postcode.replace(" ", "")):
            conditions.append(Q(kind=SearchKind.POSTCODE, text=postcode))
        else:  # a district: "E2" is "E2 ..." (never "E20 ...")
            conditions.append(Q(kind=SearchKind.POSTCODE, text__startswith=f"{postcode} "))
    aggregates: dict[str, Any] = {}
    score: Any = Value(1.0)
    if terms.name_words:
        driver = Q()
        for n, word in enumerate(terms.name_words):
            condition, word_score = _word_match(word)
            driver |= condition
            aggregates[f"w{n}"] = Max(
                Case(When(condition, then=word_score), output_field=FloatField())
            )
        score = sum((F(name) for name in aggregates), Value(0.0)) / Value(float(len(aggregates)))
    elif conditions:
        driver = conditions.pop(0)
    else:  # date of birth or age alone: one key per record
        driver = Q(kind=SearchKind.FAMILY)
    rows = SearchName.objects.filter(driver)
    for condition in conditions:
        rows = rows.filter(_same_person_has(condition))
    if terms.date_of_birth:
        rows = rows.filter(date_of_birth=terms.date_of_birth)
    if terms.born_after:
        rows = rows.filter(date_of_birth__gt=terms.born_after)
    if terms.born_on_or_before:
        rows = rows.filter(date_of_birth__lte=terms.born_on_or_before)
    grouped = (
        rows.values(pid=F("record__person_id"))
        .annotate(
            **aggregates,
            grp=Max(
                Case(
                    When(is_child=True, then=Value(2)),
                    When(is_child=False, then=Value(1)),
                    default=Value(0),
                    output_field=IntegerField(),
                )
            ),
        )
        .filter(**{f"{name}__isnull": False for name in aggregates})  # every word matched
        .annotate(score=score)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("grp")],
                order_by=[F("score").desc(), F("pid").asc()],
            )
        )
        .filter(rank__lte=limit + 1)
        .values_list("pid", "grp", "score")
    )
    found = [(pid, _GROUP_CODE[grp], float(score)) for pid, grp, score in grouped]
    found.sort(key=lambda f: (-f[2], f[0]))
    return found


# --- dressing the people found ---------------------------------------------------------------


def _word_score(typed: str, indexed: str) -> float:
    """The Python twin of ``_word_match`` for picking a person's best-matching name; Jaro-
    Winkler stands in for trigram similarity."""
    if typed == indexed:
        return EXACT
    if len(typed) == 1:
        return INITIAL if indexed.startswith(typed) else 0.0
    if indexed.startswith(typed):
        return PREFIX
    t, i = name_keys(typed), name_keys(indexed)
    best = 0.0
    if t[2] and t[2] == i[2]:
        best = TRANSPOSED
    elif t[0] and (t[0] == i[0] or t[1] == i[1]):
        best = SOUNDS_LIKE
    similar = jellyfish.jaro_winkler_similarity(typed, indexed)
    return max(best, similar * 0.9 if similar >= 0.8 else 0.0)


def _best_name(
    typed: list[str], records: list[dict[str, Any]], aliases: dict[int, list[str]]
) -> tuple[dict[str, Any], list[str]]:
    """The record whose names (and aliases) match the typed words best, and the aliases that
    matched better than its own names did."""
    if not typed:
        return records[0], []
    best: tuple[float, int] = (-1.0, 0)
    best_aliases: list[str] = []
    for index, record in enumerate(records):
        own = words(record["given_name"]) + words(record["family_name"])
        total, via_alias = 0.0, []
        for word in typed:
            own_score = max((_word_score(word, w) for w in own), default=0.0)
            alias_score, alias = 0.0, ""
            for name in aliases.get(record["pk"], []):
                score = max((_word_score(word, w) for w in words(name)), default=0.0)
                if score > alias_score:
                    alias_score, alias = score, name
            if alias_score > own_score:
                via_alias.append(alias)
            total += max(own_score, alias_score)
        if (total, -index) > (best[0], -best[1]):
            best, best_aliases = (total, index), list(dict.fromkeys(via_alias))
    return records[best[1]], best_aliases


def _dress(
    user: User, terms: SearchTerms, found: list[tuple[int, Group, float]], today: date
) -> list[Found]:
    ids = [pid for pid, _group, _score in found]
    if not ids:
        return []
    openable = set(instances_user_can_view(user).filter(pk__in=ids).values_list("pk", flat=True))
    restricted = [pid for pid in ids if pid not in openable]
    counts = known_to(restricted) if restricted else {}
    records: dict[int, list[Any]] = defaultdict(list)
    aliases: dict[int, list[str]] = defaultdict(list)
    agencies = {
        code: agency or name
        for code, agency, name in Source.objects.values_list("code", "agency__name", "name")
    }
    if openable:
        for row in (
            PersonRecord.objects.filter(person_id__in=openable)
            .order_by("person_id", "-recorded_at", "pk")
            .values(
                "pk",
                "person_id",
                "given_name",
                "family_name",
                "date_of_birth",
                "source",
            )
        ):
            records[row["person_id"]].append(row)
        for record_id, name in Alias.objects.filter(record__person_id__in=openable).values_list(
            "record_id", "name"
        ):
            aliases[record_id].append(name)
    people = []
    for pid, group, score in found:
        if pid not in openable:
            people.append(Found(pid, score, group, can_open=False, known_to=counts.get(pid, 0)))
            continue
        own = records[pid]
        if terms.date_of_birth or terms.born_after or terms.born_on_or_before:
            # The name to show is from a record that fits the date or age asked for.
            fitting = [r for r in own if _fits(terms, r["date_of_birth"])] or own
        else:
            fitting = own
        record, via_alias = _best_name(terms.name_words, fitting, aliases)
        born = record["date_of_birth"] or next(
            (r["date_of_birth"] for r in own if r["date_of_birth"]), None
        )
        people.append(
            Found(
                pid,
                score,
                group,
                can_open=True,
                name=f"{record['given_name']} {record['family_name']}".strip(),
                also_known_as=via_alias,
                date_of_birth=born,
                age=age_on(born, today) if born else None,
                agencies=sorted({agencies.get(r["source"], r["source"]) for r in own}),
            )
        )
    return people


def _fits(terms: SearchTerms, born: date | None) -> bool:
    if born is None:
        return False
    if terms.date_of_birth and born != terms.date_of_birth:
        return False
    if terms.born_after and born <= terms.born_after:
        return False
    return not (terms.born_on_or_before and born > terms.born_on_or_before)


def people_search(
    user: User, terms: SearchTerms, *, today: date, limit: int = LIMIT
) -> SearchResults:
    """The people matching ``terms``, children and adults apart, best first, at most ``limit``
    in each list; shown by name only where ``people.policy`` lets the user open the record.

    Callers check ``Capability.CASEWORK`` first (``instances_user_can_view`` is empty without
    it, so a caller that forgot would show only "known to" entries, never a name)."""
    lists: dict[Group, list[Found]] = {group: [] for group in Group}
    more = dict.fromkeys(Group, False)
    if terms.empty or not can_search(user):
        return SearchResults(lists, more)
    found = _matches(terms, limit)
    for person in _dress(user, terms, found, today):
        if len(lists[person.group]) < limit:
            lists[person.group].append(person)
        else:
            more[person.group] = True
    return SearchResults(lists, more)
