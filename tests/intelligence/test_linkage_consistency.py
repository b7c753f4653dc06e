"""No automatic merge puts contradictory records in one person; an ambiguous record links to the
person it matches far better, or to no one."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from efh.intelligence.linkage import MergePlan
from efh.intelligence.linkage.consistency import (
    CLEAR_MARGIN,
    consistent_plans,
    contradictions,
    dates_near,
)


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        (date(2012, 3, 4), date(2012, 3, 4), True),
        (date(2012, 3, 4), date(2012, 4, 3), True),  # day and month swapped
        (date(2012, 3, 4), date(2012, 3, 6), True),  # two days out
        (date(2012, 3, 4), date(2013, 3, 4), True),  # a year out
        (date(2012, 3, 4), date(2011, 3, 5), True),  # a year out across 29 February
        (date(2012, 3, 4), date(2012, 8, 4), True),  # one digit
        (date(2012, 3, 4), date(2015, 11, 20), False),
        (date(2015, 11, 6), date(2022, 7, 17), False),
    ],
)
def test_dates_near(a: date, b: date, near: bool) -> None:
    assert dates_near(a, b) is near
    assert dates_near(b, a) is near


def _records(*rows: tuple) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "unique_id": pl.Int64,
            "date_of_birth": pl.Date,
            "nhs_number": pl.String,
            "upn": pl.String,
            "pnc_id": pl.String,
        },
        orient="row",
    )


def _pairs(*rows: tuple[int, int, float]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"unique_id_l": pl.Int64, "unique_id_r": pl.Int64, "match_weight": pl.Float64},
        orient="row",
    ).with_columns(auto_allowed=pl.lit(True))


# Two brothers given the same name (records 1 and 2, persons 10 and 20), and a police record with
# no date of birth (record 3, person 30) that matches both.
BROTHERS = _records(
    (1, date(2015, 11, 6), "", "N204200019840", ""),
    (2, date(2022, 7, 17), "9996057569", "", ""),
    (3, None, "", "", ""),
)
PERSON_OF = {1: 10, 2: 20, 3: 30}


def test_contradictions_are_dates_of_birth_far_apart_or_different_identifiers() -> None:
    plans = [MergePlan(10, 20, (1, 2), 8.0), MergePlan(10, 30, (1, 3), 8.0)]
    assert contradictions(plans, BROTHERS, PERSON_OF) == {(10, 20)}
    twins_typo = _records((1, date(2015, 11, 6), "", "", ""), (2, date(2015, 11, 7), "", "", ""))
    assert contradictions([MergePlan(10, 20, (1, 2), 8.0)], twins_typo, {1: 10, 2: 20}) == set()
    other_nhs = _records(
        (1, None, "9996057569", "", ""), (2, None, "9990000001", "", ""), (3, None, "", "", "")
    )
    assert contradictions([MergePlan(10, 20, (1, 2), 8.0)], other_nhs, PERSON_OF) == {(10, 20)}


def test_a_record_matching_two_different_people_equally_links_to_neither() -> None:
    strong = _pairs((1, 3, 11.0), (2, 3, 11.0))
    plans, withdrawn = consistent_plans(
        strong, records=BROTHERS, person_of=PERSON_OF, upper=3.0, cannot_link=set()
    )
    assert plans == []
    assert sorted(withdrawn.select("unique_id_l", "unique_id_r").rows()) == [(1, 3), (2, 3)]


def test_a_record_matching_one_person_far_better_links_to_that_one() -> None:
    strong = _pairs((1, 3, 11.0 + CLEAR_MARGIN), (2, 3, 11.0))
    plans, withdrawn = consistent_plans(
        strong, records=BROTHERS, person_of=PERSON_OF, upper=3.0, cannot_link=set()
    )
    assert [(p.survivor_id, p.absorbed_id) for p in plans] == [(10, 30)]
    assert withdrawn.select("unique_id_l", "unique_id_r").rows() == [(2, 3)]


def test_cannot_links_are_kept() -> None:
    records = _records((1, date(2015, 1, 1), "", "", ""), (2, date(2015, 1, 1), "", "", ""))
    plans, _ = consistent_plans(
        _pairs((1, 2, 20.0)),
        records=records,
        person_of={1: 10, 2: 20},
        upper=3.0,
        cannot_link={(10, 20)},
    )
    assert plans == []
