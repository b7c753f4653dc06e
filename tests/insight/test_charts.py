"""The trend charts: each harm type on its own scale, axes labelled, the month the data stop in
drawn as incomplete (never as a fall), months with no records yet left out; ethnicity and sex by
their names, not their codes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from efh.insight.charts import FIRST_MONTH_NOTE, month_bar_chart, nice_scale
from efh.insight.models import TrendTable
from efh.insight.selectors.trends import (
    Coverage,
    _cell,
    coverage,
    ethnicity_name,
    harm_month_charts,
)

MONTHS = [f"2026-{m:02d}-01" for m in range(1, 13)]


def rows(harm: str, counts: list[int]) -> list[dict[str, Any]]:
    return [
        {"harm_type": harm, "month": m, "events": n} for m, n in zip(MONTHS, counts, strict=False)
    ]


@pytest.mark.parametrize(
    ("top", "axis_max", "ticks"),
    [
        (37, 40, [0, 10, 20, 30, 40]),
        (757, 800, [0, 200, 400, 600, 800]),
        (12, 15, [0, 5, 10, 15]),
        (5, 5, [0, 1, 2, 3, 4, 5]),
        (0, 1, [0, 1]),
    ],
)
def test_nice_scale_rounds_up_to_one_two_or_five_steps(
    top: int, axis_max: int, ticks: list[int]
) -> None:
    assert nice_scale(top) == (axis_max, ticks)


def test_each_harm_type_has_its_own_scale() -> None:
    """A harm type with a dozen events a month is not drawn flat beside one with hundreds."""
    data = rows("all", [700, 757, 690, 720]) + rows("online", [9, 12, 10, 11])
    charts = harm_month_charts(data, {"all": "All harm types", "online": "Online harm"})
    big, small = charts
    assert (big.title, small.title) == ("All harm types", "Online harm")
    assert big.axis_max == 800 and small.axis_max == 15
    inner = small.baseline - 12  # the plot's height
    tallest = max(b.height for b in small.bars)
    assert tallest / inner == pytest.approx(12 / 15, abs=0.01)  # not 12/757 of it
    assert [label for _, label in small.y_ticks] == ["0", "5", "10", "15"]
    assert small.y_label == "Events" and small.x_label == "Month"


def test_the_month_the_data_stop_in_is_incomplete_not_a_fall() -> None:
    as_of = datetime(2026, 4, 9, 6, 0, tzinfo=UTC)
    cover = coverage(as_of, datetime(2026, 4, 9, 5, 0, tzinfo=UTC))
    assert cover.incomplete == {"2026-04": "Incomplete month: data to 9 April 2026"}
    chart = harm_month_charts(rows("cce", [40, 42, 41, 11]), {"cce": "CCE"}, cover)[0]
    april = chart.bars[-1]
    assert april.incomplete and not any(b.incomplete for b in chart.bars[:-1])
    assert april.label == "Apr 2026: 11 events so far (incomplete month: data to 9 April 2026)"
    assert chart.incomplete_notes == ["Apr 2026: incomplete month: data to 9 April 2026"]
    assert _cell("month", "2026-04-01", {}, {}, cover) == (
        "Apr 2026 (incomplete month: data to 9 April 2026)"
    )
    assert _cell("month", "2026-03-01", {}, {}, cover) == "Mar 2026"


def test_months_after_the_last_record_are_not_drawn_and_a_full_last_month_is_complete() -> None:
    """Data to 31 March (a delivery that stopped then) seen on 9 May: March is complete, and
    April and May (no records yet) are not drawn as a drop to nothing."""
    cover = coverage(datetime(2026, 5, 9, tzinfo=UTC), datetime(2026, 3, 31, 18, 0, tzinfo=UTC))
    assert cover.incomplete == {} and cover.last == "2026-03"
    chart = harm_month_charts(rows("cce", [40, 42, 41, 0, 0]), {"cce": "CCE"}, cover)[0]
    assert len(chart.bars) == 3 and not any(b.incomplete for b in chart.bars)
    assert _cell("month", "2026-04-01", {}, {}, cover) == (
        "Apr 2026 (no records yet: data to 31 March 2026)"
    )


def test_the_first_month_is_incomplete_when_the_rolling_table_says_so() -> None:
    rolling = [
        {"harm_type": "all", "month": "2026-01-01", "complete": False},
        {"harm_type": "all", "month": "2026-02-01", "complete": True},
        {"harm_type": "all", "month": "2026-04-01", "complete": False},  # as_of's own month
    ]
    cover = coverage(datetime(2026, 4, 9, tzinfo=UTC), None, rolling)
    assert cover.incomplete == {
        "2026-01": FIRST_MONTH_NOTE,
        "2026-04": "Incomplete month: data to 9 April 2026",
    }


def test_without_a_refresh_date_nothing_is_marked() -> None:
    assert coverage(None, None) == Coverage()
    chart = month_bar_chart("x", MONTHS[:2], {MONTHS[0]: 10, MONTHS[1]: 20})
    assert not any(b.incomplete for b in chart.bars) and chart.incomplete_notes == []


def test_a_chart_of_suppressed_months_does_not_reveal_them_by_its_scale() -> None:
    chart = month_bar_chart("x", MONTHS[:3], {MONTHS[0]: 1, MONTHS[1]: 3, MONTHS[2]: 0})
    assert chart.axis_max == 5 and chart.top == 0
    assert [b.label for b in chart.bars][:2] == [
        "Jan 2026: fewer than 5 events",
        "Feb 2026: fewer than 5 events",
    ]


def test_ethnicity_codes_have_their_ons_names() -> None:
    assert ethnicity_name("B1") == "Black: African"
    assert ethnicity_name("W5") == "White: any other White background"
    assert ethnicity_name("A1") == "Asian: Indian"
    assert ethnicity_name("Not known") == "Not known"
    assert _cell("ethnicity", "M3", {}, {}) == "Mixed: White and Black Caribbean"
    assert _cell("sex", "F", {}, {}) == "Female"


@pytest.mark.django_db
def test_trends_page_shows_ethnicity_names_and_the_incomplete_month(
    picture: dict[str, Any],
) -> None:
    run = picture["run"]
    TrendTable.objects.create(
        run=run,
        name="ethnicity",
        rows=[
            {"harm_type": "all", "ethnicity": "B1", "events": 40, "children": 22},
            {"harm_type": "all", "ethnicity": "W5", "events": 31, "children": 17},
        ],
    )
    run.inputs = {**run.inputs, "latest_record": "2026-10-20T09:00:00"}
    run.save()
    client = Client()
    client.force_login(picture["users"]["manager"])
    html = client.get(reverse("insight:trends")).content.decode()
    assert "Black: African" in html and "White: any other White background" in html
    assert ">B1<" not in html and ">W5<" not in html
    assert "Oct 2026 (incomplete month: data to 20 October 2026)" in html
    assert "efh-chart__bar--incomplete" in html
    assert "A hollow bar with a dashed outline" in html
