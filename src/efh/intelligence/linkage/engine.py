"""Training and prediction with Splink on DuckDB (in process, two threads, a memory limit)."""

from __future__ import annotations

import contextlib
import logging
import math
import time
from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import polars as pl
from splink import DuckDBAPI, Linker, block_on

from efh.intelligence.linkage.model import (
    COMPARISON_NAMES,
    CORROBORATING,
    LinkModel,
    prediction_blocking_rules,
    settings_creator,
)
from efh.intelligence.linkage.prepare import STRONG_IDENTIFIERS, prepare

Progress = Callable[[str, int, int], None]

#: DuckDB resources: the issue's budget is 2 cores and 4 GB for the whole run.
DUCKDB_THREADS = 2
DUCKDB_MEMORY_LIMIT = "2500MB"

#: Random pairs sampled to estimate u (the chance of agreement among non-matches).
U_MAX_PAIRS = 1e6
#: Cap on the blocked pairs each EM session trains m on.
EM_MAX_PAIRS = 1e6
#: Deterministic rules (strong identifiers) and their assumed recall, for the prior.
PRIOR_RULES = ("nhs_number", "upn", "pnc_id")
PRIOR_RECALL = 0.6


def _quiet(progress: Progress | None) -> Progress:
    return progress or (lambda _stage, _done, _total: None)


@contextlib.contextmanager
def _splink_logging() -> Iterator[None]:
    """Splink logs every step at INFO and warns about things we do on purpose; keep it to
    errors while we run (our own progress callback reports the stages)."""
    logger = logging.getLogger("splink")
    before = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(before)


def connect() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    con.execute(f"SET threads = {DUCKDB_THREADS}")
    con.execute(f"SET memory_limit = '{DUCKDB_MEMORY_LIMIT}'")
    con.execute("SET preserve_insertion_order = false")
    return con


def _load(con: duckdb.DuckDBPyConnection, name: str, prepared: pl.DataFrame) -> None:
    arrow = prepared.to_arrow()
    con.register(f"{name}_arrow", arrow)
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")  # noqa: S608
    con.unregister(f"{name}_arrow")


def train(records: pl.DataFrame, *, progress: Progress | None = None, seed: int = 1) -> LinkModel:
    """Train a Fellegi-Sunter model on the partnership's own records.

    The prior (probability two random records match) from the strong identifiers, assuming they
    find ``PRIOR_RECALL`` of true pairs; u by random sampling (``U_MAX_PAIRS``); m by
    expectation maximisation, one session per strong identifier (see ``_em_sessions``), each
    capped at ``EM_MAX_PAIRS`` pairs. Deterministic for a given ``seed`` and input.
    """
    say = _quiet(progress)
    say("prepare", 0, 1)
    prepared = prepare(records)
    say("prepare", 1, 1)
    with _splink_logging():
        con = connect()
        try:
            _load(con, "efh_train", prepared)
            db_api = DuckDBAPI(con)
            sdf = db_api.register("efh_train")
            linker = Linker(sdf, settings_creator(), log_level=None)
            say("train u", 0, 1)
            linker.training.estimate_probability_two_random_records_match(
                [block_on(c) for c in PRIOR_RULES], recall=PRIOR_RECALL
            )
            linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
            say("train u", 1, 1)
            sessions = _em_sessions(prepared)
            for i, rule in enumerate(sessions):
                say("train m", i, len(sessions))
                linker.training.estimate_parameters_using_expectation_maximisation(
                    rule, estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
                )
            say("train m", len(sessions), len(sessions))
            settings = linker.misc.save_model_to_json()
        finally:
            con.close()
    _fill_untrained(settings)
    _set_disagreement(settings)
    return LinkModel(settings, records=records.height)


#: A strong identifier shared by fewer record pairs than this is not used to train on.
MIN_TRAINING_PAIRS = 50


