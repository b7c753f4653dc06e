"""Shared builders for the network tests: a tiny hand-made snapshot and a synthetic borough.

The synthetic borough is read with bench/intel_frames.py (TRUE person ids), loaded by path
because ``bench`` is a folder of scripts, not a package.
"""

from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl

from efh.intelligence.frames import SCHEMAS, Snapshot, empty

BENCH = Path(__file__).resolve().parents[2] / "bench" / "intel_frames.py"
AS_OF = datetime(2026, 1, 1, 12, 0)


def intel_frames() -> ModuleType:
    spec = importlib.util.spec_from_file_location("efh_bench_intel_frames", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def synth(directory: Path, children: int, seed: int) -> tuple[Snapshot, Any]:
    from efh.synth.generator import generate

    generate(directory, children=children, seed=seed)
    snapshot, truth = intel_frames().load_delivery(directory)
    return snapshot, truth


def frame(name: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    if not rows:
        return empty(name)
    return pl.DataFrame(rows, schema=SCHEMAS[name])


def persons(children: list[int], adults: list[int]) -> pl.DataFrame:
    rows = [
        {"person_id": p, "is_child": True, "date_of_birth": date(2010, 1, 1), "sex": "M",
         "ethnicity": "", "ward": ""}
        for p in children
    ] + [
        {"person_id": p, "is_child": False, "date_of_birth": date(1990, 1, 1), "sex": "M",
         "ethnicity": "", "ward": ""}
        for p in adults
    ]  # fmt: skip
    return frame("persons", rows)


def snapshot(**frames: pl.DataFrame) -> Snapshot:
    parts = {name: frames.get(name, empty(name)) for name in SCHEMAS}
    return Snapshot(**parts, as_of=AS_OF).validate()


def event(
    event_id: int, at: datetime, place: str | None = "location:1", harms: list[str] | None = None
) -> dict[str, Any]:
    return {"event_id": event_id, "kind": "incident", "occurred_at": at, "harm_types": harms or [],
            "place": place, "latitude": None, "longitude": None, "ward": ""}  # fmt: skip


def association(
    aid: int, a: int, b: int | None, kind: str, grade: tuple[str, str] = ("1", "A"),
    seen: date | None = date(2025, 12, 31), label: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    return {"association_id": aid, "person_id": a, "other_person_id": b, "group_label": label,
            "place": None, "kind": kind, "first_seen": seen, "last_seen": seen,
            "source_evaluation": grade[0], "intelligence_evaluation": grade[1], "source": "police"}  # fmt: skip
