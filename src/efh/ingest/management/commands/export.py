"""``efh export WHAT --out FILE``: CSV exports of the exchange format's command-line contract.

Every text value is neutralised against spreadsheet formula injection (see ``efh.core.csv``).
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from efh.casework import exports as casework_exports
from efh.core.csv import write_csv
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.ingest import exports
from efh.insight import exports as insight_exports

EXPORTS = {
    "persons": exports.persons,
    "peer-groups": insight_exports.peer_groups,
    "hotspots": insight_exports.hotspots,
    "adults-of-concern": insight_exports.adults_of_concern,
    "screenings": casework_exports.screenings,
    "cases": casework_exports.cases,
    "plans": casework_exports.plans,
    "reviews": casework_exports.reviews,
    "nrm-referrals": casework_exports.nrm_referrals,
}


class Command(BaseCommand):
    help = "Export platform data as CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", help="what to export: " + ", ".join(EXPORTS))
        parser.add_argument("--out", type=Path, required=True, help="CSV file to write")

    def handle(self, *args, what: str, out: Path, **options) -> None:
        if what not in EXPORTS:
            raise CommandError(
                f"cannot export {what!r}: available exports are {', '.join(EXPORTS)}",
                returncode=2,
            )
        header, rows = EXPORTS[what]()
        with transaction.atomic():
            count = write_csv(out, header, rows)
            access_log_record(
                actor=None,
                action=AccessAction.EXPORT,
                object_type=ObjectType.EXPORT,
                object_id=what,
                fields=list(header),
                detail={"rows": count, "file": str(out)},
            )
        self.stdout.write(f"Wrote {count:,} {what} rows to {out}")
