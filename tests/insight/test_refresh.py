"""``efh refresh`` on the platform: a small synthetic borough imported, linked and refreshed; the
snapshot checked against the delivery, the picture against the planted truth; stable codes,
failures that change nothing, the exports and the command's errors."""

from __future__ import annotations

import csv
import importlib.util
import os
import socket
import sys
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import polars as pl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from efh.contexts.services import wards_load
from efh.core.models import AccessLogEntry
from efh.ingest.linking import link_run
from efh.ingest.services import delivery_import
from efh.insight import refresh as refresh_module
from efh.insight.models import (
    Candidate,
    CandidateKind,
    CandidateMember,
    Hotspot,
    RefreshRun,
    RefreshStatus,
    ReviewStatus,
    TrendTable,
)
from efh.insight.refresh import RefreshRefused, latest_record, refresh_run
from efh.insight.snapshot import read_snapshot
from efh.people.models import PersonRecord
from efh.synth.generator import generate

REPO = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 10, 31)


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        f"efh_bench_{name}", REPO / "bench" / f"{name}.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    generate(folder, children=1500, seed=5, as_of=AS_OF, duplicate_rate=0.3, progress=None)
    return folder


@pytest.fixture
def imported(db: None, borough: Path, tmp_path: Path, settings) -> Path:
    settings.EFH_LINK_MODEL = tmp_path / "model.json"
    wards_load()
    delivery_import(path=borough)
    return borough


@pytest.fixture
def linked(imported: Path) -> Path:
    link_run(started_by="test")
    return imported


def as_of() -> datetime:
    return datetime(AS_OF.year, AS_OF.month, AS_OF.day, 23, 59, 59, tzinfo=UTC)


def test_the_snapshot_holds_what_the_delivery_holds(imported: Path) -> None:
    frames = _module("intel_frames")
    expected, _truth = frames.load_delivery(imported)
    snap = read_snapshot(as_of())

    def events(frame: pl.DataFrame) -> Counter:
        return Counter(
            (k, t, tuple(sorted(h)))
            for k, t, h in frame.select("kind", "occurred_at", "harm_types").iter_rows()
        )

    assert events(snap.events) == events(expected.events)
    assert snap.events.height == expected.events.height
    # Points: an event's own, else its place's.
    assert snap.events["latitude"].null_count() == expected.events["latitude"].null_count()
    assert snap.missing.height == expected.missing.height
    assert snap.associations.height == expected.associations.height
    assert snap.event_people.height == expected.event_people.height
    assert snap.missing_with.height == expected.missing_with.height
    # Facts are keyed by the linked person: every person id is one with records.
    people = set(snap.persons["person_id"].to_list())
    assert set(snap.event_people["person_id"].to_list()) <= people
    assert set(snap.missing["person_id"].to_list()) <= people
    assert snap.persons["is_child"].sum() > 1000
    # Every event's ward is a ward code, or "" outside the borough.
    assert snap.events.filter(pl.col("latitude").is_not_null())["ward"].str.starts_with("E05").all()


def test_the_snapshot_leaves_out_what_happened_after_its_moment(imported: Path) -> None:
    early = read_snapshot(datetime(2025, 6, 30, tzinfo=UTC))
    full = read_snapshot(as_of())
    assert 0 < early.events.height < full.events.height
    assert early.events["occurred_at"].max() <= datetime(2025, 6, 30)  # naive UTC
    assert early.missing["went_missing_at"].max() <= datetime(2025, 6, 30)


def test_the_run_records_how_far_the_data_go(imported: Path) -> None:
    """The trend charts mark the month of the latest record as incomplete: the latest event or
    missing episode at or before the snapshot's moment."""
    early = read_snapshot(datetime(2025, 6, 30, tzinfo=UTC))
    latest = max(early.events["occurred_at"].max(), early.missing["went_missing_at"].max())
    assert latest_record(early) == latest.isoformat()
    assert latest <= datetime(2025, 6, 30)


