from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from efh.accounts.services import DemoRefused, demo_accounts_ensure


class Command(BaseCommand):
    help = "Create (if missing) and print the demo accounts, one for every role."

    def handle(self, *args, **options) -> None:
        try:
            accounts = demo_accounts_ensure()
        except DemoRefused as exc:
            raise CommandError(str(exc)) from exc
        if not options["verbosity"]:
            return
        width = max(len(a.username) for a in accounts)
        pwidth = max(len(a.password) for a in accounts)
        self.stdout.write("Demo accounts (synthetic data only):")
        self.stdout.write(f"  {'username':<{width}}  {'password':<{pwidth}}  role, agency")
        for a in accounts:
            self.stdout.write(
                f"  {a.username:<{width}}  {a.password:<{pwidth}}  {a.role}, {a.agency}"
            )
