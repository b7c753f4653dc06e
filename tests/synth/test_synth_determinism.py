"""The same seed gives byte-identical files; another seed gives another borough."""

from __future__ import annotations

from pathlib import Path

from efh.synth.generator import DELIVERY_FILES, generate, is_synth_output

TRUTH_FILES = (
    "truth/persons_truth.csv",
    "truth/groups_truth.csv",
    "truth/exploiters_truth.csv",
    "truth/hotspots_truth.csv",
    "truth/manifest.json",
)


def _files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in (*DELIVERY_FILES, *TRUTH_FILES)}


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", children=400, seed=5)
    b = generate(tmp_path / "b", children=400, seed=5)
    assert a == b
    assert _files(tmp_path / "a") == _files(tmp_path / "b")


def test_another_seed_another_borough(tmp_path: Path) -> None:
    generate(tmp_path / "a", children=400, seed=5)
    generate(tmp_path / "b", children=400, seed=6)
    a, b = _files(tmp_path / "a"), _files(tmp_path / "b")
    for name in ("persons.csv", "events.csv", "associations.csv", "truth/groups_truth.csv"):
        assert a[name] != b[name], name


def test_regenerating_into_a_previous_output_replaces_it(tmp_path: Path) -> None:
    generate(tmp_path, children=400, seed=5)
    assert is_synth_output(tmp_path)
    first = _files(tmp_path)
    generate(tmp_path, children=400, seed=5)
    assert _files(tmp_path) == first


def test_counts_scale_with_children(tmp_path: Path) -> None:
    small = generate(tmp_path / "s", children=500, seed=2)
    large = generate(tmp_path / "l", children=1500, seed=2)
    for name in ("persons.csv", "events.csv", "event_people.csv"):
        assert 2.5 < large[name] / small[name] < 3.5, name
    # Associations follow the (few, randomly sized) peer groups more closely at this size.
    assert 2.0 < large["associations.csv"] / small["associations.csv"] < 4.5
