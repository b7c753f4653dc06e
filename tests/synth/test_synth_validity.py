"""The generated delivery obeys the exchange format and the importer's rules."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from efh.synth import checks
from efh.synth.generator import generate
from efh.synth.population import nhs_numbers, pnc, upn

AS_OF = date(2026, 10, 31)


def test_every_file_is_written_with_the_exchange_headers(delivery: Path) -> None:
    for name, header in checks.HEADERS.items():
        first_line = (delivery / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == header
    for name, header in checks.TRUTH_HEADERS.items():
        first_line = (delivery / "truth" / name).read_text(encoding="utf-8").split("\n", 1)[0]
        assert first_line == header


def test_the_delivery_passes_every_check(delivery: Path) -> None:
    assert checks.check_delivery(delivery, AS_OF) == []


def test_the_manifest_records_the_run(borough) -> None:  # type: ignore[no-untyped-def]
    delivery = borough.path
    manifest = json.loads((delivery / "truth" / "manifest.json").read_text())
    assert manifest["seed"] == borough.seed
    assert manifest["children"] == borough.children
    assert manifest["as_of"] == borough.as_of.isoformat()
    assert manifest["counts"] == borough.counts
    for name, rows in manifest["counts"].items():
        _, data = checks.read(delivery / name)
        assert len(data) == rows, name


def test_every_source_has_its_own_place_records(delivery: Path) -> None:
    _, locations = checks.read(delivery / "locations.csv")
    _, organisations = checks.read(delivery / "organisations.csv")
    sources = {r["source"] for r in locations + organisations}
    assert {"police", "education", "health"} <= sources
    schools = [r for r in organisations if r["source"] == "education"]
    assert {r["kind"] for r in schools} >= {"school", "alternative_provision"}


def test_identifiers_carry_valid_check_digits() -> None:
    import numpy as np

    rng = np.random.default_rng(0)
    numbers = nhs_numbers(rng, 500)
    assert len(set(numbers)) == 500
    assert all(checks.nhs_ok(n) for n in numbers)
    assert checks.nhs_ok("9434765919")
    assert not checks.nhs_ok("9434765918")
    assert checks.UPN.match(upn("204123425001"))
    assert checks.PNC.match(pnc(24, 1234567))


def test_text_needs_quoting_and_is_quoted(delivery: Path) -> None:
    raw = (delivery / "events.csv").read_text(encoding="utf-8")
    _, events = checks.read(delivery / "events.csv")
    summaries = [e["summary"] for e in events]
    assert any("," in s for s in summaries)
    assert any('"' in s for s in summaries)
    assert any("\n" in s for s in summaries)
    assert raw.count("\n") > len(events)  # quoted line breaks survive a round trip


def test_a_delivery_made_on_the_day_the_clocks_go_forward_is_valid(tmp_path: Path) -> None:
    as_of = date(2025, 3, 30)  # the last Sunday of March: 01:00-01:59 does not exist
    generate(tmp_path, children=300, seed=4, as_of=as_of, duplicate_rate=0.5)
    assert checks.check_delivery(tmp_path, as_of) == []
    _, events = checks.read(tmp_path / "events.csv")
    last = max(datetime.fromisoformat(e["recorded_at"]) for e in events)
    assert last.date() <= as_of
