"""One key for one real place, whatever each agency's spelling (synthetic names)."""

from __future__ import annotations

import pytest

from efh.contexts.place_names import place_key, search_variants


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Upland Estate", "UPLAND ESTATE"),
        ("Upland Estate", "Upland Est."),
        ("Upland Estate", "Upland Estate (outside)"),
        ("Wren Primary School", "Wren Primary"),
        ("Wren Primary School", "WREN PRIMARY SCHOOL"),
        ("Sorrel Academy", "Sorrel Acad."),
        ("Sorrel Academy", "Sorrel Academy School"),
        ("Tamarisk School", "Tamarisk"),
        ("St Mary's CE Primary", "St Marys C of E Primary School"),
        ("St Mary's CE Primary", "St. Mary\u2019s CofE Primary"),
        ("Pipit Road", "Pipit Rd"),
        ("Damson Street", "Damson St"),
        ("Cowslip Overground station", "Cowslip station"),
        ("Barleycorn Convenience Store", "Barleycorn Store"),
        ("Fish & Chips on Valerian", "Fish and Chips on Valerian"),
    ],
)
def test_spellings_of_one_place_share_a_key(a: str, b: str) -> None:
    assert place_key(a, "E5 8AA") == place_key(b, "e58aa")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Wren Primary School", "Wren High School"),  # two schools
        ("Upland Estate", "Upland Park"),
        ("St Mary's CE Primary", "Mary Street"),  # a saint at the start, a street at the end
        ("Upland Estate", "Uplands Estate"),
    ],
)
def test_different_places_keep_different_keys(a: str, b: str) -> None:
    assert place_key(a, "E5 8AA") != place_key(b, "E5 8AA")


def test_the_postcode_is_part_of_the_key() -> None:
    assert place_key("Upland Estate", "E5 8AA") != place_key("Upland Estate", "N16 7AB")


def test_search_variants_include_abbreviations() -> None:
    assert search_variants("estate") == ["est", "estate"]
    assert search_variants("upland") == ["upland"]
