"""The intelligence picture through the whole platform: prints figures, asserts nothing.

For each borough: ``efh synth`` (cached under ``var/bench/``), ``efh import`` into a fresh
PostgreSQL database, ``efh link``, then the measured step, ``efh refresh`` (wall time and peak
memory of the whole command: start-up, reading the database, the analytics, writing back), then
``efh export peer-groups | hotspots | adults-of-concern`` scored against the delivery's planted
truth (``truth/``), through the linkage the platform actually did (``efh export persons``):

- peer groups: NMI between planted groups and the group each planted member was put in (a
  planted member in no candidate counts as a group of its own);
- exploiting adults: how many of the top 20 adults linked to several children are planted
  exploiters (precision at 20; with more than 20 planted this is also the recall the top 20
  allows), and recall in the top k for k = the number planted;
- hotspots: a planted hotspot is found when a reported one of the same harm type lies within
  max(400 m, the two radii added) of it and their periods overlap; recall of planted, and the
  share of reported hotspots that match none.

Boroughs: ``standard`` (60,000 children, seed 2024, activity as generated: about 186,000 events)
and ``million`` (the same borough with background activity x5.7: about 1,000,000 events).
``BENCH_INTEL`` picks (default both). Last, ``bench/intel_pages.py`` times the analysts' pages on
each borough's database.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
EFH = ROOT / ".venv" / "bin" / "efh"
BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

from efh.intelligence.metrics import nmi  # noqa: E402
from intel_frames import match_hotspots  # noqa: E402
from run import recreate, run  # noqa: E402

BOROUGHS = {
    "standard": {"children": 60000, "seed": 2024, "activity": 1.0, "db": "efh_bench_intel"},
    "million": {"children": 60000, "seed": 2024, "activity": 5.7, "db": "efh_bench_intel_1m"},
}


def delivery(spec: dict, env: dict[str, str]) -> Path:
    # The same folders bench/network.py and bench/hotspots.py read.
    out = (
        ROOT / "var" / "bench" / f"borough-{spec['children']}-{spec['seed']}-x{spec['activity']:g}"
    )
    try:
        manifest = json.loads((out / "truth" / "manifest.json").read_text())
        if manifest.get("children") == spec["children"] and manifest.get("seed") == spec["seed"]:
            return out
    except (OSError, ValueError):
        pass
    args = [str(EFH), "synth", "--children", str(spec["children"]), "--seed", str(spec["seed"])]
    if spec["activity"] != 1.0:
        args += ["--activity-scale", str(spec["activity"])]
    seconds, _, _ = run([*args, "--out", str(out)], env)
    print(f"  synth: {seconds:.1f} s")
    return out


def measure(folder: Path, exports: dict[str, Path]) -> dict[str, float]:
    """The accuracy figures, printed, and returned for the tests' floors."""
    truth = folder / "truth"
    persons = pl.read_csv(exports["persons"], infer_schema=False).join(
        pl.read_csv(truth / "persons_truth.csv", infer_schema=False), on=["source", "source_id"]
    )
    # The platform person each true person became (their most common one, if linkage split).
    true_to = (
        persons.group_by("true_person_id", "person_id")
        .len()
        .sort("len", descending=True)
        .unique("true_person_id", keep="first")
        .select("true_person_id", pl.col("person_id").cast(pl.Int64))
    )
    # Peer groups.
    planted = (
        pl.read_csv(truth / "groups_truth.csv", infer_schema=False)
        .unique("true_person_id", keep="first", maintain_order=True)
        .join(true_to, on="true_person_id")
    )
    found = (
        pl.read_csv(exports["peer-groups"], infer_schema=False)
        .with_columns(pl.col("person_id").cast(pl.Int64))
        .unique("person_id", keep="first")
        .rename({"group_id": "found"})
    )
    joined = planted.join(found, on="person_id", how="left").with_columns(
        found=pl.col("found").fill_null("alone:" + pl.col("person_id").cast(pl.String))
    )
    value = nmi(joined["group_id"].to_numpy(), joined["found"].to_numpy())
    groups = found["found"].n_unique()
    truth_groups = planted["group_id"].n_unique()
    print(
        f"  peer groups: NMI {value:.4f} over {planted.height:,} planted members of "
        f"{truth_groups} planted groups; {groups} candidate groups reported (target >= 0.9)"
    )
    # Exploiters.
    exploiters = set(
        pl.read_csv(truth / "exploiters_truth.csv", infer_schema=False)
        .join(true_to, on="true_person_id")["person_id"]
        .to_list()
    )
    adults = pl.read_csv(exports["adults-of-concern"])["person_id"].to_list()
    top20 = sum(1 for p in adults[:20] if p in exploiters)
    k = len(exploiters)
    topk = sum(1 for p in adults[:k] if p in exploiters)
    anywhere = sum(1 for p in adults if p in exploiters)
    print(
        f"  exploiting adults: {top20} of the top 20 are planted (precision@20 "
        f"{top20 / 20:.2f}, recall in the top 20 {top20 / min(20, k):.2f}; target >= 0.9); "
        f"recall@{k} {topk / k:.2f}; {anywhere} of {k} planted among {len(adults)} adults listed"
    )
    # Hotspots.
    planted_spots = pl.read_csv(truth / "hotspots_truth.csv", try_parse_dates=True)
    reported = pl.read_csv(exports["hotspots"], try_parse_dates=True)
    matched = match_hotspots(reported, planted_spots)
    found_planted, unplanted = int(matched["found"]), int(matched["unmatched"])
    figures = {
        "nmi": value,
        "exploiters_top": top20 / min(20, k),
        "exploiters_recall_k": topk / k,
        "hotspot_recall": found_planted / max(1, planted_spots.height),
        "hotspot_unplanted": unplanted / max(1, reported.height),
    }
    print(
        f"  hotspots: {found_planted} of {planted_spots.height} planted found (recall "
        f"{found_planted / max(1, planted_spots.height):.2f}, target >= 0.9); {reported.height} "
        f"reported, {unplanted} match no planted one ({unplanted / max(1, reported.height):.0%}, "
        f"target <= 10%)"
    )
    return figures


