"""``efh synth``: writes a delivery, prints the counts, refuses to overwrite other folders."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError


def test_synth_writes_a_delivery_and_prints_counts(tmp_path: Path) -> None:
    out = StringIO()
    call_command("synth", "--children", "200", "--seed", "3", "--out", str(tmp_path), stdout=out)
    assert (tmp_path / "persons.csv").is_file()
    assert (tmp_path / "truth" / "manifest.json").is_file()
    text = out.getvalue()
    assert "persons.csv" in text
    assert "truth/groups_truth.csv" in text


def test_synth_overwrites_its_own_previous_output(tmp_path: Path) -> None:
    call_command("synth", "--children", "100", "--out", str(tmp_path), stdout=StringIO())
    call_command("synth", "--children", "100", "--out", str(tmp_path), stdout=StringIO())


def test_synth_refuses_a_folder_holding_something_else(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(CommandError) as error:
        call_command("synth", "--children", "100", "--out", str(tmp_path), stdout=StringIO())
    assert error.value.returncode == 2
    assert "not empty" in str(error.value)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


@pytest.mark.parametrize(
    "args",
    [["--children", "10"], ["--duplicate-rate", "1.5"], ["--seed", "-1"]],
)
def test_synth_rejects_bad_input(tmp_path: Path, args: list[str]) -> None:
    with pytest.raises(CommandError) as error:
        call_command("synth", *args, "--out", str(tmp_path / "x"), stdout=StringIO())
    assert error.value.returncode == 2
