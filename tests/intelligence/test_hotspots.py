"""Hotspots: accuracy floors on a small synthetic borough, and behaviour on hand-made points.

The borough (6,000 children, seed 3, three planted hotspots) is generated once per session into
a temporary folder and read with ``bench/intel_frames.py`` (true person ids). It runs with the
default configuration, the one tuned at 60,000 children: the scan test scales with the
background itself, so a borough a tenth that size needs no other thresholds.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import polars as pl
import pytest

from efh.intelligence import frames
from efh.intelligence.frames import Snapshot
from efh.intelligence.hotspots import (
    SCHEMA,
    HotspotConfig,
    _dispersion,
    _GiStar,
    _log10_binom_sf,
    harm_label,
    hotspots,
    to_bng,
    to_wgs84,
)

BENCH = Path(__file__).resolve().parents[2] / "bench" / "intel_frames.py"
SMALL = HotspotConfig()


def _intel_frames() -> ModuleType:
    name = "efh_bench_intel_frames"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def borough(tmp_path_factory: pytest.TempPathFactory) -> tuple[Snapshot, Any]:
    from efh.synth.generator import generate

    out = tmp_path_factory.mktemp("hotspots-synth")
    generate(out, children=6000, seed=3)
    snapshot, truth = _intel_frames().load_delivery(out)
    return snapshot, truth


@pytest.fixture(scope="session")
def found(borough: tuple[Snapshot, Any]) -> pl.DataFrame:
    return hotspots(borough[0], SMALL)


def test_planted_hotspots_are_found(borough: tuple[Snapshot, Any], found: pl.DataFrame) -> None:
    result = _intel_frames().match_hotspots(found, borough[1].hotspots)
    assert result["planted"] == 3
    assert result["recall"] == 1.0
    assert result["false_share"] == 0.0


def test_output_schema_and_invariants(borough: tuple[Snapshot, Any], found: pl.DataFrame) -> None:
    assert dict(found.schema) == SCHEMA
    assert found.height > 0
    assert found["hotspot"].to_list() == list(range(1, found.height + 1))
    assert set(found["status"]) <= {"emerging", "persistent", "past"}
    edge = 60.0  # a resolution-10 hexagon edge is ~65-76 m
    for row in found.iter_rows(named=True):
        assert row["start"] <= row["end"]
        assert row["window_start"] <= row["start"] and row["end"] <= row["window_end"]
        assert row["radius_m"] >= edge
        assert row["events"] == len(row["event_ids"]) + len(row["episode_ids"])
        assert row["score"] >= SMALL.min_score and 0 < row["p_value"] <= SMALL.alpha
        assert row["cells"] and all(isinstance(c, str) for c in row["cells"])
        assert row["reasons"] and str(row["events"]) in row["reasons"][0]
    # Every listed event carries the hotspot's harm type and lies near its centre.
    ev = borough[0].events.explode("harm_types")
    for row in found.iter_rows(named=True):
        pts = ev.filter(
            pl.col("event_id").is_in(row["event_ids"]) & (pl.col("harm_types") == row["harm_type"])
        )
        assert pts["event_id"].n_unique() == len(row["event_ids"])
        x, y = to_bng(pts["longitude"].to_numpy(), pts["latitude"].to_numpy())
        cx, cy = to_bng(np.array([row["longitude"]]), np.array([row["latitude"]]))
        assert np.quantile(np.hypot(x - cx[0], y - cy[0]), 0.5) <= row["radius_m"]


def test_same_input_same_output(borough: tuple[Snapshot, Any], found: pl.DataFrame) -> None:
    again = hotspots(borough[0], SMALL)
    assert again.equals(found)


def test_uniform_background_gives_no_hotspots(borough: tuple[Snapshot, Any]) -> None:
    """Shuffle every event's point among the events: the planted clusters dissolve in time."""
    snap = borough[0]
    rng = np.random.default_rng(1)
    order = rng.permutation(snap.events.height)
    events = snap.events.with_columns(
        occurred_at=pl.Series(snap.events["occurred_at"].to_numpy()[order]),
    )
    result = hotspots(replace(snap, events=events), SMALL)
    assert result.filter(pl.col("harm_type") != "missing").height <= 1


def _snapshot(points: list[tuple[float, float, datetime, str]], as_of: datetime) -> Snapshot:
    events = pl.DataFrame(
        {
            "event_id": list(range(1, len(points) + 1)),
            "kind": ["incident"] * len(points),
            "occurred_at": [p[2] for p in points],
            "harm_types": [[p[3]] for p in points],
            "place": [None] * len(points),
            "latitude": [p[0] for p in points],
            "longitude": [p[1] for p in points],
            "ward": ["E05000001"] * len(points),
        },
        schema=frames.SCHEMAS["events"],
    )
    places = pl.DataFrame(
        {
            "place": ["location:1"],
            "name": ["Mare Street"],
            "kind": ["street"],
            "latitude": [51.55],
            "longitude": [-0.06],
            "ward": ["E05000001"],
        },
        schema=frames.SCHEMAS["places"],
    )
    return Snapshot(
        persons=frames.empty("persons"),
        events=events,
        event_people=frames.empty("event_people"),
        associations=frames.empty("associations"),
        missing=frames.empty("missing"),
        missing_with=frames.empty("missing_with"),
        contacts=frames.empty("contacts"),
        places=places,
        as_of=as_of,
    ).validate()


