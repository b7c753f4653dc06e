"""Casework pages' response times beside a bare Django view (issue 12); prints figures, asserts
nothing (docs/benchmarks.md, "Casework pages").

Run by ``make bench`` after ``bench/run.py`` (which loads the 60,000-child borough into the bench
database) and ``bench/linkage.py`` (which links it), or alone::

    .venv/bin/python bench/casework.py

What it does:

1. Sets Django up on the bench database as ``bench/web.py`` does (``bench.settings``) and ensures
   the demo accounts. A database with no borough is refused with how to build one
   (``bench/run.py``).
2. If the database holds no casework (or with ``--fresh``, after deleting it), makes it at the
   borough's scale with ``efh synth_casework --seed BENCH_SEED`` (``efh.synth.casework``:
   screenings, cases and their whole history up to today), prints the rows made, the seconds and the peak memory, then ``VACUUM ANALYZE`` (the
   server runs with autovacuum off: without statistics the new tables are planned as empty).
   Casework already there is used as it is. The issue's scale is at least 20,000 screenings and
   3,000 cases; a database under it is said so.
3. Draws the inputs from the data: the screener (``screener``), the practitioner allocated the
   most open cases (their caseload, and everyone's, is printed), the 25 cases with the heaviest
   history (transitions, allocations, plan versions, reviews, actions, strategy discussions, NRM
   referrals, closure requests, screenings), any case, and children with a case.
4. Serves the product under ``bench/web.py``'s server (the product's WSGI application, Django's
   threaded WSGI server, ``TCP_NODELAY``), signs both users in (a demo account through the
   sign-in form; a synthetic worker, who has no password, by a session made as sign-in makes it,
   ``Client.force_login``), warms up, then issues ``BENCH_REQUESTS`` rounds, each of:
   as the screener, the floor, the screening queue (``casework:queue``), a case page
   (``casework:case``: a fifth among the heaviest) and the record of a child with a case
   (``people:record``: a fifth among the heaviest cases' children); as the worker, the floor,
   the home page ("my children"), ``/cases/?scope=mine`` and the record of one of their children.
   One kept-alive loopback connection per user; interleaving spreads noise over every page alike.
5. Prints p50, p95 and max (ms) per page and the ratios to the floor of the same run. Any answer
   other than 200 is reported and left out of the timings.

Flags: ``--fresh`` (delete the casework there is and make and time it again).
Environment: ``BENCH_DATABASE_URL`` (postgres://postgres@127.0.0.1:5432/efh_bench),
``BENCH_REQUESTS`` (200), ``BENCH_WARMUP`` (30), ``BENCH_SEED`` (7: the casework and the draw),
``BENCH_CASEWORK_PORT`` (8766), ``BENCH_SCREENER`` (``screener``), ``BENCH_WORKER`` (a username;
default: the practitioner with the most open cases).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import EFH, analyze, run
from web import (
    REQUESTS,
    SEED,
    URL,
    WARMUP,
    Client,
    Series,
    django_setup,
    start_server,
)

PORT = int(os.environ.get("BENCH_CASEWORK_PORT", "8766"))
SCREENER = os.environ.get("BENCH_SCREENER", "screener")
WORKER = os.environ.get("BENCH_WORKER", "")
HEAVY = 25
SCALE = (20_000, 3_000)  # the casework at bench scale: screenings, cases


# --- data ----------------------------------------------------------------------------------


def borough() -> tuple[int, int]:
    """Children (distinct child persons) and events in the database."""
    from efh.concerns.models import Event
    from efh.people.models import PersonRecord

    children = PersonRecord.objects.filter(is_child=True).values("person").distinct().count()
    return children, Event.objects.count()


def casework_counts() -> dict[str, int]:
    from efh.casework.models import Case, CaseState, QueueItem, Screening

    return {
        "screenings": Screening.objects.count(),
        "cases": Case.objects.count(),
        "open cases": Case.objects.exclude(state=CaseState.CLOSED).count(),
        "waiting in the queue": QueueItem.objects.filter(screening__isnull=True).count(),
    }


def ensure_casework(fresh: bool) -> dict[str, int]:
    """Casework at the borough's scale: made by ``efh synth_casework`` when there is none (or,
    when ``fresh``, after deleting what there is)."""
    from django.db import connections

    found = casework_counts()
    if (found["screenings"] or found["cases"]) and not fresh:
        print(
            f"casework: reusing what the database holds ({found['screenings']:,} screenings, "
            f"{found['cases']:,} cases; --fresh makes it again)"
        )
    else:
        if found["screenings"] or found["cases"]:
            from django.db import transaction

            from efh.synth.casework import casework_delete

            started = time.perf_counter()
            with transaction.atomic():
                casework_delete()
            print(
                f"casework: the casework there was deleted in {time.perf_counter() - started:.1f} s"
            )
        connections.close_all()
        env = {**os.environ, "DATABASE_URL": URL}
        env.pop("DJANGO_SETTINGS_MODULE", None)  # the command runs with the product's settings
        seconds, memory, output = run(
            [str(EFH), "synth_casework", "--seed", str(SEED), "-v", "1"], env
        )
        print(
            f"casework: efh synth_casework --seed {SEED}: {seconds:.1f} s, peak memory "
            f"{memory / 2**20:,.0f} MB"
        )
        for line in output.splitlines():
            if line.startswith("  "):
                print(f"          {line.strip()}")
        made = casework_counts()
        rows = sum(int(n.replace(",", "")) for n in _counts_in(output))
        print(f"          {rows:,} rows in {seconds:.1f} s ({rows / seconds:,.0f} rows/s)")
        seconds, autovacuum = analyze(URL)
        print(f"          VACUUM ANALYZE after it: {seconds:.1f} s (autovacuum is {autovacuum})")
        found = made
    print("          " + ", ".join(f"{v:,} {k}" for k, v in found.items()))
    if found["screenings"] < SCALE[0] or found["cases"] < SCALE[1]:
        print(
            f"          NOTE: under the issue's scale ({SCALE[0]:,} screenings and {SCALE[1]:,} "
            "cases); the figures below are for this smaller casework"
        )
    return found


def _counts_in(output: str) -> list[str]:
    """The row counts ``efh synth_casework`` prints (one table a line), without the accounts."""
    counts = []
    for line in output.splitlines():
        name, _, number = line.strip().rpartition(" ")
        if line.startswith("  ") and number.replace(",", "").isdigit() and "staff" not in name:
            counts.append(number)
    return counts


def heaviest_cases(n: int) -> list[tuple[int, int]]:
    """The ``n`` cases with the most history rows, heaviest first: (case id, rows)."""
    from django.db.models import Count

    from efh.casework.models import (
        Action,
        Allocation,
        ClosureRequest,
        NrmReferral,
        PlanVersion,
        Review,
        Screening,
        StrategyDiscussion,
        Transition,
    )

    rows: Counter[int] = Counter()
    for model in (
        Transition,
        Allocation,
        Action,
        StrategyDiscussion,
        NrmReferral,
        ClosureRequest,
        Screening,
    ):
        for case_id, count in (
            model.objects.filter(case__isnull=False)
            .values_list("case_id")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            rows[case_id] += count
    for model in (PlanVersion, Review):
        for case_id, count in (
            model.objects.values_list("plan__case_id").annotate(n=Count("pk")).order_by()
        ):
            rows[case_id] += count
    return sorted(rows.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def caseloads() -> Counter[int]:
    """Open cases per user who is allocated to or leads them (a case counts once per user)."""
    from efh.casework.models import Case, CaseState

    load: Counter[int] = Counter()
    for allocated, lead in Case.objects.exclude(state=CaseState.CLOSED).values_list(
        "allocated_worker_id", "lead_practitioner_id"
    ):
        for user_id in {allocated, lead} - {None}:
            load[user_id] += 1
    return load


# --- signing in ----------------------------------------------------------------------------


def signed_in(user, port: int) -> Client:
    """A client signed in as ``user``: through the sign-in form when the account has a
    password (the demo's), else with a session made as sign-in makes it (synthetic staff)."""
    from django.conf import settings
    from django.test import Client as DjangoClient

    from efh.accounts.services import DEMO_PASSWORD_SUFFIX

    client = Client(port)
    if user.has_usable_password():
        client.sign_in(user.username, user.username.replace(".", "-") + DEMO_PASSWORD_SUFFIX)
        return client
    local = DjangoClient()
    local.force_login(user)
    client.cookies[settings.SESSION_COOKIE_NAME] = local.cookies[settings.SESSION_COOKIE_NAME].value
    status, _body, headers, _s = client.request("GET", "/")
    if status != 200:
        sys.exit(f"a session for {user.username} did not open the home page: {status} {headers}")
    return client


# --- the run -------------------------------------------------------------------------------


def main() -> None:
    django_setup()
    from django.core.management import call_command
    from django.db import connections

    from efh.accounts.models import User
    from efh.casework.models import Case, CaseState

    try:
        children, events = borough()
    except Exception as exc:
        sys.exit(f"{URL} holds no borough ({exc.__class__.__name__}): run bench/run.py first")
    if not children:
        sys.exit(f"{URL} holds no borough: `.venv/bin/python bench/run.py` builds it (make bench)")
    call_command("demo_accounts", verbosity=0)
    print(
        f"casework pages: {children:,} child persons and {events:,} events in {URL.rsplit('/', 1)[-1]}"
    )
    ensure_casework(fresh="--fresh" in sys.argv)

    rng = random.Random(SEED)  # noqa: S311 - draws inputs, not secrets
    started = time.perf_counter()
    screener = User.objects.get(username=SCREENER)
    load = caseloads()
    workers = {u.pk: u for u in User.objects.filter(pk__in=list(load), role__code="practitioner")}
    if WORKER:
        worker = User.objects.get(username=WORKER)
    else:
        if not workers:
            sys.exit("no practitioner holds an open case: the casework has no caseloads")
        worker = workers[max(workers, key=lambda pk: (load[pk], -pk))]
    sizes = sorted(load[pk] for pk in workers)
    demo_worker = next((u for u in workers.values() if u.username == "social.worker"), None)
    print(
        f"        caseloads: {len(sizes):,} practitioners hold open cases; median "
        f"{statistics.median(sizes):g}, max {sizes[-1]}, {sum(1 for s in sizes if s >= 15)} with "
        f"15 or more; social.worker {load[demo_worker.pk] if demo_worker else 0}"
    )
    if not 15 <= load[worker.pk] <= 30:
        print(
            f"        NOTE: {worker.username} holds {load[worker.pk]} open cases, outside a "
            "realistic caseload of 15-30: 'my children' is measured on that list"
        )

    heavy = heaviest_cases(HEAVY)
    heavy_ids = [pk for pk, _ in heavy]
    all_cases = list(Case.objects.values_list("pk", "person_id").order_by("pk"))
    person_of = dict(all_cases)
    mine = list(
        Case.objects.exclude(state=CaseState.CLOSED)
        .filter(allocated_worker=worker)
        .values_list("person_id", flat=True)
        .order_by("pk")
    ) or list(Case.objects.filter(lead_practitioner=worker).values_list("person_id", flat=True))

    def pick(heavy_share: float) -> tuple[int, bool]:
        if rng.random() < heavy_share:
            return rng.choice(heavy_ids), True
        return rng.choice(all_cases)[0], False

    rounds = []
    for _ in range(REQUESTS + WARMUP):
        case_id, case_heavy = pick(0.2)
        record_case, record_heavy = pick(0.2)
        rounds.append((case_id, case_heavy, person_of[record_case], record_heavy, rng.choice(mine)))
    print(
        f"        the {HEAVY} heaviest cases have {heavy[-1][1]}-{heavy[0][1]} rows of history; "
        f"worker: {worker.username} ({worker.roles_label}) with {load[worker.pk]} open cases"
    )
    print(
        f"        {REQUESTS} rounds after {WARMUP} to warm up; inputs drawn in "
        f"{time.perf_counter() - started:.1f} s"
    )
    connections.close_all()

    names = [
        "floor",
        "queue",
        "case",
        "case: heaviest",
        "record",
        "record: heaviest case",
        "my children (home)",
        "cases ?scope=mine",
        "record: worker's child",
    ]
    series = {name: Series(name) for name in names}
    server = start_server(PORT)
    try:
        front = signed_in(screener, PORT)
        desk = signed_in(worker, PORT)
        for i, (case_id, case_heavy, record_id, record_heavy, own) in enumerate(rounds):
            timed = i >= WARMUP

            def get(client: Client, path: str, *into: str, timed: bool = timed) -> None:
                status, _body, _h, seconds = client.request("GET", path)
                if timed:
                    for name in into:
                        series[name].add(status, seconds)

            get(front, "/bench/floor/", "floor")
            get(front, "/front-door/", "queue")
            get(front, f"/cases/{case_id}/", "case", *(["case: heaviest"] if case_heavy else []))
            get(front, f"/people/{record_id}/", "record",
                *(["record: heaviest case"] if record_heavy else []))  # fmt: skip
            get(desk, "/bench/floor/", "floor")
            get(desk, "/", "my children (home)")
            get(desk, "/cases/?scope=mine", "cases ?scope=mine")
            get(desk, f"/people/{own}/", "record: worker's child")
    finally:
        server.terminate()
        server.wait(10)
    floor = series["floor"]
    print(
        f"  as {screener.username} (queue, case, record) and {worker.username} (home, mine, own child's record)"
    )
    for name, s in series.items():
        print(s.line(None if name == "floor" else floor))
    over = [s.name for n, s in series.items() if n != "floor" and s.seconds and s.p95 > 150]
    print(
        "targets: each casework page p95 <= 150 ms (issue 12; ratios: page p50 / floor p50 and "
        "p95 / p95)" + (f"; over it: {', '.join(over)}" if over else "")
    )


if __name__ == "__main__":
    main()
