"""Keeping automatic merges consistent: no merge may put records that contradict each other into
one person, and a record that matches two different people equally well links to neither.

Linkage scores pairs of records; merges join people, transitively. A record with little in it
(a police record with a name and a postcode but no date of birth) can match two brothers given
the same name, and through it the two brothers would become one child. Splink's clustering has
no way to say two records must stay apart, so this is written by hand, as a check over the
planned groups:

- **contradiction**: two people a plan would join hold, each, a date of birth and none of one's
  is near any of the other's (near: equal, day and month swapped, up to two days apart, the same
  day and month a year apart, or one digit different); or both hold NHS numbers (or UPNs, or PNC
  ids) with none in common;
- **ambiguity**: a person whose automatic links reach two people who contradict each other is
  linked only to the one it matches far better (by ``CLEAR_MARGIN`` bits of match weight at
  least); when neither is clearly better it is linked to neither, and those links go to
  clerical review instead.

:func:`consistent_plans` repeats clustering with the contradictions as cannot-links until no
planned group holds one (a handful of rounds at most).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

import polars as pl

from efh.intelligence.linkage.cluster import MergePlan, cluster

IDENTIFIERS = ("nhs_number", "upn", "pnc_id")
MAX_ROUNDS = 6
CLEAR_MARGIN = 5.0
"""Bits of match weight by which one candidate must beat the other (32 times as likely)."""


def dates_near(a: date, b: date) -> bool:
    """Could ``a`` and ``b`` be one date of birth recorded twice, with a usual error?"""
    if a == b or abs((a - b).days) <= 2:
        return True
    if (a.month, a.day) == (b.day, b.month) and a.year == b.year:
        return True
    if abs(abs((a - b).days) - 365) <= 1:  # a year out (365 days, across a 29 February too)
        return True
    sa, sb = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    return sum(x != y for x, y in zip(sa, sb, strict=True)) == 1


def _near_expr() -> pl.Expr:
    """``dates_near`` over columns ``dob_a`` and ``dob_b`` (both present)."""
    days = (pl.col("dob_a") - pl.col("dob_b")).dt.total_days().abs()
    a, b = pl.col("dob_a"), pl.col("dob_b")
    swapped = (
        (a.dt.year() == b.dt.year()) & (a.dt.month() == b.dt.day()) & (a.dt.day() == b.dt.month())
    )
    sa, sb = a.dt.strftime("%Y%m%d"), b.dt.strftime("%Y%m%d")
    digits = pl.sum_horizontal(
        [(sa.str.slice(i, 1) != sb.str.slice(i, 1)).cast(pl.Int32) for i in range(8)]
    )
    return (days <= 2) | swapped | ((days - 365).abs() <= 1) | (digits == 1)


def contradictions(
    plans: Iterable[MergePlan], records: pl.DataFrame, person_of: dict[int, int] | pl.DataFrame
) -> set[tuple[int, int]]:
    """Pairs of people (smaller id first) that the plans would put in one group although their
    records contradict each other. ``person_of``: each record's current person (a dict, or a
    frame of ``unique_id`` and ``person``). Set-based (Polars): every pair of records from two
    different people of one planned group is compared, so groups stay small to be cheap."""
    group_of: dict[int, int] = {}
    for plan in plans:
        group_of[plan.survivor_id] = plan.survivor_id
        group_of[plan.absorbed_id] = plan.survivor_id
    if not group_of:
        return set()
    people = pl.DataFrame(
        {"person": list(group_of), "group": list(group_of.values())},
        schema={"person": pl.Int64, "group": pl.Int64},
    )
    owners = _owners(person_of)
    facts = (
        records.select("unique_id", "date_of_birth", *IDENTIFIERS)
        .join(owners, on="unique_id")
        .join(people, on="person")
    )
    left = facts.rename({c: f"{c}_a" for c in facts.columns if c != "group"})
    right = facts.rename({c: f"{c}_b" for c in facts.columns if c != "group"})
    pairs = left.join(right, on="group").filter(pl.col("person_a") < pl.col("person_b"))
    if pairs.is_empty():
        return set()
    pairs = pairs.rename({"date_of_birth_a": "dob_a", "date_of_birth_b": "dob_b"})
    both_dob = pl.col("dob_a").is_not_null() & pl.col("dob_b").is_not_null()
    aggregations = [
        (pl.col("dob_a").is_not_null().any() & pl.col("dob_b").is_not_null().any()
         & ~(both_dob & _near_expr()).any()).alias("dob_conflict"),
    ]  # fmt: skip
    for kind in IDENTIFIERS:
        a, b = pl.col(f"{kind}_a"), pl.col(f"{kind}_b")
        aggregations.append(
            ((a != "").any() & (b != "").any() & ~((a != "") & (a == b)).any()).alias(kind)
        )
    per_pair = pairs.group_by("person_a", "person_b").agg(aggregations)
    bad = per_pair.filter(pl.any_horizontal("dob_conflict", *IDENTIFIERS))
    return set(zip(bad["person_a"].to_list(), bad["person_b"].to_list(), strict=True))


def _owners(person_of: dict[int, int] | pl.DataFrame) -> pl.DataFrame:
    if isinstance(person_of, pl.DataFrame):
        return person_of.select(pl.col("unique_id"), pl.col(person_of.columns[1]).alias("person"))
    return pl.DataFrame(
        {"unique_id": list(person_of), "person": list(person_of.values())},
        schema={"unique_id": pl.Int64, "person": pl.Int64},
    )


def consistent_plans(
    strong: pl.DataFrame,
    *,
    records: pl.DataFrame,
    person_of: dict[int, int],
    upper: float,
    cannot_link: set[tuple[int, int]],
) -> tuple[list[MergePlan], pl.DataFrame]:
    """Cluster ``strong`` pairs into merges with no contradiction inside any group.

    Returns the plans and the pairs withdrawn as ambiguous (for clerical review). ``records``
    holds ``unique_id``, ``date_of_birth`` and the identifiers; ``person_of`` every record's
    current person; ``cannot_link`` person pairs that must stay apart (grown here).
    """
    apart = set(cannot_link)
    withdrawn = strong.clear()
    owners = _owners(person_of)
    plans = cluster(strong, person_of=person_of, upper=upper, cannot_link=apart)
    for _ in range(MAX_ROUNDS):
        found = contradictions(plans, records, owners)
        if not found:
            break
        apart |= found
        ambiguous = _ambiguous_pairs(strong, person_of, found)
        if ambiguous.height:
            withdrawn = pl.concat([withdrawn, ambiguous])
            strong = strong.join(
                ambiguous.select("unique_id_l", "unique_id_r"),
                on=["unique_id_l", "unique_id_r"],
                how="anti",
            )
        plans = cluster(strong, person_of=person_of, upper=upper, cannot_link=apart)
    else:  # still contradictions after the last round: leave those groups for review
        found = contradictions(plans, records, owners)
        bad = {p for pair in found for p in pair}
        plans = [p for p in plans if p.survivor_id not in bad and p.absorbed_id not in bad]
    return plans, withdrawn


def _ambiguous_pairs(
    strong: pl.DataFrame, person_of: dict[int, int], found: set[tuple[int, int]]
) -> pl.DataFrame:
    """Strong pairs to withdraw: from a third person to the side of a contradiction it matches
    less well, or to both sides when neither is clearly better."""
    best: dict[tuple[int, int], float] = {}
    person_l = [person_of[r] for r in strong["unique_id_l"]]
    person_r = [person_of[r] for r in strong["unique_id_r"]]
    for a, b, w in zip(person_l, person_r, strong["match_weight"].to_list(), strict=True):
        if a != b:
            for key in ((a, b), (b, a)):
                best[key] = max(best.get(key, float("-inf")), w)
    links: dict[int, set[int]] = defaultdict(set)
    for a, b in best:
        links[a].add(b)
    drop: set[tuple[int, int]] = set()
    for a, b in found:
        for third in links.get(a, set()) & links.get(b, set()):
            wa, wb = best[(third, a)], best[(third, b)]
            losers = [b] if wa - wb >= CLEAR_MARGIN else [a] if wb - wa >= CLEAR_MARGIN else [a, b]
            for loser in losers:
                drop.update({(third, loser), (loser, third)})
    if not drop:
        return strong.clear()
    mask = [(x, y) in drop for x, y in zip(person_l, person_r, strict=True)]
    return strong.filter(pl.Series(mask, dtype=pl.Boolean))
