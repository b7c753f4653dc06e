"""Fixtures for the linkage engine: small fixed data sets and a model trained once on each.

The readers live in bench/linkage_accuracy.py (one source for bench and tests), loaded here by
path because ``bench`` is a folder of scripts, not a package.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import polars as pl
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "linkage_accuracy.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("efh_bench_linkage_accuracy", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def bench() -> ModuleType:
    return _bench()


@pytest.fixture(scope="session")
def synth_small(tmp_path_factory: pytest.TempPathFactory, bench: ModuleType) -> dict[str, Any]:
    """An ``efh synth`` borough of 2,000 children (seed 5): records, truth, true pairs."""
    from efh.synth.generator import generate

    out = tmp_path_factory.mktemp("linkage-synth")
    generate(out, children=2000, seed=5)
    records, truth = bench.read_synth(out)
    from efh.intelligence.linkage import pairs_of_labels

    pairs = pairs_of_labels(truth, id_col="unique_id", label_col="true_person_id")
    return {"records": records, "truth": truth, "pairs": pairs}


@pytest.fixture(scope="session")
def synth_model(synth_small: dict[str, Any]) -> Any:
    from efh.intelligence.linkage import train

    return train(synth_small["records"])


@pytest.fixture(scope="session")
def synth_pairs(synth_small: dict[str, Any], synth_model: Any) -> pl.DataFrame:
    from efh.intelligence.linkage import predict

    return predict(synth_small["records"], synth_model)
