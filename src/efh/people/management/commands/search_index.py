"""``efh search_index``: rebuild the people search index from the records.

The index is kept current by the importer and by the platform's forms; rebuild it after
restoring a backup, after changing records outside the platform, or to be sure.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from efh.people.search_index import search_index_rebuild


class Command(BaseCommand):
    help = "Rebuild the people search index (names, aliases, postcodes, identifiers)."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        rows = search_index_rebuild()
        self.stdout.write(
            f"Search index rebuilt: {rows:,} keys in {time.perf_counter() - started:.1f} s"
        )
