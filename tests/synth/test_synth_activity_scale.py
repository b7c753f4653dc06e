"""``--activity-scale``: more background events from the same borough, still deterministic.

The benchmark (``make bench``) uses it to reach 1,000,000 events for 60,000 children.
"""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from efh.synth.generator import generate


def test_scaled_activity_multiplies_events_and_keeps_the_people(tmp_path: Path) -> None:
    plain = generate(tmp_path / "plain", children=300, seed=5)
    scaled = generate(tmp_path / "scaled", children=300, seed=5, activity_scale=4.0)
    # Background events are most events: four times their rate gives well over three times as
    # many events in all, and as many more people in them.
    assert scaled["events.csv"] > 3 * plain["events.csv"]
    assert scaled["event_people.csv"] > 3 * plain["event_people.csv"]
    # The same people (the truth of who is who); only what happens to them is scaled.
    truth = "truth/persons_truth.csv"
    assert (tmp_path / "scaled" / truth).read_bytes() == (tmp_path / "plain" / truth).read_bytes()
    manifest = json.loads((tmp_path / "scaled" / "truth" / "manifest.json").read_text())
    assert manifest["activity_scale"] == 4.0
    default = json.loads((tmp_path / "plain" / "truth" / "manifest.json").read_text())
    assert "activity_scale" not in default


def test_scaled_activity_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        call_command(
            "synth", "--children", "150", "--seed", "9", "--activity-scale", "2.5",
            "--out", str(tmp_path / name), stdout=StringIO(),
        )  # fmt: skip
    for name in ("events.csv", "event_people.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("scale", ["0", "-1", "51"])
def test_synth_rejects_a_bad_activity_scale(tmp_path: Path, scale: str) -> None:
    with pytest.raises(CommandError) as error:
        call_command(
            "synth", "--activity-scale", scale, "--out", str(tmp_path / "x"), stdout=StringIO()
        )
    assert error.value.returncode == 2
    assert "--activity-scale" in str(error.value)