def _em_sessions(prepared: pl.DataFrame) -> list[Any]:
    """The EM blocking rules: one per strong identifier shared by enough record pairs, since
    pairs sharing an NHS number, UPN or PNC id are nearly all true matches, so the m of every
    other field is learnt from real matches and not from households that look alike (a twin
    differs from a match only by the given name; a same-named sibling by the date of birth).
    When fewer than two identifiers qualify (so one of them could not be trained), sessions
    blocked on exact given and family name and on date of birth are added."""
    rules = []
    for column in PRIOR_RULES:
        sizes = prepared.get_column(column).drop_nulls().value_counts().get_column("count")
        if int((sizes * (sizes - 1) // 2).sum()) >= MIN_TRAINING_PAIRS:
            rules.append(block_on(column))
    if len(rules) < 2:
        rules += [block_on("given_name", "family_name"), block_on("dob")]
    return rules


#: Smallest m probability kept: EM on tidy data can drive an "else" level's m to zero (the
#: synthetic phones never change), which would make one disagreeing field veto any match.
M_FLOOR = 1e-3
#: Smallest u probability kept (a level never seen among random pairs).
U_FLOOR = 1e-7


#: m of the "different" level of these exact-match comparisons, set rather than learnt: EM runs
#: within pairs that share a strong identifier, so it never sees that identifier (and rarely
#: another) differ on a true match, and left untrained the level counted for nothing, which
#: showed twins with different UPNs as "more than 99.9%" alike. Between two records of one
#: person an identifier differs about one time in a hundred (a typing error), sex about two.
DISAGREE_M = {"nhs_number": 0.01, "upn": 0.01, "pnc_id": 0.01, "sex": 0.02}


def _set_disagreement(settings: dict[str, Any]) -> None:
    for comparison in settings["comparisons"]:
        m_else = DISAGREE_M.get(comparison["output_column_name"])
        if m_else is None:
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if len(levels) != 2:  # exact, then else
            continue
        levels[0]["m_probability"] = 1.0 - m_else
        levels[1]["m_probability"] = m_else


def _fill_untrained(settings: dict[str, Any]) -> None:
    """Give every non-null level finite m and u in (0, 1]: a level that never occurred in
    training (rare on a small delivery) gets m = u (no evidence either way), and m and u are
    kept above ``M_FLOOR`` and ``U_FLOOR``; the saved model then always has numbers a later
    run can check."""
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            m, u = level.get("m_probability"), level.get("u_probability")
            u = float(u) if isinstance(u, int | float) and math.isfinite(u) else U_FLOOR
            m = float(m) if isinstance(m, int | float) and math.isfinite(m) else u
            level["u_probability"] = min(max(u, U_FLOOR), 1.0)
            level["m_probability"] = min(max(m, M_FLOOR), 1.0)


def count_comparisons(records: pl.DataFrame) -> list[dict[str, Any]]:
    """How many pairs each prediction blocking rule adds (marginal) and in total (cumulative),
    counted exactly by Splink's ``count_comparisons_from_blocking_rules``."""
    from splink.blocking_analysis import count_comparisons_from_blocking_rules

    prepared = prepare(records)
    with _splink_logging():
        con = connect()
        try:
            _load(con, "efh_count", prepared)
            sdf = DuckDBAPI(con).register("efh_count")
            rows = count_comparisons_from_blocking_rules(
                sdf,
                blocking_rules=prediction_blocking_rules(),
                link_type="dedupe_only",
                record_sample_proportion=1.0,
            )
        finally:
            con.close()
    return [
        {
            "rule": r["blocking_rule"],
            "marginal": int(r["marginal_comparison_count"]),
            "cumulative": int(r["cumulative_comparison_count"]),
        }
        for r in rows
    ]


def output_columns() -> list[str]:
    cols = ["unique_id_l", "unique_id_r", "match_weight", "match_probability"]
    for name in COMPARISON_NAMES:
        cols += [f"gamma_{name}", f"mw_{name}"]
    return cols


#: Something the two records both hold, other than names and sex, agrees (a level above
#: Splink's "else" level, 0; -1 is its "null" level, when either record lacks the field).
CORROBORATED_SQL = " OR ".join(f"gamma_{name} > 0" for name in CORROBORATING)

#: SQL for ``auto_allowed`` over Splink's prediction (see :func:`predict`), whether a pair may be
#: linked without a person looking: both records have enough to compare, something other than
#: names and sex agrees, and the given names do not differ outright unless an identifier is
#: shared. ``explain.held_back`` says which condition failed.
AUTO_ALLOWED_SQL = (
    f"linkable_l AND linkable_r AND ({CORROBORATED_SQL}) AND NOT (gamma_given_name = 0 AND "
    + " AND ".join(f"gamma_{name} < 1" for name in STRONG_IDENTIFIERS)
    + ")"
)


def _select(splink_table: str, tf_columns: list[str]) -> str:
    """SQL turning Splink's prediction into our lean frame: ordered ids, ``auto_allowed``."""
    parts = [
        "least(unique_id_l, unique_id_r) AS unique_id_l",
        "greatest(unique_id_l, unique_id_r) AS unique_id_r",
        "match_weight",
        "match_probability",
        f"({AUTO_ALLOWED_SQL}) AS auto_allowed",
    ]
    for name in COMPARISON_NAMES:
        parts += [f"CAST(gamma_{name} AS TINYINT) AS gamma_{name}", f"mw_{name}"]
    parts += [f"mw_tf_adj_{c}" for c in tf_columns]
    return f"SELECT {', '.join(parts)} FROM {splink_table}"  # noqa: S608


def tf_input_columns(settings: dict[str, Any]) -> list[str]:
    """The input columns whose term frequencies the model uses."""
    out: list[str] = []
    for comparison in settings["comparisons"]:
        for level in comparison["comparison_levels"]:
            column = level.get("tf_adjustment_column")
            if column and column not in out:
                out.append(column)
    return out


def tf_columns(settings: dict[str, Any]) -> list[str]:
    """The comparisons with a term-frequency adjustment (their ``mw_tf_adj_<name>``)."""
    out = []
    for comparison in settings["comparisons"]:
        if any(lv.get("tf_adjustment_column") for lv in comparison["comparison_levels"]):
            out.append(comparison["output_column_name"])
    return out


def _default_threshold(model: LinkModel, threshold_weight: float | None) -> float:
    return model.thresholds.lower if threshold_weight is None else threshold_weight


def predict(
    records: pl.DataFrame,
    model: LinkModel,
    *,
    engine: str = "duckdb",
    threshold_weight: float | None = None,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    spark: Any = None,
) -> pl.DataFrame:
    """Score every candidate pair (the model's blocking rules) among ``records``.

    Returns one row per pair at or above ``threshold_weight`` (default: the model's lower
    threshold, so every pair worth linking or reviewing), ``unique_id_l < unique_id_r``, with
    ``match_weight``, ``match_probability``, ``auto_allowed`` and each comparison's
    ``gamma_<name>`` and ``bf_<name>`` (and ``bf_tf_adj_<name>`` for the term-frequency
    adjusted ones) for :func:`explain`. ``timings`` (if given) receives the seconds of each
    stage; ``timings["splink_predict"]`` is Splink's own predict step alone.
    ``engine="spark"`` runs the same model with Splink's Spark backend (``spark`` may be a
    SparkSession to use).
    """
    if engine == "spark":
        from efh.intelligence.linkage.spark import predict_spark

        return predict_spark(
            records, model, threshold_weight=threshold_weight, progress=progress,
            timings=timings, spark=spark,
        )  # fmt: skip
    if engine != "duckdb":
        raise ValueError(f"unknown engine {engine!r}: use 'duckdb' or 'spark'")
    say = _quiet(progress)
    times = timings if timings is not None else {}
    started = time.perf_counter()
    say("prepare", 0, 1)
    prepared = prepare(records)
    say("prepare", 1, 1)
    times["prepare"] = time.perf_counter() - started
    with _splink_logging():
        con = connect()
        try:
            _load(con, "efh_predict", prepared)
            db_api = DuckDBAPI(con)
            sdf = db_api.register("efh_predict")
            settings = _settings_copy(model)
            linker = Linker(sdf, settings, log_level=None)
            say("predict", 0, 1)
            t = time.perf_counter()
            scored = linker.inference.predict(
                threshold_match_weight=_default_threshold(model, threshold_weight),
                warning_mode="never",
            )
            times["splink_predict"] = time.perf_counter() - t
            t = time.perf_counter()
            out = con.sql(_select(scored.physical_name, tf_columns(settings))).pl()
            times["collect"] = time.perf_counter() - t
            say("predict", 1, 1)
        finally:
            con.close()
    times["predict_total"] = time.perf_counter() - started
    return out.sort("unique_id_l", "unique_id_r")


def _settings_copy(model: LinkModel) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(model.settings))


def predict_new(
    existing: pl.DataFrame,
    new: pl.DataFrame,
    model: LinkModel,
    *,
    threshold_weight: float | None = None,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """Incremental linkage of a new delivery, with the saved model and no retraining.

    New records are scored against the existing ones (Splink's ``predict_between``) and against
    each other (``predict_within``); pairs of two existing records are not scored again. Term
    frequencies (how common a name or postcode is) are computed afresh from existing and new
    records together, so they are what a full run would use; they are not stored in the model
    because they are a property of the data, not of the model, and would make the saved file
    grow with the population. Same output as :func:`predict`.
    """
    say = _quiet(progress)
    say("prepare", 0, 1)
    old = prepare(existing)
    fresh = prepare(new)
    clash = set(old["unique_id"].to_list()) & set(fresh["unique_id"].to_list())
    if clash:
        raise ValueError(f"records both existing and new: {sorted(clash)[:5]}")
    say("prepare", 1, 1)
    with _splink_logging():
        con = connect()
        try:
            _load(con, "efh_existing", old)
            _load(con, "efh_new", fresh)
            con.execute(
                "CREATE TABLE efh_all AS SELECT * FROM efh_existing UNION ALL SELECT * FROM efh_new"
            )
            db_api = DuckDBAPI(con)
            settings = _settings_copy(model)
            all_sdf = db_api.register("efh_all")
            linker = Linker(all_sdf, settings, log_level=None)
            for column in tf_input_columns(settings):
                linker.table_management.compute_tf_table(column)
            left = db_api.register("efh_existing")
            right = db_api.register("efh_new")
            threshold = _default_threshold(model, threshold_weight)
            say("predict", 0, 2)
            between = linker.inference.predict_between(
                left, right, threshold_match_weight=threshold, warning_mode="never"
            )
            say("predict", 1, 2)
            within = linker.inference.predict_within(
                right, threshold_match_weight=threshold, warning_mode="never"
            )
            say("predict", 2, 2)
            tfs = tf_columns(settings)
            out = pl.concat(
                [
                    con.sql(_select(between.physical_name, tfs)).pl(),
                    con.sql(_select(within.physical_name, tfs)).pl(),
                ]
            )
        finally:
            con.close()
    return out.unique(["unique_id_l", "unique_id_r"]).sort("unique_id_l", "unique_id_r")
