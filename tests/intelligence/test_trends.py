"""Trends on a small hand-made snapshot whose counts are known, plus the demo borough's totals."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import polars as pl
import pytest

from efh.intelligence import frames
from efh.intelligence.frames import Snapshot
from efh.intelligence.trends import Trends, TrendsConfig, trends

AS_OF = datetime(2026, 10, 15, 12, 0)


def _snapshot() -> Snapshot:
    persons = pl.DataFrame(
        {
            "person_id": [1, 2, 3, 4],
            "is_child": [True, True, False, True],
            "date_of_birth": [date(2011, 6, 1), date(2016, 1, 1), date(1990, 1, 1), None],
            "sex": ["F", "M", "M", ""],
            "ethnicity": ["B1", "W1", "W1", ""],
            "ward": ["", "", "", ""],
        },
        schema=frames.SCHEMAS["persons"],
    )
    # Event 1: syv+cce, person 1 aged 14 (before her 15th birthday) and adult 3; ward A.
    # Event 2: syv, person 1 aged 15 and person 2 aged 10; ward A.
    # Event 3: no harm type, person 4 (no date of birth); ward B.
    # Event 4: syv, nobody recorded; ward B; a year before event 2's month.
    events = pl.DataFrame(
        {
            "event_id": [1, 2, 3, 4],
            "kind": ["incident"] * 4,
            "occurred_at": [
                datetime(2026, 5, 31, 22, 0),
                datetime(2026, 6, 1, 9, 0),
                datetime(2026, 6, 20, 9, 0),
                datetime(2025, 6, 10, 9, 0),
            ],
            "harm_types": [["syv", "cce"], ["syv"], [], ["syv"]],
            "place": [None] * 4,
            "latitude": [None] * 4,
            "longitude": [None] * 4,
            "ward": ["A", "A", "B", "B"],
        },
        schema=frames.SCHEMAS["events"],
    )
    event_people = pl.DataFrame(
        {
            "event_id": [1, 1, 2, 2, 3, 2],
            "person_id": [1, 3, 1, 2, 4, 1],  # person 1 twice in event 2 (two roles)
            "role": ["victim", "suspect", "victim", "witness", "subject", "subject"],
        },
        schema=frames.SCHEMAS["event_people"],
    )
    missing = pl.DataFrame(
        {
            "episode_id": [10],
            "person_id": [2],
            "missing_from": ["home"],
            "went_missing_at": [datetime(2026, 6, 2, 1, 0)],
            "returned_at": [datetime(2026, 6, 3, 1, 0)],
            "found_place": ["location:9"],
            "found_latitude": [51.5],
            "found_longitude": [-0.05],
        },
        schema=frames.SCHEMAS["missing"],
    )
    places = pl.DataFrame(
        {
            "place": ["location:9"],
            "name": ["Station"],
            "kind": ["transport"],
            "latitude": [51.5],
            "longitude": [-0.05],
            "ward": ["C"],
        },
        schema=frames.SCHEMAS["places"],
    )
    return Snapshot(
        persons=persons,
        events=events,
        event_people=event_people,
        associations=frames.empty("associations"),
        missing=missing,
        missing_with=frames.empty("missing_with"),
        contacts=frames.empty("contacts"),
        places=places,
        as_of=AS_OF,
    ).validate()


@pytest.fixture(scope="module")
def result() -> Trends:
    return trends(_snapshot())


def _row(frame: pl.DataFrame, **keys: object) -> dict[str, object]:
    cond = pl.lit(True)
    for k, v in keys.items():
        cond = cond & (pl.col(k) == v)
    rows = frame.filter(cond)
    assert rows.height == 1, (keys, rows)
    return rows.row(0, named=True)


def test_by_month_counts_events_people_and_children(result: Trends) -> None:
    m = result.by_month
    may, june = date(2026, 5, 1), date(2026, 6, 1)
    assert _row(m, harm_type="syv", month=may) | {} == {
        "harm_type": "syv",
        "month": may,
        "events": 1,
        "people": 2,
        "children": 1,
    }
    assert _row(m, harm_type="syv", month=june)["events"] == 1
    assert _row(m, harm_type="syv", month=june)["children"] == 2
    assert _row(m, harm_type="cce", month=may)["events"] == 1
    # "all": events 2 and 3 and the missing episode in June.
    assert _row(m, harm_type="all", month=june)["events"] == 3
    assert _row(m, harm_type="missing", month=june)["events"] == 1
    # Zero-filled from the first month to as_of's month.
    assert _row(m, harm_type="syv", month=date(2025, 12, 1))["events"] == 0
    assert m["month"].max() == date(2026, 10, 1)
    assert m["month"].min() == date(2025, 6, 1)


def test_by_ward_and_suppression(result: Trends) -> None:
    w = result.by_ward
    assert _row(w, harm_type="syv", ward="A")["events"] == 2
    assert _row(w, harm_type="syv", ward="B")["people"] == 0
    assert _row(w, harm_type="missing", ward="C")["events"] == 1
    assert w["suppressed"].all()  # every count here is below 5
    bigger = trends(_snapshot(), TrendsConfig(suppress_below=2)).by_ward
    assert not _row(bigger, harm_type="syv", ward="A")["suppressed"]


def test_age_band_at_the_time_of_the_event(result: Trends) -> None:
    a = result.by_age_band
    assert _row(a, harm_type="syv", age_band="14 to 15")["events"] == 2  # 14, then 15
    assert _row(a, harm_type="syv", age_band="10 to 13")["people"] == 1  # person 2 at 10
    assert _row(a, harm_type="syv", age_band="25 and over")["children"] == 0
    assert _row(a, harm_type="all", age_band="Not known")["events"] == 1
    assert _row(a, harm_type="missing", age_band="10 to 13")["events"] == 1
    assert "Under 10" not in a.filter(pl.col("harm_type") == "syv")["age_band"].to_list()


def test_sex_and_ethnicity(result: Trends) -> None:
    assert _row(result.by_sex, harm_type="syv", sex="F")["events"] == 2
    assert _row(result.by_sex, harm_type="syv", sex="M")["people"] == 2
    assert _row(result.by_sex, harm_type="all", sex="Not known")["events"] == 1
    assert _row(result.by_ethnicity, harm_type="syv", ethnicity="W1")["people"] == 2
    assert _row(result.by_ethnicity, harm_type="cce", ethnicity="B1")["events"] == 1


def test_rolling_totals_and_change_on_last_year(result: Trends) -> None:
    r = result.rolling
    aug = _row(r, harm_type="syv", month=date(2026, 8, 1))
    assert aug["rolling_3m"] == 1  # June, July, August 2026
    assert aug["last_year_3m"] == 1  # June to August 2025
    assert aug["change"] == 0 and aug["change_pct"] == 0.0
    jul = _row(r, harm_type="syv", month=date(2026, 7, 1))
    # May to July 2025 starts before the data: unknown, not zero.
    assert jul["rolling_3m"] == 2 and jul["last_year_3m"] is None and jul["change_pct"] is None
    sep = _row(r, harm_type="syv", month=date(2026, 9, 1))
    assert sep["rolling_3m"] == 0 and sep["last_year_3m"] == 0 and sep["change_pct"] is None
    assert _row(r, harm_type="syv", month=date(2025, 7, 1))["rolling_3m"] is None
    assert not _row(r, harm_type="syv", month=date(2026, 10, 1))["complete"]
    assert not _row(r, harm_type="syv", month=date(2025, 6, 1))["complete"]  # data starts 10th
    assert _row(r, harm_type="syv", month=date(2025, 7, 1))["complete"]


def test_tables_names(result: Trends) -> None:
    names = [name for name, _ in result.tables()]
    assert names == ["harm_month", "ward", "age_band", "sex", "ethnicity", "seasonality", "rolling"]
    assert dict(result.tables())["harm_month"] is result.by_month


def test_seasonality_index() -> None:
    """Two full years with 2 events every month and 8 more every July: July's index is
    (10) / (mean of 11 x 2 + 10, over 12) = 10 / (32 / 12)."""
    base = _snapshot()
    times = []
    for k in range(26):  # Sep 2024 .. Oct 2026; September 2024 and October 2026 are partial
        month = datetime(2024 + (8 + k) // 12, (8 + k) % 12 + 1, 5, 12)
        times += [month, month + timedelta(days=1)]
        if month.month == 7:
            times += [month + timedelta(hours=h) for h in range(1, 9)]
    events = pl.DataFrame(
        {
            "event_id": list(range(1, len(times) + 1)),
            "kind": ["incident"] * len(times),
            "occurred_at": times,
            "harm_types": [["dva"]] * len(times),
            "place": [None] * len(times),
            "latitude": [None] * len(times),
            "longitude": [None] * len(times),
            "ward": [""] * len(times),
        },
        schema=frames.SCHEMAS["events"],
    )
    from dataclasses import replace

    snap = replace(base, events=events, event_people=frames.empty("event_people"))
    s = trends(snap, TrendsConfig(include_missing=False)).seasonality
    dva = s.filter(pl.col("harm_type") == "dva")
    assert dva.height == 12 and dva["years"][0] == 2
    july = _row(dva, month_of_year=7)
    assert july["mean_count"] == 10.0
    assert july["index"] == pytest.approx(10 / (32 / 12))
    assert _row(dva, month_of_year=3)["index"] == pytest.approx(2 / (32 / 12))
    assert dva["index"].mean() == pytest.approx(1.0)


def test_demo_borough_totals_agree() -> None:
    """On the 5,000-child demo delivery, the 'all' rows of every breakdown add up consistently."""
    import importlib.util
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    demo = root / "var" / "demo" / "borough-5000-2024"
    if not (demo / "truth" / "manifest.json").exists():
        pytest.skip("no demo delivery")
    name = "efh_bench_intel_frames"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, root / "bench" / "intel_frames.py")
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    snap, _ = sys.modules[name].load_delivery(demo)
    t = trends(snap)
    n_items = snap.events.height + snap.missing.height
    assert t.by_month.filter(pl.col("harm_type") == "all")["events"].sum() == n_items
    assert t.by_ward.filter(pl.col("harm_type") == "all")["events"].sum() == n_items
    syv = snap.events.filter(pl.col("harm_types").list.contains("syv")).height
    assert t.by_month.filter(pl.col("harm_type") == "syv")["events"].sum() == syv
    # An event counts once per age band of the people in it, so bands sum to at least the events
    # that have people.
    with_people = snap.event_people["event_id"].n_unique() + snap.missing.height
    assert t.by_age_band.filter(pl.col("harm_type") == "all")["events"].sum() >= with_people
