"""``efh refresh``: run the intelligence jobs (network, peer groups, adults linked to several
children, children missing together, hotspots, trends) on the database and store the picture
(docs/intelligence.md). Exit codes: 0 done, 1 refused or failed (the picture was not changed),
2 bad input.
"""

from __future__ import annotations

import dataclasses
import getpass
import time
from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.insight.refresh import RefreshConfig, RefreshRefused, refresh_run


class Command(BaseCommand):
    help = "Refresh the intelligence picture from the partnership's data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--window-days",
            type=int,
            help="only evidence from this many days before the snapshot builds the network "
            "(default: all of it, weighted down by age)",
        )
        parser.add_argument(
            "--as-of",
            help="analyse the data as it stood at the end of this day (YYYY-MM-DD; default now)",
        )

    def handle(self, *args, **options) -> None:
        config = RefreshConfig()
        if options["window_days"] is not None:
            if options["window_days"] < 1:
                raise CommandError("--window-days must be 1 or more.", returncode=2)
            config = dataclasses.replace(
                config,
                network=dataclasses.replace(config.network, window_days=options["window_days"]),
            )
        as_of = None
        if options["as_of"]:
            try:
                day = datetime.strptime(options["as_of"], "%Y-%m-%d")  # noqa: DTZ007
            except ValueError:
                raise CommandError(
                    f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD).", returncode=2
                ) from None
            as_of = day.replace(hour=23, minute=59, second=59, tzinfo=UTC)
        started = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            # One line per stage: the stages are few and short.
            if stage != shown["stage"]:
                shown["stage"] = stage
                self.stderr.write(f"[{time.perf_counter() - started:6.1f}s] {stage}")

        shown = {"stage": ""}
        try:
            outcome = refresh_run(
                started_by=f"efh refresh ({getpass.getuser()})",
                config=config,
                as_of=as_of,
                progress=progress if options["verbosity"] else None,
            )
        except RefreshRefused as refused:
            raise CommandError(f"{refused} The picture was not changed.") from None
        if not options["verbosity"]:
            return
        f = outcome.figures
        self.stdout.write(
            f"Refresh {outcome.run.pk} finished in {time.perf_counter() - started:.1f} s "
            f"(as of {outcome.run.as_of:%Y-%m-%d %H:%M}):"
        )
        self.stdout.write(f"  {f['peer_groups']:,} peer-group candidates")
        self.stdout.write(f"  {f['adults']:,} adults linked to several children")
        self.stdout.write(f"  {f['co_missing']:,} groups of children missing together")
        self.stdout.write(f"  {f['hotspots']:,} hotspots")
        self.stdout.write(f"  {f['trend_tables']:,} trend tables")
        laps = ", ".join(f"{k} {v} s" for k, v in outcome.seconds.items())
        self.stdout.write(f"  time: {laps}")
