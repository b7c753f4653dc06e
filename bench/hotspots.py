"""Hotspot accuracy and hotspot/trend speed on synthetic deliveries; prints figures.

    .venv/bin/python bench/hotspots.py [DELIVERY ...] [--events 1000000]

With no delivery given it generates the 60,000-child borough (seed 2024) into a temporary folder.
For each delivery: hotspot recall and the share of reported hotspots not planted
(``intel_frames.match_hotspots``), hotspot and trend times; then, for the first
delivery, the same times on its events scaled to ``--events`` (``intel_frames.scale_events``:
copies shifted by up to 60 days and ~100 m).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent


def _intel_frames() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "efh_bench_intel_frames", HERE / "intel_frames.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["efh_bench_intel_frames"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("deliveries", nargs="*", type=Path)
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()

    from efh.intelligence.hotspots import HotspotConfig, hotspots
    from efh.intelligence.trends import trends

    frames = _intel_frames()
    deliveries: list[Path] = list(args.deliveries)
    tmp: tempfile.TemporaryDirectory[str] | None = None
    if not deliveries:
        from efh.synth.generator import generate

        tmp = tempfile.TemporaryDirectory(prefix="efh-bench-hotspots-")
        out = Path(tmp.name) / "borough-60000-2024"
        t0 = time.perf_counter()
        generate(out, children=60000, seed=2024)
        print(f"generated 60,000 children, seed 2024, in {time.perf_counter() - t0:.1f} s")
        deliveries = [out]

    cfg = HotspotConfig()
    print(
        f"config: H3 resolution {cfg.resolution}, {cfg.window_days}-day windows every "
        f"{cfg.step_days} days over {cfg.lookback_days} days, {cfg.permutations} permutations, "
        f"alpha {cfg.alpha}, min_events {cfg.min_events}, scan_alpha {cfg.scan_alpha:g} "
        f"(ring-{cfg.scan_rings} disks)"
    )
    first = None
    for d in deliveries:
        snap, truth = frames.load_delivery(d)
        first = first or snap
        t0 = time.perf_counter()
        found = hotspots(snap, cfg)
        t_hot = time.perf_counter() - t0
        t0 = time.perf_counter()
        trends(snap)
        t_tr = time.perf_counter() - t0
        m = frames.match_hotspots(found, truth.hotspots)
        print(
            f"{d.name}: {snap.events.height:,} events; hotspots: {m['found']}/{m['planted']} "
            f"planted found (recall {m['recall']:.2f}), {m['unmatched']}/{m['reported']} reported "
            f"not planted ({m['false_share']:.0%}); hotspots {t_hot:.1f} s, trends {t_tr:.2f} s"
        )
        statuses = found.group_by("status").len().sort("status").rows()
        print(f"  statuses: {dict(statuses)}")
    assert first is not None
    big = frames.scale_events(first, args.events)
    t0 = time.perf_counter()
    found = hotspots(big, cfg)
    t_hot = time.perf_counter() - t0
    t0 = time.perf_counter()
    trends(big)
    t_tr = time.perf_counter() - t0
    print(
        f"scaled to {big.events.height:,} events: hotspots {t_hot:.1f} s "
        f"({found.height} reported), trends {t_tr:.2f} s"
    )
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