def _planted(as_of: datetime, start_days_ago: int, seed: int) -> Snapshot:
    """A uniform background over 4 x 4 km for two years, plus 60 events in 80 days within 200 m
    of Mare Street."""
    rng = np.random.default_rng(seed)
    x0, y0 = to_bng(np.array([-0.06]), np.array([51.55]))
    pts: list[tuple[float, float, datetime, str]] = []
    n_bg = 6000
    bx = x0[0] + rng.uniform(-2000, 2000, n_bg)
    by = y0[0] + rng.uniform(-2000, 2000, n_bg)
    lon, lat = to_wgs84(bx, by)
    days = rng.uniform(0, 729, n_bg)
    for a, b, d in zip(lat, lon, days, strict=True):
        pts.append((float(a), float(b), as_of - timedelta(days=float(d)), "syv"))
    r = 200 * np.sqrt(rng.uniform(0, 1, 60))
    t = rng.uniform(0, 2 * np.pi, 60)
    lon, lat = to_wgs84(x0[0] + r * np.cos(t), y0[0] + r * np.sin(t))
    for a, b in zip(lat, lon, strict=True):
        d = start_days_ago - rng.uniform(0, 80)
        pts.append((float(a), float(b), as_of - timedelta(days=float(d)), "syv"))
    return _snapshot(pts, as_of)


def test_planted_cluster_is_found_with_place_reason_and_status() -> None:
    as_of = datetime(2026, 10, 31, 23, 59)
    named = HotspotConfig(harm_labels={"syv": "Serious youth violence"})  # as efh refresh does
    result = hotspots(_planted(as_of, start_days_ago=400, seed=1), named)
    assert result.height == 1
    row = result.row(0, named=True)
    assert row["harm_type"] == "syv" and row["status"] == "past"
    assert row["place"] == "location:1" and row["place_name"] == "Mare Street"
    assert row["ward"] == "E05000001"
    x, y = to_bng(np.array([row["longitude"]]), np.array([row["latitude"]]))
    x0, y0 = to_bng(np.array([-0.06]), np.array([51.55]))
    assert float(np.hypot(x - x0, y - y0)[0]) < 100
    assert 150 <= row["radius_m"] <= 400
    # Its period covers the planted one, give or take the background in the windows around it.
    assert as_of.date() - timedelta(days=400 + 91) <= row["start"]
    assert row["start"] <= as_of.date() - timedelta(days=390)
    assert as_of.date() - timedelta(days=330) <= row["end"]
    assert row["end"] <= as_of.date() - timedelta(days=320 - 91)
    assert row["events"] >= 55
    assert "serious youth violence events within" in row["reasons"][0]
    assert "Mare Street" in row["reasons"][0]
    truth = pl.DataFrame(
        {
            "latitude": [51.55],
            "longitude": [-0.06],
            "radius_m": [200],
            "start": [as_of.date() - timedelta(days=400)],
            "end": [as_of.date() - timedelta(days=320)],
            "harm_type": ["syv"],
        }
    )
    assert _intel_frames().match_hotspots(result, truth)["recall"] == 1.0
    assert (
        _intel_frames().match_hotspots(result, truth.with_columns(harm_type=pl.lit("cse")))[
            "recall"
        ]
        == 0.0
    )
    later = truth.with_columns(start=pl.lit(date(2026, 9, 1)), end=pl.lit(date(2026, 10, 1)))
    assert _intel_frames().match_hotspots(result, later)["recall"] == 0.0


def test_a_cluster_in_the_latest_window_is_emerging() -> None:
    as_of = datetime(2026, 10, 31, 23, 59)
    result = hotspots(_planted(as_of, start_days_ago=85, seed=2))
    assert result["status"].to_list() == ["emerging"]
    assert result["window_end"][0] == as_of.date()


