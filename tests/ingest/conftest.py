from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import copy_delivery


@pytest.fixture
def conformance(tmp_path: Path) -> Path:
    """A private copy of the conformance delivery (tests may edit it)."""
    return copy_delivery(tmp_path / "conformance")


@pytest.fixture
def imported(db: None, tmp_path: Path):
    """The database after importing the conformance delivery; returns its ImportResult."""
    from efh.ingest.services import delivery_import

    return delivery_import(path=copy_delivery(tmp_path / "first"))