def borough(name: str, spec: dict) -> None:
    url = f"{BASE}/{spec['db']}"
    env = {**os.environ, "DATABASE_URL": url}
    print(
        f"{name}: {spec['children']:,} children, seed {spec['seed']}, activity x{spec['activity']:g}"
    )
    folder = delivery(spec, env)
    recreate(url)
    run([str(EFH), "migrate", "--noinput", "-v", "0"], env)
    run([str(EFH), "load_wards", "-v", "0"], env)
    seconds, _, output = run([str(EFH), "import", str(folder)], env)
    rows = next((line for line in output.splitlines() if "rows in" in line), "").strip()
    print(f"  import: {seconds:.1f} s wall ({rows})")
    with __import__("psycopg").connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    seconds, _, _ = run([str(EFH), "link"], env)
    print(f"  link: {seconds:.1f} s")
    manifest = json.loads((folder / "truth" / "manifest.json").read_text())
    as_of = manifest["as_of"]
    seconds, memory, output = run([str(EFH), "refresh", "--as-of", as_of], env)
    print(
        f"  efh refresh (as of {as_of}): {seconds:.1f} s wall end to end, peak memory "
        f"{memory / 2**20:,.0f} MB (target <= 60 s)"
    )
    for line in output.splitlines():
        print(f"    {line.strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        exports = {}
        for what in ("persons", "peer-groups", "hotspots", "adults-of-concern"):
            exports[what] = Path(tmp) / f"{what}.csv"
            run([str(EFH), "export", what, "--out", str(exports[what])], env)
        measure(folder, exports)
    _, _, output = run([sys.executable, str(ROOT / "bench" / "intel_pages.py")], env)
    print(
        "  the intelligence pages as the analyst (in process, 20 requests each after warm-up; target p95 <= 150 ms):"
    )
    print(output.rstrip())


def main() -> None:
    chosen = os.environ.get("BENCH_INTEL", "standard,million").split(",")
    print(f"Intelligence picture benchmark, {os.cpu_count()} cores")
    for name in chosen:
        borough(name, BOROUGHS[name])
        sys.stdout.flush()


if __name__ == "__main__":
    main()
