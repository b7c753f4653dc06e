"""The hotspot analysis's settings and output columns."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import polars as pl

STATUSES = ("emerging", "persistent", "past")

SCHEMA: dict[str, pl.DataType] = {
    "hotspot": pl.Int64(),
    "harm_type": pl.String(),
    "status": pl.String(),
    "start": pl.Date(),
    "end": pl.Date(),
    "window_start": pl.Date(),
    "window_end": pl.Date(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "radius_m": pl.Float64(),
    "cells": pl.List(pl.String()),
    "score": pl.Float64(),
    "p_value": pl.Float64(),
    "events": pl.Int64(),
    "event_ids": pl.List(pl.Int64()),
    "episode_ids": pl.List(pl.Int64()),
    "place": pl.String(),
    "place_name": pl.String(),
    "ward": pl.String(),
    "reasons": pl.List(pl.String()),
}


@dataclass(frozen=True)
class HotspotConfig:
    resolution: int = 10  # H3 resolution (10: cells of about 0.015 km2, ~76 m edge)
    window_days: int = 91
    step_days: int = 30
    lookback_days: int = 730  # windows cover this many days up to as_of
    permutations: int = 999
    seed: int = 20240
    alpha: float = 0.01  # per-cell level (fdr="none") or per-run false discovery rate ("bh")
    fdr: Literal["bh", "none"] = "none"
    baseline: Literal["own_history", "none"] = "own_history"
    min_points: int = 20  # skip a harm type x window with fewer points
    min_events: int = 10  # a patch needs this many points in the window
    # ... and a disk of ``scan_rings`` rings around one of its cells whose window count has a
    # conditional (space-time permutation) tail probability <= scan_alpha / (cells x windows)
    scan_alpha: float = 0.05
    scan_rings: int = 2  # ring-2 disks: 19 cells, ~300 m across at resolution 10
    # Optional extra floors, off by default (the scan test scales with the background itself):
    min_ratio: float = 1.0  # patch count at least this many times its expectation
    min_excess: float = 0.0  # ... and at least this many points above it
    min_score: float = 0.0  # ... and a hot cell with Gi* z at least this
    neighbour_m: float | None = None  # default: 1.25 x the centre spacing of touching cells
    radius_quantile: float = 0.9
    z_screen: float = 1.0  # permutations only for cells with analytic Gi* z above this
    # The partnership's names for harm types, by code (efh refresh passes its taxonomy's).
    harm_labels: Mapping[str, str] = field(default_factory=dict)
