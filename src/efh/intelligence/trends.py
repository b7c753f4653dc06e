"""Trends: counts of events and of the people in them, by harm type and month, ward, age band,
sex and ethnicity, with seasonality, rolling three-month totals and the change on last year.

``trends(snapshot, config) -> Trends`` (a dataclass of Polars frames; all vectorised, about a
second on a million events). What is counted:

- **Items.** Every event, once per harm type it carries, plus every missing episode as harm type
  ``"missing"`` (dated ``went_missing_at``; ward that of its found place, if known). Events with
  no harm type count only under ``"all"``. Each frame also has ``harm_type == "all"``: every event
  and episode once, whatever its harm types, so a page can show the total beside the parts.
- **events** is the number of distinct events (and episodes); **people** the distinct people in
  them (``event_people``; the missing child for an episode); **children** the distinct people
  with ``is_child``.
- **by_month**: harm_type x month (first day of the month), every month from the first item's
  to ``as_of``'s, zero-filled.
- **by_ward**: harm_type x ward of the event's point ("" when unknown).
- **by_age_band / by_sex / by_ethnicity**: harm_type x the attribute of the *people* in the
  events (an event with a 15-year-old girl and a 17-year-old boy counts once in each of their
  bands and sexes). The age band is the age at the event: ``Under 10``, ``10 to 13``,
  ``14 to 15``, ``16 to 17``, ``18 to 24``, ``25 and over``, ``Not known`` (no date of birth) --
  the borough's bands, re-implemented here because ``efh.people.selectors.record.age_band``
  lives in a Django module the intelligence core must not import. Sex and ethnicity are as
  given ("" shown as ``Not known``).
- **suppressed** (ward and demography frames): ``events < 5 or people < 5``. Suppressing the
  number on screen is the page's job; this column tells it which.
- **seasonality**: per harm type and calendar month (``month_of_year``, 1-12), ``index`` = the mean count in that calendar
  month over the full years available / the mean monthly count over those years. "Full years"
  are the largest whole number of 12-month blocks of complete months ending with the last
  complete month before ``as_of`` (so every calendar month is counted equally often); with fewer
  than 12 complete months there is no index. 1.0 is an average month; 1.3 a month 30% busier.
- **rolling**: per harm type and month, ``rolling_3m`` = the events in that month and the two
  before it; ``last_year_3m`` = the same three months a year earlier (null when that is before
  the data); ``change`` = the difference and ``change_pct`` = it as a percentage of last year's
  (null when last year's is 0 or unknown). The month containing ``as_of``, and the first month
  unless the data starts on its first day, are partial and marked ``complete == False``.
- ``Trends.tables()`` names the frames for the pages: harm_month, ward, age_band, sex,
  ethnicity, seasonality, rolling.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import polars as pl

from efh.intelligence.frames import Snapshot

AGE_BANDS: tuple[tuple[int, str], ...] = (
    (10, "Under 10"),
    (14, "10 to 13"),
    (16, "14 to 15"),
    (18, "16 to 17"),
    (25, "18 to 24"),
)
OLDEST_BAND = "25 and over"
NOT_KNOWN = "Not known"
ALL = "all"
SUPPRESS_BELOW = 5


@dataclass(frozen=True)
class TrendConfig:
    suppress_below: int = SUPPRESS_BELOW
    include_missing: bool = True  # count missing episodes as harm type "missing"


TrendsConfig = TrendConfig


@dataclass(frozen=True)
class Trends:
    by_month: pl.DataFrame  # harm_type, month (date), events, people, children
    by_ward: pl.DataFrame  # harm_type, ward, events, people, children, suppressed
    by_age_band: pl.DataFrame  # harm_type, age_band, events, people, children, suppressed
    by_sex: pl.DataFrame  # harm_type, sex, events, people, children, suppressed
    by_ethnicity: pl.DataFrame  # harm_type, ethnicity, events, people, children, suppressed
    seasonality: pl.DataFrame  # harm_type, month_of_year (1-12), mean_count, index, years
    rolling: pl.DataFrame  # harm_type, month, complete, events, rolling_3m, last_year_3m, ...

    def tables(self) -> list[tuple[str, pl.DataFrame]]:
        """The frames under the names the trend pages use."""
        return [
            ("harm_month", self.by_month),
            ("ward", self.by_ward),
            ("age_band", self.by_age_band),
            ("sex", self.by_sex),
            ("ethnicity", self.by_ethnicity),
            ("seasonality", self.seasonality),
            ("rolling", self.rolling),
        ]


def _items(snapshot: Snapshot, cfg: TrendConfig) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(items, item_people): items = item, at, ward, harm_type (one row per harm type, plus
    "all"); item_people = item, person_id. Events keep their id; episodes get -episode_id."""
    ev = snapshot.events.select(
        item=pl.col("event_id"),
        at=pl.col("occurred_at"),
        ward=pl.col("ward").fill_null(""),
        harm_types=pl.col("harm_types").list.unique(),
    )
    people = snapshot.event_people.select(item=pl.col("event_id"), person_id="person_id")
    if cfg.include_missing and snapshot.missing.height:
        wards = snapshot.places.select(found_place="place", ward=pl.col("ward").fill_null(""))
        ms = snapshot.missing.join(wards.unique("found_place"), on="found_place", how="left")
        ev = pl.concat(
            [
                ev,
                ms.select(
                    item=-pl.col("episode_id"),
                    at=pl.col("went_missing_at"),
                    ward=pl.col("ward").fill_null(""),
                    harm_types=pl.lit(["missing"], dtype=pl.List(pl.String())),
                ),
            ]
        )
        people = pl.concat(
            [people, ms.select(item=-pl.col("episode_id"), person_id=pl.col("person_id"))]
        )
    ev = ev.filter(pl.col("at") <= snapshot.as_of)
    items = pl.concat(
        [
            ev.select("item", "at", "ward", harm_type=pl.lit(ALL)),
            ev.explode("harm_types")
            .filter(pl.col("harm_types").is_not_null() & (pl.col("harm_types") != ""))
            .filter(pl.col("harm_types") != ALL)
            .select("item", "at", "ward", harm_type=pl.col("harm_types")),
        ]
    )
    # Duplicates (an event listing a harm type twice, a person in two roles) need no unique():
    # every count below is a distinct count.
    return items, people


