"""The same saved model on Spark (local[2], Splink's SparkAPI) gives DuckDB's pairs and weights.

Marked ``spark``: starting the JVM and running Splink's stages takes about a minute on the
2-core machine; deselect with ``-m "not spark"``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from efh.intelligence.linkage import LinkModel, predict

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    pytest.importorskip("pyspark")
    from efh.intelligence.linkage.spark import local_session

    session = local_session(cores=2, memory="1g")
    yield session
    session.stop()


def test_spark_and_duckdb_agree(
    tmp_path: Path, spark: Any, synth_small: dict[str, Any], synth_model: LinkModel
) -> None:
    path = tmp_path / "model.json"
    synth_model.save(path)
    model = LinkModel.load(path)  # the saved JSON, as a cluster job would read it
    records = synth_small["records"].head(1500)
    on_duckdb = predict(records, model, threshold_weight=-5)
    timings: dict[str, float] = {}
    on_spark = predict(records, model, engine="spark", spark=spark, threshold_weight=-5,
                       timings=timings)  # fmt: skip
    assert on_duckdb.height > 100
    assert on_spark.columns == on_duckdb.columns
    key = ["unique_id_l", "unique_id_r"]
    assert on_spark.select(key).equals(on_duckdb.select(key))
    joined = on_duckdb.join(on_spark, on=key, suffix="_spark")
    for column in ["match_weight", "match_probability"]:
        assert (joined[column] - joined[f"{column}_spark"]).abs().max() < 1e-6
    gammas = [c for c in on_duckdb.columns if c.startswith("gamma_")] + ["auto_allowed"]
    assert on_spark.select(gammas).equals(on_duckdb.select(gammas))
    assert timings["splink_predict"] > 0
