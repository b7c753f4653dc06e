"""``efh link`` on the platform: a small synthetic borough imported, linked and checked against the
generator's truth; incremental runs; human decisions; bad models; a killed run."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl
import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Q

from efh.ingest.linking import LinkRefused, link_run
from efh.ingest.services import delivery_import
from efh.people.models import (
    HeldBack,
    LinkDecision,
    LinkDecisionKind,
    LinkRun,
    LinkRunKind,
    LinkRunStatus,
    Merge,
    Person,
    PersonRecord,
    ReviewPair,
)
from efh.synth.generator import generate

from .helpers import write_rows

REPO = Path(__file__).resolve().parents[2]
CHILDREN = 600


@pytest.fixture(scope="module")
def borough(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("borough")
    generate(
        folder,
        children=CHILDREN,
        seed=11,
        as_of=date(2026, 10, 31),
        duplicate_rate=0.3,
        activity_scale=0.2,
        progress=None,
    )
    return folder


@pytest.fixture
def model_path(tmp_path: Path, settings) -> Path:
    settings.EFH_LINK_MODEL = tmp_path / "model.json"
    return settings.EFH_LINK_MODEL


@pytest.fixture
def imported(db: None, borough: Path) -> Path:
    delivery_import(path=borough)
    return borough


def truth(borough: Path) -> dict[tuple[str, str], str]:
    with (borough / "truth" / "persons_truth.csv").open(newline="") as handle:
        return {(r["source"], r["source_id"]): r["true_person_id"] for r in csv.DictReader(handle)}


def accuracy(borough: Path) -> tuple[float, float, float]:
    real = truth(borough)
    frame = pl.DataFrame(
        [
            (person, real[(source, source_id)])
            for source, source_id, person in PersonRecord.objects.values_list(
                "source", "source_id", "person_id"
            )
        ],
        schema={"predicted": pl.Int64, "truth": pl.String},
        orient="row",
    )

    def pairs(*by: str) -> int:
        sizes = frame.group_by(list(by)).len()["len"]
        return int((sizes * (sizes - 1) // 2).sum())

    both, predicted, true = pairs("predicted", "truth"), pairs("predicted"), pairs("truth")
    precision, recall = both / predicted, both / true
    return precision, recall, 2 * precision * recall / (precision + recall)


def links() -> dict[int, int]:
    return dict(PersonRecord.objects.values_list("id", "person_id"))


def state() -> tuple:
    """Everything a link run may change."""
    return (
        links(),
        sorted(Merge.objects.values_list("id", "survivor_id", "absorbed_id", "unmerged_at")),
        sorted(ReviewPair.objects.values_list("record_a_id", "record_b_id", "resolved_at")),
        sorted(Person.objects.values_list("id", "merged_into_id")),
    )


def test_linking_the_borough_joins_its_childrens_records_precision_first(imported, model_path):
    before = accuracy(imported)
    children_before = Person.objects.filter(records__is_child=True).distinct().count()

    outcome = link_run(started_by="test")

    precision, recall, f1 = accuracy(imported)
    assert precision >= 0.995, (precision, recall, f1)
    assert f1 >= 0.98, (precision, recall, f1)
    assert recall > before[1] + 0.05  # it found links the strong identifiers alone did not
    assert Person.objects.filter(records__is_child=True).distinct().count() < children_before
    run = outcome.run
    assert run.status == LinkRunStatus.SUCCEEDED and run.trained and run.kind == LinkRunKind.FULL
    assert run.figures["merges"] == Merge.objects.filter(run=run).count() > 0
    assert model_path.exists()
    merge = Merge.objects.filter(run=run).first()
    assert (
        merge.evidence_a_id and merge.evidence_b_id and merge.match_weight >= run.figures["upper"]
    )
    # Every record is kept, with its provenance; absorbed people remain, pointing at the survivor.
    assert PersonRecord.objects.count() == len(truth(imported))
    absorbed = Person.objects.get(pk=merge.absorbed_id)
    assert absorbed.merged_into_id == merge.survivor_id and not absorbed.records.exists()


def test_review_queue_holds_pairs_between_the_thresholds_once_per_pair_of_people(
    imported, model_path
):
    run = link_run(started_by="test").run
    queue = list(ReviewPair.objects.filter(resolved_at__isnull=True))
    assert queue, "a borough with typing errors has doubtful pairs"
    people = set()
    for pair in queue:
        assert run.figures["lower"] <= pair.match_weight
        assert pair.comparison and {"field", "words", "weight"} <= set(pair.comparison[0])
        a, b = pair.record_a.person_id, pair.record_b.person_id
        assert a != b
        assert (min(a, b), max(a, b)) not in people
        people.add((min(a, b), max(a, b)))

    # Run again over everything with the saved model: the same queue, nothing merged twice.
    again = link_run(started_by="test", full=True).run
    assert not again.trained and again.figures["merges"] == 0
    assert ReviewPair.objects.filter(resolved_at__isnull=True).count() == len(queue)


def test_a_new_delivery_is_linked_to_existing_people_without_retraining(
    imported, model_path, tmp_path
):
    link_run(started_by="test")
    saved = model_path.read_bytes()
    child = (
        PersonRecord.objects.filter(is_child=True, source="health")
        .exclude(date_of_birth=None)
        .exclude(addresses=None)
        .first()
    )
    address = child.addresses.order_by("-valid_from").first()
    folder = tmp_path / "youth-club"
    folder.mkdir()
    write_rows(
        folder,
        "persons.csv",
        ["source", "source_id", "given_name", "family_name", "date_of_birth", "sex",
         "address", "postcode", "recorded_at"],
        [["vcs", "VCS-NEW-1", child.given_name, child.family_name.upper(),
          child.date_of_birth.isoformat(), child.sex, address.address, address.postcode,
          "2026-11-20T10:00:00Z"]],
    )  # fmt: skip
    delivery_import(path=folder)
    new = PersonRecord.objects.get(source_id="VCS-NEW-1")
    assert new.person_id != child.person_id  # no shared identifier: the importer cannot tell

    outcome = link_run(started_by="test")

    assert outcome.run.kind == LinkRunKind.INCREMENTAL and not outcome.run.trained
    assert outcome.figures["scored"] == 1
    assert model_path.read_bytes() == saved
    new.refresh_from_db()
    child.refresh_from_db()
    assert new.person_id == child.person_id


def test_a_first_name_only_record_is_never_linked_automatically(imported, model_path, tmp_path):
    link_run(started_by="test")
    child = PersonRecord.objects.filter(is_child=True).exclude(date_of_birth=None).first()
    folder = tmp_path / "thin"
    folder.mkdir()
    write_rows(
        folder,
        "persons.csv",
        ["source", "source_id", "given_name", "family_name", "recorded_at"],
        [["community_safety", "CS-THIN-1", child.given_name, child.family_name,
          "2026-11-20T10:00:00Z"]],
    )  # fmt: skip
    delivery_import(path=folder)
    thin = PersonRecord.objects.get(source_id="CS-THIN-1")

    link_run(started_by="test", upper=-100.0, lower=-200.0)  # even with absurd thresholds

    thin.refresh_from_db()
    assert PersonRecord.objects.filter(person_id=thin.person_id).count() == 1
    queued = ReviewPair.objects.filter(Q(record_a=thin) | Q(record_b=thin))
    assert queued.exists()  # it goes to a person instead, who is told why
    assert set(queued.values_list("held_back", flat=True)) == {HeldBack.NAMES_ONLY}


def test_a_record_matching_two_people_who_cannot_be_one_goes_to_a_person(
    imported, model_path, tmp_path
):
    """Two brothers of one name and address, born seven years apart, and a police record of
    that name and address with no date of birth: it matches both equally, so it joins neither
    and its pairs are queued, saying why."""
    folder = tmp_path / "brothers"
    folder.mkdir()
    head = [
        "source",
        "source_id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "upn",
        "nhs_number",
        "address",
        "postcode",
        "recorded_at",
    ]
    home = ["14 Quillfeather Row", "E8 4QQ", "2026-11-20T10:00:00Z"]
    write_rows(folder, "persons.csv", head, [
        ["education", "ED-BRO-1", "Barnaby", "Quillfeather", "2015-11-06", "M", "N204200019840",
         "", *home],
        ["health", "HE-BRO-2", "Barnaby", "Quillfeather", "2022-07-17", "M", "", "9996057569",
         *home],
        ["police", "PN-BRO-3", "Barnaby", "Quillfeather", "", "M", "", "", *home],
    ])  # fmt: skip
    delivery_import(path=folder)

    link_run(started_by="test", upper=-100.0, lower=-200.0)  # even with absurd thresholds

    one, two, police = (PersonRecord.objects.get(source_id=f"{p}-BRO-{n}")
                        for p, n in (("ED", 1), ("HE", 2), ("PN", 3)))  # fmt: skip
    assert len({one.person_id, two.person_id, police.person_id}) == 3
    queued = ReviewPair.objects.filter(
        record_a__in=[one, two, police], record_b__in=[one, two, police]
    )
    assert HeldBack.CONTRADICTS in set(queued.values_list("held_back", flat=True))


def test_a_human_different_people_decision_is_never_overridden(imported, model_path, demo):
    from efh.people.services.linking import merge_undo

    run = link_run(started_by="test").run
    merge = Merge.objects.filter(run=run).order_by("id").first()
    merge_undo(actor=demo["screener"], merge=merge, reason="two different boys")
    decision = LinkDecision.objects.get(decision=LinkDecisionKind.DIFFERENT)
    apart = (decision.record_a.person_id, decision.record_b.person_id)
    assert apart[0] != apart[1]

    link_run(started_by="test", full=True)
    link_run(started_by="test", retrain=True)

    decision.record_a.refresh_from_db()
    decision.record_b.refresh_from_db()
    assert decision.record_a.person_id != decision.record_b.person_id


def test_a_corrupt_or_foreign_model_is_refused_and_changes_nothing(imported, model_path):
    link_run(started_by="test")
    before = state()
    for text in ("{not json", '{"link_type": "dedupe_only"}', ""):
        model_path.write_text(text)
        with pytest.raises(LinkRefused) as refused:
            link_run(started_by="test", full=True)
        assert str(model_path) in str(refused.value) or "model" in str(refused.value)
        assert state() == before
    failed = LinkRun.objects.filter(status=LinkRunStatus.FAILED)
    assert failed.count() == 3 and all(r.message for r in failed)

    with pytest.raises(CommandError, match="No link was changed"):
        call_command("link", "--all", verbosity=0)


def test_thresholds_the_wrong_way_round_are_refused(imported, model_path):
    with pytest.raises(LinkRefused, match="lower threshold"):
        link_run(started_by="test", upper=1.0, lower=5.0)


def test_command_prints_what_it_did(imported, model_path, capsys):
    call_command("link")
    out = capsys.readouterr().out
    assert "trained a new model" in out and "people merged" in out and "review queue" in out


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="holds PostgreSQL's access-log lock from a second connection",
)
def test_a_run_killed_while_writing_leaves_every_link_as_it_was(borough, tmp_path, settings):
    """Kill ``efh link`` in the middle of its write transaction: it has already moved records
    when it waits for the access-log lock this test holds. Nothing of it may survive."""
    from efh.core.services import CHAIN_LOCK

    delivery_import(path=borough)
    before = state()
    name = connection.settings_dict["NAME"]
    url = f"postgres://postgres@127.0.0.1:5432/{name}"
    env = {**os.environ, "DATABASE_URL": url, "EFH_LINK_MODEL": str(tmp_path / "model.json")}
    # Polled from its own connection: within a transaction, pg_stat_activity is read once.
    with (
        psycopg.connect(url, autocommit=False) as blocker,
        psycopg.connect(url, autocommit=True) as watcher,
    ):
        blocker.execute(CHAIN_LOCK)  # held until this transaction ends
        process = subprocess.Popen(
            [str(Path(sys.executable).parent / "efh"), "link"], env=env,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 240
            while time.monotonic() < deadline and process.poll() is None:
                waiting = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                    "AND wait_event_type = 'Lock' AND query LIKE %s",
                    [name, "%pg_advisory_xact_lock%"],
                ).fetchone()[0]
                if waiting:
                    break
                time.sleep(0.2)
            else:
                pytest.fail("efh link never reached its write transaction")
            moved = watcher.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE a.datname = %s AND l.mode = 'RowExclusiveLock'",
                [name],
            ).fetchone()[0]
            assert moved, "the run had begun writing when it was killed"
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
        blocker.rollback()
    # The server notices the dead client and rolls its transaction back.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with psycopg.connect(url) as probe:
            if not probe.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND state <> 'idle' "
                "AND pid <> pg_backend_pid()",
                [name],
            ).fetchone()[0]:
                break
        time.sleep(0.2)
    assert state() == before
    run = LinkRun.objects.get()
    assert run.status == LinkRunStatus.RUNNING
    assert not (tmp_path / "model.json").exists()  # saved only once the links are written
    # The next run sees the dead process, marks its run interrupted, and goes ahead.
    outcome = link_run(started_by="test", model_path=tmp_path / "model.json")
    run.refresh_from_db()
    assert run.status == LinkRunStatus.INTERRUPTED
    assert outcome.run.status == LinkRunStatus.SUCCEEDED


def test_a_decided_pair_is_never_asked_again(imported, model_path, demo):
    from efh.people.services.linking import link_decide

    link_run(started_by="test")
    queued = list(ReviewPair.objects.filter(resolved_at__isnull=True).order_by("id")[:2])
    assert len(queued) == 2
    for pair, decision in zip(queued, ("not_sure", "different"), strict=True):
        link_decide(
            actor=demo["screener"],
            record_a_id=pair.record_a_id,
            record_b_id=pair.record_b_id,
            decision=decision,
            note="checked",
        )
    decided = {(p.record_a_id, p.record_b_id) for p in queued}

    link_run(started_by="test", full=True)
    link_run(started_by="test", retrain=True)

    still_open = set(
        ReviewPair.objects.filter(resolved_at__isnull=True).values_list(
            "record_a_id", "record_b_id"
        )
    )
    assert not decided & still_open - {(queued[0].record_a_id, queued[0].record_b_id)}
    # "Not sure" is not asked again of the queue, and stays on the list for a second reviewer.
    from efh.people.selectors.linking import not_sure_pairs, open_pairs

    assert [p.pk for p in not_sure_pairs()] == [queued[0].pk]
    assert not {p.pk for p in open_pairs()} & {q.pk for q in queued}
    different = queued[1]
    different.record_a.refresh_from_db()
    different.record_b.refresh_from_db()
    assert different.record_a.person_id != different.record_b.person_id


@pytest.mark.spark
def test_the_saved_model_links_the_same_on_spark(imported, model_path):
    link_run(started_by="test")
    on_duckdb = link_run(started_by="test", full=True).figures

    on_spark = link_run(started_by="test", full=True, engine="spark").figures

    assert (
        on_spark["pairs"] == on_duckdb["pairs"]
        and on_spark["strong_pairs"] == on_duckdb["strong_pairs"]
    )
    assert on_spark["merges"] == 0 and on_spark["review_withdrawn"] == 0


def test_an_import_never_splits_people_that_linkage_joined(imported, model_path, tmp_path):
    link_run(started_by="test")
    before = links()
    folder = tmp_path / "later"
    folder.mkdir()
    write_rows(
        folder,
        "persons.csv",
        ["source", "source_id", "given_name", "family_name", "recorded_at"],
        [["vcs", "VCS-LATER-1", "Zebedee", "Quill", "2026-11-20T10:00:00Z"]],
    )
    delivery_import(path=folder)

    after = links()
    assert {pk: after[pk] for pk in before} == before


def test_a_record_bridging_two_people_brings_all_their_records_together(
    imported, model_path, tmp_path
):
    link_run(started_by="test")
    # A person linkage made: a record with an NHS number and one with no identifier at all.
    bare = PersonRecord.objects.filter(nhs_number="", upn="", pnc_id="")
    person = next(
        p
        for p in Person.objects.filter(merges_in__unmerged_at__isnull=True).distinct()
        if p.records.exclude(nhs_number="").exists() and bare.filter(person=p).exists()
    )
    nhs = person.records.exclude(nhs_number="").first().nhs_number
    # Another person, with an older (smaller) id, so that it is the one the bridge keeps.
    other = (
        PersonRecord.objects.exclude(upn="")
        .filter(nhs_number="", person_id__lt=person.pk)
        .order_by("person_id")
        .first()
    )
    folder = tmp_path / "bridge"
    folder.mkdir()
    write_rows(
        folder,
        "persons.csv",
        ["source", "source_id", "given_name", "family_name", "nhs_number", "upn", "recorded_at"],
        [["social_care", "SC-BRIDGE-1", other.given_name, other.family_name, nhs, other.upn,
          "2026-11-20T10:00:00Z"]],
    )  # fmt: skip
    held = {r.pk for r in person.records.all()} | {r.pk for r in other.person.records.all()}

    delivery_import(path=folder)

    bridge = PersonRecord.objects.get(source_id="SC-BRIDGE-1")
    assert set(PersonRecord.objects.filter(pk__in=held).values_list("person_id", flat=True)) == {
        bridge.person_id
    }
