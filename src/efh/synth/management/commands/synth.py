"""``efh synth --children N --seed S --out DIR``: write a synthetic borough delivery with its truth.

Exit codes: 0 written, 2 bad input (including an ``--out`` folder that holds something other
than a previous synth output, which is never overwritten).
"""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.synth.generator import generate, is_synth_output


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date in the form YYYY-MM-DD"
        ) from None


class Command(BaseCommand):
    help = "Write a synthetic borough: a delivery in the exchange format plus its truth/ folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--children", type=int, default=5000, help="children (default 5000)")
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument("--out", type=Path, required=True, help="folder to write")
        parser.add_argument(
            "--as-of",
            type=_iso_date,
            default=date(2026, 10, 31),
            help="the day the delivery is made, YYYY-MM-DD (default 2026-10-31)",
        )
        parser.add_argument(
            "--duplicate-rate",
            type=float,
            default=0.3,
            help="share of children with more than one record (default 0.3)",
        )
        parser.add_argument(
            "--activity-scale",
            type=float,
            default=1.0,
            help="multiplies the rate of background events (default 1.0, about three events "
            "per child over two years; more than 0, at most 50)",
        )

    def handle(
        self,
        *args: object,
        children: int,
        seed: int,
        out: Path,
        as_of: date,
        duplicate_rate: float,
        activity_scale: float,
        **options: object,
    ) -> None:
        if children < 50:
            raise CommandError("--children must be at least 50", returncode=2)
        if seed < 0:
            raise CommandError("--seed must be zero or more", returncode=2)
        if not 0.0 <= duplicate_rate <= 1.0:
            raise CommandError("--duplicate-rate must be between 0 and 1", returncode=2)
        if not 0.0 < activity_scale <= 50.0:
            raise CommandError("--activity-scale must be more than 0 and at most 50", returncode=2)
        if not date(1990, 1, 1) <= as_of <= date(2100, 12, 31):
            raise CommandError("--as-of must be between 1990-01-01 and 2100-12-31", returncode=2)
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is a file, not a folder", returncode=2)
        if out.is_dir() and any(out.iterdir()) and not is_synth_output(out):
            raise CommandError(
                f"--out {out} is not empty and does not hold a previous synth output "
                "(no truth/manifest.json): choose an empty or new folder",
                returncode=2,
            )
        started = time.monotonic()
        progress = None
        if self.stderr.isatty():

            def progress(message: str) -> None:
                elapsed = time.monotonic() - started
                self.stderr.write(f"[{elapsed:6.1f}s] {message}", style_func=lambda m: m)

        counts = generate(
            out,
            children=children,
            seed=seed,
            as_of=as_of,
            duplicate_rate=duplicate_rate,
            activity_scale=activity_scale,
            progress=progress,
        )
        self.stdout.write(f"Wrote a synthetic borough of {children:,} children to {out}")
        width = max(len(name) for name in counts)
        for name, rows in counts.items():
            self.stdout.write(f"  {name:<{width}}  {rows:>10,}")
