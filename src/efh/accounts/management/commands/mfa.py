"""``efh mfa``: which roles must use two-factor, and resetting a user's authenticator app.

efh mfa status                    every role, and whether it requires two-factor
efh mfa require <role code>...    holders must enrol and give a code at each sign-in
efh mfa optional <role code>...   back to optional (users who enrolled keep using it)
efh mfa reset <username>...       forget a user's app (lost phone); they enrol again
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from efh.accounts import services
from efh.accounts.models import Role, User


class Command(BaseCommand):
    help = "Require two-factor per role, or reset a user's authenticator app."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["status", "require", "optional", "reset"])
        parser.add_argument("names", nargs="*", help="role codes, or usernames for reset")

    def handle(self, *args: Any, **options: Any) -> None:
        action, names = options["action"], options["names"]
        if action == "status":
            for role in Role.objects.order_by("code"):
                state = "required" if role.requires_mfa else "optional"
                self.stdout.write(f"{role.code:<22} {state}")
            return
        if not names:
            raise CommandError(f"name at least one {'username' if action == 'reset' else 'role'}")
        if action == "reset":
            for username in names:
                user = User.objects.filter(username=username).first()
                if user is None:
                    raise CommandError(f"no user {username!r}")
                removed = services.mfa_devices_remove(user=user)
                self.stdout.write(f"{username}: {removed} two-factor device(s) removed")
            return
        roles = {r.code: r for r in Role.objects.filter(code__in=names)}
        missing = [n for n in names if n not in roles]
        if missing:
            known = ", ".join(Role.objects.order_by("code").values_list("code", flat=True))
            raise CommandError(f"no role {', '.join(missing)} (roles: {known})")
        required = action == "require"
        for code in names:
            services.role_mfa_set(role=roles[code], required=required)
            self.stdout.write(f"{code}: two-factor {'required' if required else 'optional'}")
