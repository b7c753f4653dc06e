"""``efh closure-days``: days the partnership's services are closed beyond England and Wales bank
holidays; no due date counts them as working days (``efh.core.calendar``).

efh closure-days list [--all]            closure days from today on (every one with --all)
efh closure-days add YYYY-MM-DD NAME     a closure day, e.g. add 2026-12-29 "Council closure"
efh closure-days remove YYYY-MM-DD       make the day a working day again

Due dates already set are not moved by a later change.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.casework.services.closure_days import (
    ClosureDayError,
    closure_day_add,
    closure_day_remove,
    parse_day,
)
from efh.core import clock
from efh.core.calendar import Calendar
from efh.core.models import ClosureDay


class Command(BaseCommand):
    help = "List, add or remove the partnership's closure days."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="list|add|remove")
        listing = sub.add_parser("list", help="list closure days")
        listing.add_argument("--all", action="store_true", help="past ones too")
        add = sub.add_parser("add", help="add a closure day")
        add.add_argument("day", help="the day, YYYY-MM-DD")
        add.add_argument("name", nargs="+", help="what the closure is, e.g. Council closure")
        remove = sub.add_parser("remove", help="remove a closure day")
        remove.add_argument("day", help="the day, YYYY-MM-DD")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "add":
                added = closure_day_add(
                    actor=None, day=parse_day(options["day"]), name=" ".join(options["name"])
                )
                self.stdout.write(f"Added closure day {added.closure}")
                if added.note:
                    self.stdout.write(f"Note: {added.note}")
            elif options["action"] == "remove":
                removed = closure_day_remove(actor=None, day=parse_day(options["day"]))
                self.stdout.write(f"Removed closure day {removed}")
            else:
                self.list(everything=options["all"])
        except ClosureDayError as error:
            raise CommandError(str(error), returncode=2) from error  # 2: bad input

    def list(self, *, everything: bool) -> None:
        days = ClosureDay.objects.order_by("day")
        if not everything:
            days = days.filter(day__gte=Calendar(closures=frozenset()).local_date(clock.now()))
        calendar = Calendar(closures=frozenset())
        shown = 0
        for closure in days:
            why = calendar.why_not_working(closure.day)
            note = f"  ({why}: not a working day in any case)" if why else ""
            self.stdout.write(f"{closure.day:%Y-%m-%d %a}  {closure.name}{note}")
            shown += 1
        if not shown:
            self.stdout.write(
                "No closure days." if everything else "No closure days from today on."
            )
