"""A synthetic borough generated once for the synth tests (2,000 children, seed 11)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from efh.synth.generator import generate


@dataclass(frozen=True)
class Borough:
    path: Path
    children: int
    seed: int
    as_of: date
    counts: dict[str, int]


@pytest.fixture(scope="session")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Borough:
    out = tmp_path_factory.mktemp("synth") / "borough"
    as_of = date(2026, 10, 31)
    counts = generate(out, children=2000, seed=11, as_of=as_of)
    return Borough(out, 2000, 11, as_of, counts)


@pytest.fixture(scope="session")
def delivery(borough: Borough) -> Path:
    return borough.path
