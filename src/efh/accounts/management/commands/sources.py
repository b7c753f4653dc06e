"""``efh sources``: the sending systems the partnership takes deliveries from.

efh sources                                             every source, its name and agency
efh sources list                                        the same
efh sources add CODE --name "Name" [--agency AGENCY]    configure a new source (or rename one,
                                                        or give it an agency)
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.accounts import services
from efh.core.models import Source


class Command(BaseCommand):
    help = "List the configured sources (sending systems), or add one."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "add"], default="list")
        parser.add_argument("code", nargs="?", help="the source's code (for add)")
        parser.add_argument("--name", default="", help="the source's name")
        parser.add_argument("--agency", default="", help="the code of the agency that owns it")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for source in Source.objects.select_related("agency").order_by("code"):
                agency = source.agency.code if source.agency else "no agency"
                self.stdout.write(f"{source.code:<24} {source.name} ({agency})")
            return
        if not options["code"]:
            raise CommandError('efh sources add CODE --name "Name" [--agency AGENCY]')
        try:
            source = services.source_add(
                code=options["code"], name=options["name"], agency_code=options["agency"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        agency = source.agency.name if source.agency else "no agency"
        self.stdout.write(f"{source.code}: {source.name} ({agency})")