def _age_band(age: pl.Expr) -> pl.Expr:
    expr: Any = pl.when(age.is_null()).then(pl.lit(NOT_KNOWN))
    for limit, label in AGE_BANDS:
        expr = expr.when(age < limit).then(pl.lit(label))
    return expr.otherwise(pl.lit(OLDEST_BAND))


def _counts(frame: pl.LazyFrame, keys: list[str]) -> pl.LazyFrame:
    return (
        frame.group_by(keys)
        .agg(
            events=pl.col("item").n_unique().cast(pl.Int64),
            people=pl.col("person_id").drop_nulls().n_unique().cast(pl.Int64),
            children=pl.col("person_id").filter(pl.col("is_child")).n_unique().cast(pl.Int64),
        )
        .sort(keys)
    )


def _suppress(frame: pl.DataFrame, below: int) -> pl.DataFrame:
    return frame.with_columns(
        suppressed=(pl.col("events") < below) | (pl.col("people") < below),
    )


def _month_floor(col: str) -> pl.Expr:
    return pl.col(col).dt.truncate("1mo").cast(pl.Date)


def trends(snapshot: Snapshot, config: TrendConfig | None = None) -> Trends:
    cfg = config or TrendConfig()
    items, item_people = _items(snapshot, cfg)
    persons = snapshot.persons.select(
        "person_id",
        "is_child",
        "date_of_birth",
        sex=pl.when(pl.col("sex").fill_null("") == "")
        .then(pl.lit(NOT_KNOWN))
        .otherwise(pl.col("sex")),
        ethnicity=pl.when(pl.col("ethnicity").fill_null("") == "")
        .then(pl.lit(NOT_KNOWN))
        .otherwise(pl.col("ethnicity")),
    )
    # One row per (item, harm type, person); items with nobody keep one row with a null person.
    rows = (
        items.lazy()
        .join(item_people.lazy(), on="item", how="left")
        .join(persons.lazy(), on="person_id", how="left")
        .with_columns(
            is_child=pl.col("is_child").fill_null(False),
            month=_month_floor("at"),
        )
    )
    day = pl.col("at").dt.date()
    dob = pl.col("date_of_birth")
    age = (
        day.dt.year()
        - dob.dt.year()
        - (
            (day.dt.month() < dob.dt.month())
            | ((day.dt.month() == dob.dt.month()) & (day.dt.day() < dob.dt.day()))
        ).cast(pl.Int32)
    )
    people_rows = rows.filter(pl.col("person_id").is_not_null()).with_columns(
        age_band=_age_band(age),
        sex=pl.col("sex").fill_null(NOT_KNOWN),
        ethnicity=pl.col("ethnicity").fill_null(NOT_KNOWN),
    )
    month, ward, band, sex, ethnicity = pl.collect_all(
        [
            _counts(rows, ["harm_type", "month"]),
            _counts(rows, ["harm_type", "ward"]),
            _counts(people_rows, ["harm_type", "age_band"]),
            _counts(people_rows, ["harm_type", "sex"]),
            _counts(people_rows, ["harm_type", "ethnicity"]),
        ]
    )
    first_at: datetime | None = items["at"].min()  # type: ignore[assignment]
    by_month = _by_month(month, snapshot.as_of)
    below = cfg.suppress_below
    return Trends(
        by_month=by_month,
        by_ward=_suppress(ward, below),
        by_age_band=_suppress(band, below),
        by_sex=_suppress(sex, below),
        by_ethnicity=_suppress(ethnicity, below),
        seasonality=_seasonality(by_month, snapshot.as_of, first_at),
        rolling=_rolling(by_month, snapshot.as_of, first_at),
    )


