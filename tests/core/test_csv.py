"""Spreadsheet formula neutralisation on the way out (efh.core.csv)."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from efh.core.csv import neutralise, write_csv


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        '=HYPERLINK("http://example.invalid","x")',
        "+44 7700 900123",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "=",
    ],
)
def test_text_a_spreadsheet_would_read_as_a_formula_gets_an_apostrophe(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "Kofi",
        "Mensah-Boateng",
        "E8 1AB",
        "12/345678A",
        "a=b",
        "'=already quoted",
        "",
        "naïve café",
    ],
)
def test_ordinary_text_is_untouched(value):
    assert neutralise(value) is value


@pytest.mark.parametrize("value", [0, 42, -5, 3.5, -0.0553, Decimal("-1.5"), None, True])
def test_numbers_and_other_values_are_untouched(value):
    assert neutralise(value) is value


def test_write_csv_neutralises_every_text_value_but_not_the_header(tmp_path):
    out = tmp_path / "out.csv"

    count = write_csv(
        out,
        ["source", "=source_id", "person_id"],
        iter([("health", "=1+1", 7), ("police", "PN-9", -3), ("vcs", 'a,b\n"c"', 8)]),
    )

    assert count == 3
    with out.open(newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["source", "=source_id", "person_id"],
            ["health", "'=1+1", "7"],
            ["police", "PN-9", "-3"],
            ["vcs", 'a,b\n"c"', "8"],
        ]


def test_write_csv_of_no_rows_writes_the_header(tmp_path):
    out = tmp_path / "empty.csv"

    assert write_csv(out, ["a", "b"], []) == 0
    assert out.read_bytes() == b"a,b\r\n"
