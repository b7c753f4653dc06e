"""``efh synth_casework --seed S``: write a synthetic casework history for the imported borough.

Run after ``efh import`` and ``efh link`` (and ``efh demo_accounts``, which ``make setup`` runs
first, so that the demo's screener, social worker and team manager have real work). Exit codes:
0 written (or, with ``--if-missing``, casework already there and left alone), 2 refused
(casework already there without ``--replace``, nothing imported, a production database).
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.synth.casework import (
    CaseworkExists,
    CaseworkRefused,
    casework_exists,
    make_casework,
)


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date in the form YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = (
        "Write synthetic casework (screenings, cases, plans, reviews, NRM referrals) for the "
        "imported borough, dated up to today."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--today",
            type=_iso_date,
            default=None,
            help="the day the work is dated up to, YYYY-MM-DD (default: today)",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="delete all casework in the database first (otherwise refused if there is any)",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="when there is casework already, leave it as it is and exit 0 (for make demo)",
        )

    def handle(
        self,
        *args: object,
        seed: int,
        today: date | None,
        replace: bool,
        if_missing: bool,
        **options: object,
    ) -> None:
        if seed < 0:
            raise CommandError("--seed must be zero or more", returncode=2)
        if replace and if_missing:
            raise CommandError("--replace and --if-missing go against each other", returncode=2)
        screenings, cases = casework_exists()
        if if_missing and (screenings or cases):
            if options.get("verbosity"):
                self.stdout.write(
                    f"Casework is there already ({screenings:,} screenings, {cases:,} cases): "
                    "left as it is."
                )
            return
        started = time.monotonic()
        verbose = int(str(options.get("verbosity", 1))) > 1 or self.stderr.isatty()

        def progress(message: str) -> None:
            if verbose:
                elapsed = time.monotonic() - started
                self.stderr.write(f"[{elapsed:6.1f}s] {message}", style_func=lambda m: m)

        try:
            counts = make_casework(seed=seed, today=today, replace=replace, progress=progress)
        except (CaseworkExists, CaseworkRefused) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        seconds = time.monotonic() - started
        if not options.get("verbosity"):
            return
        self.stdout.write(f"Wrote synthetic casework in {seconds:.1f} s:")
        width = max(len(name) for name in counts)
        for name, rows in counts.items():
            self.stdout.write(f"  {name:<{width}}  {rows:>10,}")
