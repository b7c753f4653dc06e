from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.contexts.services import WardFileError, wards_load


class Command(BaseCommand):
    help = (
        "Load the partnership's wards (code, name, latitude, longitude); City & Hackney by default."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, help="CSV of wards; the packaged Hackney wards if omitted"
        )

    def handle(self, *args, file: Path | None, **options) -> None:
        try:
            created, updated = wards_load(path=file)
        except (WardFileError, OSError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if options["verbosity"]:
            self.stdout.write(f"Wards: {created} created, {updated} updated")
