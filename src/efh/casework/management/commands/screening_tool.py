"""``efh screening-tool``: the partnership's exploitation screening tool, versioned (issue 12).

efh screening-tool load FILE [--note TEXT]   store FILE (JSON) as the next version, if valid
efh screening-tool show [--version N]        print the current (or version N's) definition
efh screening-tool list                      every version, newest first, with date and note

A file that is not JSON, or not a valid tool, is refused with every error and where it is,
and nothing is stored; a file identical to the current version stores nothing either. The
definition's shape is in ``efh.casework.tool`` and docs/casework.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count
from django.utils import timezone

from efh.casework.models import ScreeningTool
from efh.casework.services.tool import ToolStale, ToolUnchanged, screening_tool_save
from efh.casework.tool import ToolInvalid

BAD_INPUT = 2  # the exchange format's exit codes: 0 done, 1 failed, 2 bad input


class Command(BaseCommand):
    help = "Load, show or list versions of the screening tool."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="load|show|list")
        load = sub.add_parser("load", help="store a JSON file as the next version")
        load.add_argument("file", type=Path, help="the tool's definition (JSON)")
        load.add_argument("--note", default="", help="what changed in this version")
        show = sub.add_parser("show", help="print a version's definition as JSON")
        show.add_argument("--version", type=int, default=None, dest="number", metavar="N")
        sub.add_parser("list", help="list the versions")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "load":
            self.load(options["file"], options["note"])
        elif action == "show":
            self.show(options["number"])
        else:
            self.list()

    def load(self, path: Path, note: str) -> None:
        try:
            text = path.read_text(encoding="utf-8-sig")  # a BOM from a Windows editor is fine
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(
                f"{path}: cannot read it ({error}); nothing was stored", returncode=BAD_INPUT
            ) from error
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{path}: not JSON: line {error.lineno}, column {error.colno}: {error.msg}; "
                "nothing was stored",
                returncode=BAD_INPUT,
            ) from error
        try:
            tool = screening_tool_save(actor=None, definition=definition, note=note)
        except ToolInvalid as error:
            for problem in error.errors:
                self.stderr.write(f"{path}: {problem}")
            count = len(error.errors)
            raise CommandError(
                f"{path} is not a valid screening tool: {count} "
                f"{'error' if count == 1 else 'errors'}; nothing was stored",
                returncode=BAD_INPUT,
            ) from error
        except ToolUnchanged as error:
            self.stdout.write(f"{path}: {error}")
            return
        except ToolStale as error:  # another version landed while this one was stored
            raise CommandError(f"{path}: {error}") from error
        except ValueError as error:
            raise CommandError(f"{path}: {error}", returncode=BAD_INPUT) from error
        questions = sum(len(s["questions"]) for s in tool.definition["sections"])
        self.stdout.write(
            f"Stored version {tool.version} of {tool.name} "
            f"({len(tool.definition['sections'])} sections, {questions} questions)"
        )

    def show(self, number: int | None) -> None:
        tools = ScreeningTool.objects.order_by("-version")
        tool = tools.filter(version=number).first() if number is not None else tools.first()
        if tool is None:
            known = ", ".join(str(v) for v in tools.values_list("version", flat=True))
            raise CommandError(
                f"no version {number} of the screening tool (versions: {known or 'none'})"
                if number is not None
                else "no screening tool is stored",
                returncode=BAD_INPUT if number is not None else 1,
            )
        self.stdout.write(json.dumps(tool.definition, indent=2, ensure_ascii=False))

    def list(self) -> None:
        tools = list(
            ScreeningTool.objects.select_related("created_by")
            .annotate(used=Count("screenings"))
            .order_by("-version")
        )
        if not tools:
            self.stdout.write("No screening tool is stored.")
            return
        for i, tool in enumerate(tools):
            who = tool.created_by.username if tool.created_by else "command line or migration"
            current = "  (current)" if i == 0 else ""
            used = f"{tool.used:,} {'screening' if tool.used == 1 else 'screenings'}"
            self.stdout.write(
                f"{tool.version:>4}  {timezone.localtime(tool.created_at):%Y-%m-%d %H:%M}  {who}  {used}  "
                f"{tool.note or '(no note)'}{current}"
            )
