"""``efh link``: link person records across and within sources (docs/linkage.md).

With no saved model it trains one on the partnership's own records, saves it and links every
record. With a saved model and an earlier run it links only the records that are new or changed
since (no retraining). ``--all`` scores every record again with the saved model; ``--retrain``
trains a new model first. Exit codes: 0 done, 1 refused or failed (no link was changed).
"""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.ingest.linking import LinkRefused, link_run


class Command(BaseCommand):
    help = "Link person records (Splink): merge sure matches, queue doubtful ones for review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--retrain", action="store_true", help="train a new model (and save it) first"
        )
        parser.add_argument(
            "--all",
            action="store_true",
            dest="full",
            help="score every record, not only those new or changed since the last run",
        )
        parser.add_argument(
            "--engine",
            choices=["duckdb", "spark"],
            default="duckdb",
            help="where Splink scores the pairs (default duckdb; spark runs pyspark locally)",
        )
        parser.add_argument("--model", type=Path, help="saved model file (default EFH_LINK_MODEL)")
        parser.add_argument("--upper", type=float, help="match weight to link automatically at")
        parser.add_argument("--lower", type=float, help="match weight to queue for review at")

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        terminal = sys.stderr.isatty()
        shown = {"stage": ""}

        def progress(stage: str, done: int, total: int) -> None:
            elapsed = time.perf_counter() - started
            if stage != shown["stage"]:
                if terminal and shown["stage"]:
                    self.stderr.write("")
                shown["stage"] = stage
                if not terminal:
                    self.stderr.write(f"[{elapsed:6.1f}s] {stage}")
            if terminal:
                part = f" {done:,}/{total:,} ({100 * done // total}%)" if total else ""
                self.stderr.write(f"\r[{elapsed:6.1f}s] {stage}{part}\033[K", ending="")
                self.stderr.flush()

        try:
            outcome = link_run(
                started_by=f"efh link ({getpass.getuser()})",
                retrain=options["retrain"],
                full=options["full"],
                engine=options["engine"],
                upper=options["upper"],
                lower=options["lower"],
                model_path=options["model"],
                progress=progress if options["verbosity"] else None,
            )
        except LinkRefused as refused:
            if terminal:
                self.stderr.write("")
            raise CommandError(f"{refused} No link was changed.") from None
        if terminal and options["verbosity"]:
            self.stderr.write("")
        if not options["verbosity"]:
            return
        f, run = outcome.figures, outcome.run
        how = "trained a new model, then " if run.trained else ""
        self.stdout.write(
            f"Link run {run.pk} ({run.get_kind_display().lower()}): {how}scored "
            f"{f['scored']:,} of {f['records']:,} records in {time.perf_counter() - started:.1f} s"
        )
        self.stdout.write(
            f"  {f['pairs']:,} candidate pairs at or above weight {f['lower']:g}; "
            f"{f['strong_pairs']:,} at or above {f['upper']:g}"
        )
        self.stdout.write(f"  {f['merges']:,} people merged into others")
        self.stdout.write(
            f"  {f['review_added']:,} pairs added to the review queue"
            + (f", {f['review_withdrawn']:,} withdrawn" if f["review_withdrawn"] else "")
        )
        stages = ", ".join(f"{k} {v:.1f} s" for k, v in outcome.seconds.items())
        self.stdout.write(f"  time: {stages}")
