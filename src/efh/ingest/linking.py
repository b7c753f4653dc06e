"""``efh link``: person records from the database, through the linkage engine, and back.

The engine (:mod:`efh.intelligence.linkage`, Splink) is pure: it takes frames and returns scored
pairs and merge plans. This module is the job around it:

1. refuse if another run is going (one writer of links at a time);
2. read every person record (one query per table, see ``selectors.link_records``);
3. load the saved model, or train one (first run, or ``--retrain``) and save it;
4. score pairs: all records (a full run), or only new and changed records against the rest
   (an incremental run, Splink's ``predict_between``: no retraining);
5. plan merges: pairs at or above the upper threshold that the engine allows to link
   automatically, clustered per person, never joining people a person decided are different;
6. put the pairs between the thresholds (and strong pairs with too little to compare) on the
   clerical review queue, one per pair of people, skipping pairs already decided;
7. write merges, the queue and the run's figures in ONE transaction.

Everything before step 7 only reads, so a failure, a corrupt model, or the process being killed
leaves every link exactly as it was. Progress goes to the terminal (the command) and to the
``LinkRun`` row the web page polls.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from efh.core.jobs import Laps, Progress, RunTracker, still_running
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.ingest import selectors
from efh.intelligence import linkage
from efh.intelligence.linkage.consistency import consistent_plans
from efh.people.models import HeldBack, LinkRun, LinkRunKind, LinkRunStatus, ReviewPair
from efh.people.selectors.linking import HEARTBEAT_TIMEOUT
from efh.people.services.linking import persons_merge_run


class LinkRefused(Exception):
    """The run could not start or could not finish; no link was changed."""


@dataclass
class LinkOutcome:
    run: LinkRun
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


def _running() -> LinkRun | None:
    """A link run still going, if any. One whose process is gone (same machine, no such
    process) or whose heartbeat stopped is marked interrupted on the way: its links were never
    written, since a run writes them all in one transaction at the end."""
    return still_running(
        selectors.link_runs_running(),
        timeout=HEARTBEAT_TIMEOUT,
        interrupted=LinkRunStatus.INTERRUPTED,
    )


def _thresholds(
    model: linkage.LinkModel, upper: float | None, lower: float | None
) -> tuple[float, float]:
    default = model.thresholds
    up = upper if upper is not None else settings.EFH_LINK_UPPER
    low = lower if lower is not None else settings.EFH_LINK_LOWER
    up = default.upper if up is None else up
    low = default.lower if low is None else low
    if low > up:
        raise LinkRefused(f"The lower threshold ({low}) is above the upper one ({up}).")
    return up, low


def link_run(
    *,
    started_by: str,
    retrain: bool = False,
    full: bool = False,
    engine: str = "duckdb",
    upper: float | None = None,
    lower: float | None = None,
    model_path: Path | None = None,
    progress: Progress | None = None,
) -> LinkOutcome:
    """Link person records; see the module docstring. Raises :class:`LinkRefused`."""
    path = Path(model_path or settings.EFH_LINK_MODEL)
    running = _running()
    if running is not None:
        raise LinkRefused(
            f"Link run {running.pk} is still running (started {running.started_at:%H:%M}); "
            "wait for it to finish."
        )
    last = selectors.link_last_run()
    incremental = not (retrain or full or last is None or not path.exists())
    now = timezone.now()
    run = LinkRun.objects.create(
        kind=LinkRunKind.INCREMENTAL if incremental else LinkRunKind.FULL,
        started_by=started_by[:150],
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=now,
        heartbeat_at=now,
        trained=False,
    )
    track = RunTracker(run, progress)
    try:
        return _link(run, track, path, retrain, incremental, last, engine, upper, lower)
    except Exception as exc:
        message = str(exc) if isinstance(exc, LinkRefused | linkage.LinkModelError) else repr(exc)
        track.fail(LinkRunStatus.FAILED, message)
        if isinstance(exc, linkage.LinkModelError):
            raise LinkRefused(str(exc)) from exc
        raise


def _link(
    run: LinkRun,
    track: RunTracker,
    path: Path,
    retrain: bool,
    incremental: bool,
    last: LinkRun | None,
    engine: str,
    upper: float | None,
    lower: float | None,
) -> LinkOutcome:
    lap = Laps()
    seconds = lap.seconds

    track("reading person records")
    records = selectors.link_records()
    lap("read")
    if records.is_empty():
        raise LinkRefused("There are no person records to link: import a delivery first.")
    max_record = int(records["unique_id"].max())  # type: ignore[arg-type]
    max_delivery = records["delivery_id"].max()
    max_delivery_id = int(max_delivery) if isinstance(max_delivery, int | float) else None
    inputs = records.select(list(linkage.INPUT_SCHEMA))

    if path.exists() and not retrain:
        track("loading the saved model")
        model = linkage.LinkModel.load(path)
    else:
        model = linkage.train(inputs, progress=track)
        run.trained = True
        lap("train")
    up, low = _thresholds(model, upper, lower)

    if incremental:
        assert last is not None
        is_new = (pl.col("unique_id") > (last.max_record_id or 0)) | (
            pl.col("delivery_id").fill_null(0) > (last.max_delivery_id or 0)
        )
        new_ids = records.filter(is_new)["unique_id"]
        new = inputs.filter(pl.col("unique_id").is_in(new_ids.implode()))
        existing = inputs.filter(~pl.col("unique_id").is_in(new_ids.implode()))
        track(f"scoring {new.height:,} new or changed records against {existing.height:,}")
        pairs = (
            linkage.predict_new(existing, new, model, threshold_weight=low, progress=track)
            if new.height
            else _no_pairs()
        )
    else:
        track(f"scoring pairs among {inputs.height:,} records")
        timings: dict[str, float] = {}
        pairs = linkage.predict(
            inputs, model, engine=engine, threshold_weight=low, progress=track, timings=timings
        )
        if "splink_predict" in timings:  # Splink's own predict step, inside the predict stage
            seconds["splink_predict"] = round(timings["splink_predict"], 2)
    lap("predict")

    person_of: dict[int, int] = dict(
        zip(records["unique_id"].to_list(), records["person_id"].to_list(), strict=True)
    )
    apart_records = selectors.link_decided_apart()
    cannot_link = {
        (person_of[a], person_of[b]) for a, b in apart_records if a in person_of and b in person_of
    }
    strong = pairs.filter((pl.col("match_weight") >= up) & pl.col("auto_allowed"))
    track(f"clustering {strong.height:,} strong pairs")
    plans, ambiguous = consistent_plans(
        strong, records=records, person_of=person_of, upper=up, cannot_link=cannot_link
    )
    if ambiguous.height:  # matched two people who cannot be one: a person decides
        is_ambiguous = pl.struct("unique_id_l", "unique_id_r").is_in(
            ambiguous.select(pl.struct("unique_id_l", "unique_id_r")).to_series().implode()
        )
        pairs = pairs.with_columns(
            auto_allowed=pl.col("auto_allowed") & ~is_ambiguous, ambiguous=is_ambiguous
        )
    lap("cluster")

    final = {p.absorbed_id: p.survivor_id for p in plans}

    def person(record_id: int) -> int:
        p = person_of[record_id]
        return final.get(p, p)

    decided = selectors.link_decided_pairs()
    review = _review_candidates(pairs, up, low, person, cannot_link, final, decided)
    lap("review")

    track(f"writing {len(plans):,} merges and {len(review):,} pairs to review")
    with transaction.atomic():
        merged = (
            persons_merge_run(plans=plans, run=run, reason=f"link run {run.pk}: matched records")
            if plans
            else None
        )
        queued, withdrawn = _write_review(run, review, decided, up=up, replace=not incremental)
        figures = {
            "records": records.height,
            "scored": inputs.height if not incremental else int(new.height),
            "pairs": pairs.height,
            "strong_pairs": strong.height,
            "merges": merged.merges if merged else 0,
            "review_added": queued,
            "review_withdrawn": withdrawn,
            "upper": up,
            "lower": low,
            "seconds": seconds,
        }
        run.status = LinkRunStatus.SUCCEEDED
        run.finished_at = run.heartbeat_at = timezone.now()
        run.stage = "finished"
        run.done = run.total = 0
        run.figures = figures
        run.max_record_id = max_record
        run.max_delivery_id = max_delivery_id
        run.save()
        access_log_record(
            actor=None,
            action=AccessAction.UPDATE,
            object_type=ObjectType.LINK_RUN,
            object_id=run.pk,
            detail={k: v for k, v in figures.items() if k != "seconds"} | {"kind": run.kind},
        )
    lap("write")
    figures["seconds"] = seconds  # the write's own time, known only once it has committed
    LinkRun.objects.filter(pk=run.pk).update(figures=figures)
    if run.trained:
        track("saving the model")
        model.save(path)
    return LinkOutcome(run=run, figures=figures, seconds=seconds)


def _no_pairs() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "unique_id_l": pl.Int64,
            "unique_id_r": pl.Int64,
            "match_weight": pl.Float64,
            "match_probability": pl.Float64,
            "auto_allowed": pl.Boolean,
        }
    )


def _review_candidates(
    pairs: pl.DataFrame,
    up: float,
    low: float,
    person: Callable[[int], int],
    cannot_link: set[tuple[int, int]],
    final: dict[int, int],
    decided: set[tuple[int, int]],
) -> list[dict[str, Any]]:
    """The pairs to put to a person: between the thresholds, or strong but with too little to
    compare; once the planned merges are made their people still differ; not already decided;
    and only the best pair for each pair of people."""
    band = pairs.filter(
        ((pl.col("match_weight") >= low) & (pl.col("match_weight") < up))
        | ((pl.col("match_weight") >= up) & ~pl.col("auto_allowed"))
    ).sort("match_weight", descending=True)
    if band.is_empty():
        return []
    apart = {(final.get(a, a), final.get(b, b)) for a, b in cannot_link}
    apart |= {(b, a) for a, b in apart}
    seen: set[tuple[int, int]] = set()
    chosen = []
    for row in band.iter_rows(named=True):
        a, b = row["unique_id_l"], row["unique_id_r"]
        if (a, b) in decided:
            continue
        pa, pb = person(a), person(b)
        if pa == pb or (pa, pb) in apart:
            continue
        key = (min(pa, pb), max(pa, pb))
        if key in seen:
            continue
        seen.add(key)
        chosen.append(row)
    return chosen


def _held_back(row: dict[str, Any], up: float) -> str:
    """Why a queued pair at or above the upper threshold was not linked automatically (a
    ``HeldBack`` key; empty for a pair below it, whose weight says why)."""
    if row["match_weight"] < up:
        return ""
    if row.get("ambiguous"):
        return HeldBack.CONTRADICTS
    return linkage.held_back(row)


def _write_review(
    run: LinkRun,
    rows: list[dict[str, Any]],
    decided: set[tuple[int, int]],
    *,
    up: float,
    replace: bool,
) -> tuple[int, int]:
    """Queue the chosen pairs (updating ones already open). A full run replaces the open queue:
    open pairs it did not choose again are withdrawn (deleted: no one had decided them, and
    decisions are kept apart in ``LinkDecision``). Returns (added, withdrawn)."""
    open_pairs = selectors.link_open_review_pairs()
    now = timezone.now()
    chosen = {(r["unique_id_l"], r["unique_id_r"]): r for r in rows}
    withdrawn = 0
    if replace:  # (a pair someone marked "not sure" stays, on the list for a second reviewer)
        stale = [pk for key, pk in open_pairs.items() if key not in chosen and key not in decided]
        for start in range(0, len(stale), 500):
            withdrawn += ReviewPair.objects.filter(pk__in=stale[start : start + 500]).delete()[0]
    new, updated = [], []
    for key, row in chosen.items():
        values = {
            "match_weight": float(row["match_weight"]),
            "match_probability": float(row["match_probability"]),
            "comparison": linkage.explain(row),
            "held_back": _held_back(row, up),
            "run": run,
        }
        if key in open_pairs:
            updated.append(ReviewPair(pk=open_pairs[key], **values))
        else:
            new.append(ReviewPair(record_a_id=key[0], record_b_id=key[1], created_at=now, **values))
    # A pair once resolved (linked by other means) and scored again is not re-queued.
    resolved = set(
        ReviewPair.objects.filter(resolved_at__isnull=False).values_list(
            "record_a_id", "record_b_id"
        )
    )
    new = [p for p in new if (p.record_a_id, p.record_b_id) not in resolved]
    ReviewPair.objects.bulk_create(new, batch_size=1000)
    ReviewPair.objects.bulk_update(
        updated,
        ["match_weight", "match_probability", "comparison", "held_back", "run"],
        batch_size=1000,
    )
    return len(new), withdrawn
