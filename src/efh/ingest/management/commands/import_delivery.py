"""``efh import DIR``: validate and load a delivery (formats/EXCHANGE.md).

Exit codes: 0 stored (or already stored), 2 the delivery has invalid rows and nothing was
stored, 1 anything else went wrong (nothing was stored either: the load is one transaction).
With ``--queue`` the import is queued for the task worker (``efh db_worker``) instead, as the
task ``efh.ingest.tasks.import_delivery`` (the same code), and the command returns at once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.ingest.services import DeliveryRejected, delivery_import
from efh.ingest.tasks import import_delivery as import_task

# Beyond this many problems the rest are summarised (all are written with --problems-out).
SHOWN_PROBLEMS = 200


class Command(BaseCommand):
    help = "Validate a delivery folder and store all of it, or nothing if any row is invalid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path, help="folder holding the exchange CSV files")
        parser.add_argument(
            "--problems-out",
            type=Path,
            help="also write every problem found to this CSV file (file, line, column, reason)",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="queue the import for the task worker (efh db_worker) instead of running it here",
        )

    def handle(
        self, *args, directory: Path, problems_out: Path | None, queue: bool = False, **options
    ) -> None:
        if queue:
            if not directory.is_dir():
                raise CommandError(f"{directory}: no such folder.", returncode=2)
            queued = import_task.enqueue(str(directory.resolve()))
            self.stdout.write(
                f"Queued the import of {directory} as task {queued.id}; "
                "`efh db_worker` runs it (nothing is stored until then)."
            )
            return
        terminal = sys.stderr.isatty()
        started = time.perf_counter()

        def progress(message: str) -> None:
            if terminal:
                elapsed = time.perf_counter() - started
                self.stderr.write(f"[{elapsed:6.1f}s] {message}…")

        try:
            result = delivery_import(path=directory, progress=progress)
        except DeliveryRejected as rejected:
            problems = rejected.problems
            for warning in rejected.checked.warnings:
                self.stderr.write(f"warning: {warning}")
            for problem in problems[:SHOWN_PROBLEMS]:
                self.stderr.write(str(problem))
            if len(problems) > SHOWN_PROBLEMS:
                self.stderr.write(f"… and {len(problems) - SHOWN_PROBLEMS:,} more problem(s)")
            if problems_out:
                _write_problems(problems_out, problems)
            raise CommandError(
                f"{directory}: {len(problems):,} problem(s) found; nothing from this delivery "
                "was stored. Correct the rows above and send the delivery again.",
                returncode=2,
            ) from None
        seconds = time.perf_counter() - started
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if result.already_imported:
            self.stdout.write(
                f"{directory}: this delivery was already imported "
                f"(delivery {result.delivery.pk}, {result.delivery.received_at:%Y-%m-%d %H:%M}); "
                "nothing changed."
            )
            return
        self.stdout.write(f"Imported {directory} as delivery {result.delivery.pk}:")
        width = max((len(k) for k in result.counts), default=0)
        for kind, count in result.counts.items():
            self.stdout.write(
                f"  {kind:<{width}}  {count['new']:>9,} new  {count['changed']:>7,} changed  "
                f"{count['unchanged']:>9,} unchanged"
            )
        rate = result.total_rows / seconds if seconds else 0
        self.stdout.write(f"  {result.total_rows:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s)")


def _write_problems(path: Path, problems: list) -> None:
    import csv

    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file", "line", "column", "reason"])
        writer.writerows((p.file, p.line, p.column, p.reason) for p in problems)


__all__ = ["Command", "CommandError"]
