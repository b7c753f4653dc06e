"""``efh unlock <username>``: lift a sign-in lockout before its cool-off ends."""

from __future__ import annotations

from typing import Any

from axes.utils import reset
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Unlock a username locked after repeated failed sign-ins (django-axes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("usernames", nargs="+", metavar="username")

    def handle(self, *args: Any, **options: Any) -> None:
        for username in options["usernames"]:
            count = reset(username=username)
            if count:
                self.stdout.write(f"{username}: unlocked")
            else:
                self.stdout.write(f"{username}: was not locked and had no failed attempts")
