"""The intelligence pages' response times, on the database ``DATABASE_URL`` names after a refresh;
prints figures, asserts nothing. Run by ``bench/intelligence.py`` on each borough.

Each page is fetched ``BENCH_INTEL_REQUESTS`` (25) times as the demo analyst through Django's
test client, in process (no HTTP server: the view, its queries and its template, which is what
these pages add); the first five are warm-up. The target is the platform's: p95 at most 150 ms.
"""

from __future__ import annotations

import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "efh.config.settings")
django.setup()

from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from efh.accounts.models import User  # noqa: E402
from efh.accounts.services import demo_accounts_ensure  # noqa: E402
from efh.insight.models import Candidate, CandidateKind  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_INTEL_REQUESTS", "25"))
WARMUP = 5


def first(kind: str) -> Candidate:
    found = Candidate.objects.filter(kind=kind, current=True).order_by("rank").first()
    if found is None:
        raise SystemExit(f"no current {kind} candidate: run efh refresh first")
    return found


def main() -> None:
    setup_test_environment()  # the test client's host and the response's templates
    demo_accounts_ensure()
    client = Client()
    client.force_login(User.objects.get(username="analyst"))
    group, adult = first(CandidateKind.PEER_GROUP), first(CandidateKind.ADULT)
    missing = first(CandidateKind.CO_MISSING)
    pages = {
        "overview": "/intelligence/",
        "peer groups": "/intelligence/peer-groups/",
        "peer group": f"/intelligence/peer-groups/{group.code}/",
        "adults": "/intelligence/adults/",
        "adult": f"/intelligence/adults/{adult.code}/",
        "co-missing": f"/intelligence/missing-together/{missing.code}/",
        "connections": f"/intelligence/people/{adult.person_id}/",
        "hotspots": "/intelligence/hotspots/",
        "trends": "/intelligence/trends/",
    }
    for name, url in pages.items():
        times = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url}: status {response.status_code}")
        kept = sorted(times[WARMUP:])
        p95 = kept[max(0, round(0.95 * len(kept)) - 1)]
        print(
            f"    {name:<12} p50 {statistics.median(kept):6.1f} ms  p95 {p95:6.1f} ms  "
            f"({len(response.content) // 1024} KB)"
        )


if __name__ == "__main__":
    main()
