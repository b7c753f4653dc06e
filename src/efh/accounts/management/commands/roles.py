"""``efh roles``: the roles and what each may do (see docs/access.md).

efh roles                                              every role, its capabilities, two-factor
efh roles set CODE --capabilities casework,record      change what a role may do
efh roles set CODE --name "Name" --capabilities ...    create a role
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.accounts import services
from efh.accounts.models import Role
from efh.core.access import CAPABILITY_LABELS, Capability


class Command(BaseCommand):
    help = "List the roles and their capabilities, or create or change a role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", nargs="?", choices=["list", "set"], default="list")
        parser.add_argument("code", nargs="?", help="the role's code (for set)")
        parser.add_argument(
            "--capabilities", default=None, help="comma-separated capability names (for set)"
        )
        parser.add_argument("--name", default="", help="the role's name (to create one)")
        parser.add_argument("--description", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            for role in Role.objects.order_by("code"):
                mfa = ", two-factor required" if role.requires_mfa else ""
                caps = ", ".join(role.capabilities) or "none"
                self.stdout.write(f"{role.code:<22} {role.name}{mfa}: {caps}")
            self.stdout.write("\ncapabilities:")
            for capability in Capability:
                self.stdout.write(f"  {capability.value:<18} {CAPABILITY_LABELS[capability]}")
            return
        if not options["code"] or options["capabilities"] is None:
            raise CommandError("efh roles set CODE --capabilities a,b [--name NAME]")
        capabilities = [c.strip() for c in options["capabilities"].split(",") if c.strip()]
        try:
            role = services.role_configure(
                code=options["code"],
                capabilities=capabilities,
                name=options["name"],
                description=options["description"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{role.code}: {', '.join(role.capabilities) or 'no capabilities'}")