def export(what: str, tmp_path: Path) -> list[dict[str, str]]:
    out = tmp_path / f"{what}.csv"
    call_command("export", what, "--out", str(out), verbosity=0)
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_refresh_finds_the_planted_groups_exploiters_and_hotspots(linked: Path, tmp_path) -> None:
    outcome = refresh_run(started_by="test", as_of=as_of())
    run = outcome.run
    assert run.status == RefreshStatus.SUCCEEDED
    assert run.inputs["events"] > 1000 and run.as_of == as_of().replace(microsecond=0)
    bench = _module("intelligence")
    persons = tmp_path / "persons.csv"
    call_command("export", "persons", "--out", str(persons), verbosity=0)
    exports = {"persons": persons}
    for what in ("peer-groups", "hotspots", "adults-of-concern"):
        rows = export(what, tmp_path)
        assert rows, what
        exports[what] = tmp_path / f"{what}.csv"
    figures = bench.measure(linked, exports)
    assert figures["nmi"] >= 0.9, figures
    assert figures["exploiters_top"] >= 0.9, figures
    assert figures["hotspot_recall"] >= 0.9, figures
    assert figures["hotspot_unplanted"] <= 0.25, figures

    # Headers are the exchange format's.
    with exports["hotspots"].open() as handle:
        assert next(csv.reader(handle)) == [
            "latitude", "longitude", "radius_m", "start", "end", "harm_type", "score",
        ]  # fmt: skip
    with exports["adults-of-concern"].open() as handle:
        assert next(csv.reader(handle)) == ["person_id", "children_linked", "reasons"]
    with exports["peer-groups"].open() as handle:
        assert next(csv.reader(handle)) == ["person_id", "group_id"]

    # Everything derived says why, from what and when.
    group = Candidate.objects.filter(kind=CandidateKind.PEER_GROUP, current=True).first()
    assert group is not None and group.summary["reasons"] and group.last_run == run
    assert group.members.count() == group.size >= 3
    adult = Candidate.objects.filter(kind=CandidateKind.ADULT, current=True).order_by("rank")[0]
    assert adult.rank == 1 and adult.summary["reasons"] and adult.summary["rule"]
    # Each link carries its main kind of evidence, for the network view's line styles.
    known = {"event", "association", "missing", "missing_with", "address", "phone", "group"}
    for c in (group, adult):
        assert c.summary["edges"] and {e["kind"] for e in c.summary["edges"]} <= known
    spot = Hotspot.objects.filter(run=run).first()
    assert spot is not None and spot.reasons and spot.events > 0 and spot.p_value <= 0.05
    assert TrendTable.objects.filter(run=run, name="harm_month").exists()
    # The refresh is in the access log: derived data about people changed.
    entry = AccessLogEntry.objects.filter(object_type="intelligence_refresh").last()
    assert entry is not None and entry.object_id == str(run.pk)


def test_a_second_refresh_keeps_codes_and_reviews(linked: Path) -> None:
    refresh_run(started_by="test", as_of=as_of())
    first = dict(Candidate.objects.filter(current=True).values_list("code", "size"))
    members = sorted(
        CandidateMember.objects.filter(candidate__current=True).values_list(
            "candidate__code", "person_id"
        )
    )
    reviewed = Candidate.objects.filter(kind=CandidateKind.PEER_GROUP).first()
    assert reviewed is not None
    Candidate.objects.filter(pk=reviewed.pk).update(review_status=ReviewStatus.DISMISSED)

    refresh_run(started_by="test", as_of=as_of())

    assert dict(Candidate.objects.filter(current=True).values_list("code", "size")) == first
    assert (
        sorted(
            CandidateMember.objects.filter(candidate__current=True).values_list(
                "candidate__code", "person_id"
            )
        )
        == members
    )
    reviewed.refresh_from_db()
    assert reviewed.review_status == ReviewStatus.DISMISSED
    assert RefreshRun.objects.filter(status=RefreshStatus.SUCCEEDED).count() == 2


def picture() -> tuple:
    return (
        sorted(Candidate.objects.values_list("code", "current", "rank", "size", "last_run_id")),
        sorted(CandidateMember.objects.values_list("candidate_id", "person_id", "role")),
        sorted(Hotspot.objects.values_list("run_id", "number")),
        sorted(TrendTable.objects.values_list("run_id", "name")),
    )


def test_a_failing_refresh_changes_nothing(linked: Path, monkeypatch) -> None:
    refresh_run(started_by="test", as_of=as_of())
    before = picture()

    def broken(*args, **kwargs):
        raise RuntimeError("the hotspot analysis broke")

    monkeypatch.setattr(refresh_module.hotspot_core, "hotspots", broken)
    with pytest.raises(RuntimeError):
        refresh_run(started_by="test", as_of=as_of())
    assert picture() == before
    failed = RefreshRun.objects.order_by("-started_at").first()
    assert failed is not None and failed.status == RefreshStatus.FAILED
    assert "hotspot analysis broke" in failed.message


def test_a_refresh_is_refused_while_another_runs(db: None) -> None:
    now = timezone.now()
    RefreshRun.objects.create(
        started_by="someone",
        started_at=now,
        heartbeat_at=now,
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    with pytest.raises(RefreshRefused, match="still running"):
        refresh_run(started_by="test")


def test_a_dead_refresh_is_marked_interrupted(db: None) -> None:
    now = timezone.now()
    dead = RefreshRun.objects.create(
        started_by="someone", started_at=now, heartbeat_at=now, host="elsewhere", pid=1
    )
    RefreshRun.objects.filter(pk=dead.pk).update(
        heartbeat_at=now - refresh_module.HEARTBEAT_TIMEOUT * 2
    )
    with pytest.raises(RefreshRefused, match="nothing to analyse"):
        refresh_run(started_by="test")
    dead.refresh_from_db()
    assert dead.status == RefreshStatus.INTERRUPTED


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "31/10/2026"], "is not a date"),
        (["--window-days", "0"], "must be 1 or more"),
    ],
)
def test_the_command_names_bad_input(db: None, args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message) as raised:
        call_command("refresh", *args)
    assert raised.value.returncode == 2


def test_the_command_refuses_an_empty_database(db: None) -> None:
    with pytest.raises(CommandError, match="import a delivery first") as raised:
        call_command("refresh")
    assert raised.value.returncode == 1
    assert not PersonRecord.objects.exists()


def test_exports_before_any_refresh_are_empty_with_headers(db: None, tmp_path) -> None:
    for what in ("peer-groups", "hotspots", "adults-of-concern"):
        assert export(what, tmp_path) == []
