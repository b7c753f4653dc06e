"""``efh audit verify``: check the access log's hash chain. Exit 0 intact, 1 tampered."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.core.selectors import access_log_verify


class Command(BaseCommand):
    help = "Audit tools. 'verify' checks that no access-log entry was altered, deleted or inserted."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, action: str, **options) -> None:
        report = access_log_verify()
        for problem in report.problems:
            self.stderr.write(problem)
        if not report.intact:
            raise CommandError(
                f"the access log has been tampered with: {len(report.problems)} problem(s) "
                f"in {report.entries:,} entries",
                returncode=1,
            )
        self.stdout.write(
            f"Access log intact: {report.entries:,} entries; head #{report.head_seq} "
            f"{report.head_hash} (record this hash outside the database to detect later "
            "removal of the newest entries)"
        )