def test_missing_found_locations_count_as_missing() -> None:
    as_of = datetime(2026, 10, 31, 23, 59)
    snap = _planted(as_of, start_days_ago=400, seed=3)
    ev = snap.events
    planted = ev.tail(60)
    missing = pl.DataFrame(
        {
            "episode_id": list(range(1, 61)),
            "person_id": list(range(1, 61)),
            "missing_from": ["home"] * 60,
            "went_missing_at": planted["occurred_at"] - timedelta(hours=5),
            "returned_at": planted["occurred_at"],
            "found_place": [None] * 60,
            "found_latitude": planted["latitude"],
            "found_longitude": planted["longitude"],
        },
        schema=frames.SCHEMAS["missing"],
    )
    background = ev.head(ev.height - 60).with_columns(harm_types=pl.lit(["missing"]))
    result = hotspots(replace(snap, events=background, missing=missing))
    assert result["harm_type"].to_list() == ["missing"]
    assert len(result["episode_ids"][0]) >= 55
    assert "missing children found" in result["reasons"][0][0]


def test_empty_snapshot_gives_an_empty_frame() -> None:
    snap = _snapshot([], datetime(2026, 10, 31))
    result = hotspots(snap)
    assert result.height == 0 and dict(result.schema) == SCHEMA


def test_screened_permutations_equal_esda() -> None:
    """The screened Gi* gives esda.G_Local's own z and pseudo p for every screened-in cell."""
    import h3
    from esda import G_Local
    from libpysal.weights import W

    cells = sorted(h3.grid_disk(h3.latlng_to_cell(51.55, -0.06, 10), 8))
    idx = {c: i for i, c in enumerate(cells)}
    nb = [np.array(sorted(idx[n] for n in h3.grid_ring(c, 1) if n in idx)) for c in cells]
    rng = np.random.default_rng(3)
    y = np.maximum(rng.poisson(2, len(cells)) - 2.0, 0.0)
    y[40] += 20
    z, p = _GiStar(nb, 199, 7)(y, z_screen=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = W({i: [i, *nb[i].tolist()] for i in range(len(cells))})
        g = G_Local(y, w, transform="B", permutations=199, star=True, seed=7, n_jobs=1)
    assert np.allclose(z, g.Zs)
    screened = z > 1.0
    assert screened.sum() > 5
    assert np.allclose(p[screened], g.p_sim[screened])
    assert np.all(p[~screened] == 1.0)


def test_scan_tail_is_the_binomial_tail() -> None:
    from scipy import stats

    k = np.array([1.0, 5.0, 30.0, 100.0, 250.0])
    n = np.array([3.0, 20.0, 100.0, 300.0, 900.0])
    expected = stats.binom.logsf(k - 1, n, 0.13) / np.log(10)
    assert np.allclose(_log10_binom_sf(k, n, 0.13), expected)


def test_dispersion_is_one_for_binomial_counts_and_grows_with_copies() -> None:
    rng = np.random.default_rng(5)
    total = rng.integers(20, 400, 2000).astype(float)
    count = rng.binomial(total.astype(np.int64), 0.12).astype(float)
    assert 0.99 <= _dispersion(count, total, 0.12) <= 1.15
    # Every point copied four times: counts vary four times as much.
    assert 3.0 <= _dispersion(4 * count, 4 * total, 0.12) <= 5.0
    assert _dispersion(count[:10], total[:10], 0.12) == 1.0  # too few disks to measure


def test_busier_background_does_not_hide_a_strong_cluster() -> None:
    """Five times the background and the same planted cluster: still found, nothing else."""
    as_of = datetime(2026, 10, 31, 23, 59)
    base = _planted(as_of, start_days_ago=400, seed=4)
    rng = np.random.default_rng(6)
    bg = base.events.head(base.events.height - 60)
    x0, y0 = to_bng(np.array([-0.06]), np.array([51.55]))
    n_extra = 4 * bg.height
    lon, lat = to_wgs84(
        x0[0] + rng.uniform(-2000, 2000, n_extra), y0[0] + rng.uniform(-2000, 2000, n_extra)
    )
    extra = pl.DataFrame(
        {
            "event_id": np.arange(n_extra) + 1_000_000,
            "kind": ["incident"] * n_extra,
            "occurred_at": [as_of - timedelta(days=float(d)) for d in rng.uniform(0, 729, n_extra)],
            "harm_types": [["syv"]] * n_extra,
            "place": [None] * n_extra,
            "latitude": lat,
            "longitude": lon,
            "ward": ["E05000001"] * n_extra,
        },
        schema=frames.SCHEMAS["events"],
    )
    busy = replace(base, events=pl.concat([base.events, extra]))
    result = hotspots(busy)
    assert result.height == 1
    assert result["status"].to_list() == ["past"]
    assert any("chance 1 in" in r for r in result["reasons"][0])


def test_harm_labels_are_the_partnerships_names_in_a_sentence() -> None:
    labels = {"syv": "Serious youth violence", "fgm": "FGM and honour-based abuse"}
    assert harm_label(labels, "syv") == "serious youth violence"
    assert harm_label(labels, "fgm") == "FGM and honour-based abuse"
    assert harm_label(labels, "county_lines") == "county lines"  # not in the taxonomy
