"""Every ``casework:`` URL name has a row in one of the casework permission matrices."""

from __future__ import annotations

import importlib
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver


def _casework_names() -> set[str]:
    for entry in get_resolver().url_patterns:
        if isinstance(entry, URLResolver) and entry.namespace == "casework":
            return {
                f"casework:{p.name}"
                for p in entry.url_patterns
                if isinstance(p, URLPattern) and p.name
            }
    return set()


def test_every_casework_url_name_is_in_a_matrix() -> None:
    covered: set[str] = set()
    for path in sorted(Path(__file__).parent.glob("test_*_matrix.py")):
        module = importlib.import_module(f"casework.{path.stem}")
        covered |= {row[1] for row in module.ROWS}
    assert _casework_names() - covered == set()
