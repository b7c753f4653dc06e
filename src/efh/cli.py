"""The ``efh`` command: Django's management commands under the platform's own names.

``efh import DIR`` runs the ``import_delivery`` command (``import`` is a Python keyword, so it
cannot name a module), and the hyphenated names (``efh screening-tool``, ``efh closure-days``)
run their commands; every other word is passed to Django unchanged (``efh migrate``,
``efh synth``, ``efh export persons``, ``efh runserver``).
"""

from __future__ import annotations

import os
import sys

ALIASES = {
    "import": "import_delivery",
    "screening-tool": "screening_tool",
    "closure-days": "closure_days",
}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ALIASES:
        args[0] = ALIASES[args[0]]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "efh.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["efh", *args])


if __name__ == "__main__":
    main()
