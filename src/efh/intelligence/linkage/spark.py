"""The same saved model on Spark: Splink's SparkAPI, for regional scale (docs/linkage-at-scale.md).

Records are cleaned by the same Polars ``prepare`` step as on DuckDB and handed to Spark, so
both engines compare the same values; the model's comparisons are generated for Spark's SQL
dialect and carry the saved m and u probabilities (``model.settings_for_dialect``). Splink's
string-similarity functions on Spark come from its Scala jar, put on ``spark.jars`` here when
this module starts the session.
"""

from __future__ import annotations

import time
from typing import Any

import polars as pl

from efh.intelligence.linkage.engine import (
    AUTO_ALLOWED_SQL,
    Progress,
    _default_threshold,
    _quiet,
    _splink_logging,
    tf_columns,
)
from efh.intelligence.linkage.model import COMPARISON_NAMES, LinkModel, settings_for_dialect
from efh.intelligence.linkage.prepare import PREPARED_COLUMNS, prepare


def local_session(cores: int = 2, memory: str = "2g") -> Any:
    """A local SparkSession (``local[cores]``) with Splink's similarity jar; offline."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("efh-linkage")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.default.parallelism", str(max(2, cores * 2)))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )


def _spark_frame(spark: Any, prepared: pl.DataFrame) -> Any:
    from pyspark.sql import types as T

    kinds = {
        "unique_id": T.LongType(),
        "forenames": T.ArrayType(T.StringType()),
        "surnames": T.ArrayType(T.StringType()),
        "linkable": T.BooleanType(),
    }
    schema = T.StructType(
        [T.StructField(c, kinds.get(c, T.StringType()), True) for c in PREPARED_COLUMNS]
    )
    rows = prepared.select(PREPARED_COLUMNS).rows()
    return spark.createDataFrame(rows, schema=schema)


def score_spark(prepared: Any, model: LinkModel, spark: Any, threshold_weight: float) -> Any:
    """Score a Spark DataFrame of prepared records (``PREPARED_COLUMNS``) with the saved model;
    returns a Spark DataFrame with ``predict``'s columns (not collected: a cluster job writes
    it out)."""
    from splink import Linker, SparkAPI

    settings = settings_for_dialect(model.settings, "spark")
    # "persist" keeps intermediate tables in executor memory, so no checkpoint directory is
    # needed; on a cluster, Splink's "checkpoint" (with a checkpoint directory) also works.
    db_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    linker = Linker(db_api.register(prepared), settings, log_level=None)
    scored = linker.inference.predict(threshold_match_weight=threshold_weight, warning_mode="never")
    parts = [
        "least(unique_id_l, unique_id_r) AS unique_id_l",
        "greatest(unique_id_l, unique_id_r) AS unique_id_r",
        "match_weight",
        "match_probability",
        f"({AUTO_ALLOWED_SQL}) AS auto_allowed",
    ]
    for name in COMPARISON_NAMES:
        parts += [f"CAST(gamma_{name} AS TINYINT) AS gamma_{name}", f"mw_{name}"]
    parts += [f"mw_tf_adj_{c}" for c in tf_columns(settings)]
    return scored.as_spark_dataframe().selectExpr(*parts)


def predict_spark(
    records: pl.DataFrame,
    model: LinkModel,
    *,
    threshold_weight: float | None = None,
    progress: Progress | None = None,
    timings: dict[str, float] | None = None,
    spark: Any = None,
) -> pl.DataFrame:
    """``predict`` on Spark: same input, same output frame."""
    say = _quiet(progress)
    times = timings if timings is not None else {}
    started = time.perf_counter()
    say("prepare", 0, 1)
    prepared = prepare(records)
    say("prepare", 1, 1)
    session = spark or local_session()
    with _splink_logging():
        say("predict", 0, 1)
        t = time.perf_counter()
        selected = score_spark(
            _spark_frame(session, prepared), model, session,
            _default_threshold(model, threshold_weight),
        )  # fmt: skip
        out = pl.from_arrow(selected.toArrow())
        times["splink_predict"] = time.perf_counter() - t
        say("predict", 1, 1)
    times["predict_total"] = time.perf_counter() - started
    assert isinstance(out, pl.DataFrame)
    return out.with_columns(pl.col("unique_id_l", "unique_id_r").cast(pl.Int64)).sort(
        "unique_id_l", "unique_id_r"
    )


def main(argv: list[str] | None = None) -> int:
    """Cluster entry point (``spark-submit``): score prepared records (Parquet) with a saved
    model and write the pairs as Parquet. See docs/linkage-at-scale.md."""
    import argparse

    from pyspark.sql import SparkSession

    parser = argparse.ArgumentParser(prog="python -m efh.intelligence.linkage.spark")
    parser.add_argument("--model", required=True, help="saved model JSON (efh link writes it)")
    parser.add_argument("--input", required=True, help="Parquet of prepared records")
    parser.add_argument("--output", required=True, help="where to write the pairs (Parquet)")
    parser.add_argument("--threshold", type=float, default=None,
                        help="lowest match weight kept (default: the model's lower threshold)")  # fmt: skip
    args = parser.parse_args(argv)
    model = LinkModel.load(args.model)
    spark = SparkSession.builder.appName("efh-linkage").getOrCreate()
    prepared = spark.read.parquet(args.input).select(*PREPARED_COLUMNS)
    with _splink_logging():
        pairs = score_spark(prepared, model, spark, _default_threshold(model, args.threshold))
        pairs.write.mode("overwrite").parquet(args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