def _by_month(counts: pl.DataFrame, as_of: datetime) -> pl.DataFrame:
    schema = {
        "harm_type": pl.String(),
        "month": pl.Date(),
        "events": pl.Int64(),
        "people": pl.Int64(),
        "children": pl.Int64(),
    }
    if counts.height == 0:
        return pl.DataFrame(schema=schema)
    first: date = counts["month"].min()  # type: ignore[assignment]
    last = as_of.date().replace(day=1)
    months = pl.DataFrame({"month": pl.date_range(first, last, "1mo", eager=True)})
    grid = counts.select("harm_type").unique().join(months, how="cross")
    return (
        grid.join(counts, on=["harm_type", "month"], how="left")
        .with_columns(pl.col("events", "people", "children").fill_null(0))
        .sort("harm_type", "month")
        .select(list(schema))
    )


def _complete(as_of: datetime, first_at: datetime | None) -> pl.Expr:
    """Whether a month is wholly covered by the data: not as_of's own month (partial) and not
    the first month unless the data starts on its first day."""
    current = as_of.date().replace(day=1)
    ok = pl.col("month") < current
    if first_at is not None and first_at.day != 1:
        ok = ok & (pl.col("month") > first_at.date().replace(day=1))
    return ok


def _seasonality(
    by_month: pl.DataFrame, as_of: datetime, first_at: datetime | None
) -> pl.DataFrame:
    schema = {
        "harm_type": pl.String(),
        "month_of_year": pl.Int8(),
        "mean_count": pl.Float64(),
        "index": pl.Float64(),
        "years": pl.Int64(),
    }
    done = by_month.filter(_complete(as_of, first_at))
    if done.height == 0:
        return pl.DataFrame(schema=schema)
    n_months = done["month"].n_unique()
    years = n_months // 12
    if years == 0:
        return pl.DataFrame(schema=schema)
    last: date = done["month"].max()  # type: ignore[assignment]
    keep = sorted(done["month"].unique().to_list())[-years * 12 :]
    assert keep[-1] == last
    span = done.filter(pl.col("month").is_in(keep))
    return (
        span.with_columns(month_of_year=pl.col("month").dt.month().cast(pl.Int8))
        .group_by("harm_type", "month_of_year")
        .agg(mean_count=pl.col("events").mean())
        .with_columns(
            index=pl.when(pl.col("mean_count").mean().over("harm_type") > 0)
            .then(pl.col("mean_count") / pl.col("mean_count").mean().over("harm_type"))
            .otherwise(None),
            years=pl.lit(years, dtype=pl.Int64),
        )
        .sort("harm_type", "month_of_year")
        .select(list(schema))
    )


def _rolling(by_month: pl.DataFrame, as_of: datetime, first_at: datetime | None) -> pl.DataFrame:
    out = (
        by_month.sort("harm_type", "month")
        .with_columns(
            rolling_3m=pl.col("events").rolling_sum(3, min_samples=3).over("harm_type"),
        )
        .with_columns(
            last_year_3m=pl.col("rolling_3m").shift(12).over("harm_type"),
        )
        .with_columns(
            change=pl.col("rolling_3m") - pl.col("last_year_3m"),
        )
        .with_columns(
            change_pct=pl.when(pl.col("last_year_3m") > 0)
            .then(100.0 * pl.col("change") / pl.col("last_year_3m"))
            .otherwise(None),
            complete=_complete(as_of, first_at),
        )
    )
    return out.select(
        "harm_type",
        "month",
        "complete",
        "events",
        "rolling_3m",
        "last_year_3m",
        "change",
        "change_pct",
    )
