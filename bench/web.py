"""Web benchmark: search and child-record response times beside a bare Django view.

Run by ``bench/run.py`` after the import (``make bench``), or alone against a database that
already holds a borough::

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/efh_bench .venv/bin/python bench/web.py

What it does:

1. Sets Django up on the benchmark database with ``bench.settings`` (the product's settings,
   ``DEBUG`` off, ``bench.urls`` = the product's URLs plus ``bench/floor/``) and ensures the demo
   accounts (``efh demo_accounts``; this also tells the imported sources which agency they are).
2. Draws the inputs from the data through the product's own permission policy
   (``instances_user_can_view``): children each user may open, the heaviest of them (most
   events), and search terms taken from their records: names with one typing error (a dropped,
   doubled or swapped letter), dates of birth, identifiers (NHS number, UPN, PNC id), postcodes.
3. Serves the product's WSGI application in a subprocess under Django's threaded WSGI server
   (``runserver``'s, with ``TCP_NODELAY``, no reloader, static files not served: see
   :func:`serve`), signs each user in through the sign-in form, then, per user, warms up and
   issues ``BENCH_REQUESTS`` rounds of three requests over loopback, one connection kept alive,
   the session cookie sent with each: the floor (GET), a search (the form POSTed, as the page
   does) and a record page (GET). Interleaving the three spreads any noise from other work on
   the machine over all of them alike.
4. Prints p50, p95 and max (ms, request sent to body read) per page, the ratios to the floor,
   a breakdown per kind of search and for the heaviest records, and how often a search listed
   the child its terms came from. Any answer other than 200 is reported and left out of the
   timings; nothing is asserted.

Environment: ``BENCH_DATABASE_URL``, ``BENCH_REQUESTS`` (200), ``BENCH_WARMUP`` (30),
``BENCH_SEED`` (7; the draw of inputs), ``BENCH_PORT`` (8765), ``BENCH_USERS``
(``school.dsl,screener``).
"""

from __future__ import annotations

import http.client
import math
import os
import random
import re
import subprocess
import sys
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/efh_bench")
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "30"))
SEED = int(os.environ.get("BENCH_SEED", "7"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
USERS = [u for u in os.environ.get("BENCH_USERS", "school.dsl,screener").split(",") if u]
LOG = ROOT / "var" / "bench" / "server.log"
SEARCH = "/people/search/"
HEAVY = 25  # the heaviest records a user may open: a fifth of the record requests
SEARCH_MIX = (("name", 0.5), ("dob", 0.2), ("identifier", 0.15), ("postcode", 0.15))


def django_setup() -> None:
    os.environ["DATABASE_URL"] = URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- inputs --------------------------------------------------------------------------------


@dataclass
class Search:
    kind: str
    params: dict[str, str]
    person_id: int  # the child the terms were taken from


@dataclass
class Inputs:
    username: str
    password: str
    role: str
    may_open: int
    searches: list[Search]
    records: list[tuple[int, bool]]  # (person id, heavy?)
    heavy_events: list[int] = field(default_factory=list)


def typo(rng: random.Random, word: str) -> str:
    """One typing error in a name: a dropped, doubled or swapped letter (as typed in a hurry)."""
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    if len(letters) < 4:
        return word
    i = rng.choice(letters[1:-1])
    how = rng.randrange(3)
    if how == 0:
        return word[:i] + word[i + 1 :]
    if how == 1:
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def search_params(kind: str, record: dict, postcode: str, rng: random.Random) -> dict[str, str]:
    """The fields of people:search's form (``SearchForm``) for one kind of search."""
    if kind == "name":
        given, family = record["given_name"], record["family_name"]
        if rng.random() < 0.5:
            family = typo(rng, family)
        else:
            given = typo(rng, given)
        return {"name": f"{given} {family}"}
    if kind == "dob":
        dob = record["date_of_birth"]
        return {"dob_day": str(dob.day), "dob_month": str(dob.month), "dob_year": str(dob.year)}
    if kind == "identifier":
        for name in ("nhs_number", "upn", "pnc_id"):
            if record[name]:
                return {"identifier": record[name]}
        raise LookupError
    return {"postcode": postcode}


def children_and_busiest() -> tuple[set[int], list[tuple[int, int]]]:
    """Every child's person id, and every person with events, busiest first."""
    from django.db.models import Count

    from efh.concerns.models import EventPerson
    from efh.people.models import PersonRecord

    children = set(
        PersonRecord.objects.filter(is_child=True).values_list("person_id", flat=True).distinct()
    )
    busiest = (
        EventPerson.objects.filter(record__is_child=True)
        .values_list("record__person")
        .annotate(n=Count("event", distinct=True))
        .order_by("-n", "record__person")
    )
    return children, list(busiest)


def draw_inputs(
    username: str,
    password: str,
    role: str,
    n: int,
    rng: random.Random,
    children: set[int],
    busiest: list[tuple[int, int]],
) -> Inputs:
    """Children the user may open (product policy), the heaviest of them, and search terms."""
    from efh.accounts.models import User
    from efh.people.models import Address, PersonRecord
    from efh.people.policy import instances_user_can_view

    user = User.objects.get(username=username)
    # The policy's queryset alone (joined to anything else, PostgreSQL planned it for minutes);
    # children and event counts are separate plain queries, intersected here.
    visible = set(instances_user_can_view(user).values_list("pk", flat=True))
    ids = sorted(visible & children)
    if not ids:
        sys.exit(f"{username} may open no child: did the import and demo_accounts run?")
    heavy = [(pid, n) for pid, n in busiest if pid in visible][:HEAVY]
    heavy_ids = [pid for pid, _ in heavy]
    records = [
        (rng.choice(heavy_ids), True) if rng.random() < 0.2 else (rng.choice(ids), False)
        for _ in range(n)
    ]

    searches: list[Search] = []
    kinds = [k for k, _ in SEARCH_MIX]
    weights = [w for _, w in SEARCH_MIX]
    while len(searches) < n:
        pid = rng.choice(ids)
        kind = rng.choices(kinds, weights)[0]
        rec = (
            PersonRecord.objects.filter(person_id=pid, is_child=True)
            .order_by("pk")
            .values("given_name", "family_name", "date_of_birth", "nhs_number", "upn", "pnc_id")
            .first()
        )
        postcode = (
            Address.objects.filter(record__person_id=pid)
            .exclude(postcode="")
            .order_by("-valid_from")
            .values_list("postcode", flat=True)
            .first()
        )
        if rec is None or (kind == "dob" and not rec["date_of_birth"]):
            continue
        if kind == "postcode" and not postcode:
            continue
        try:
            params = search_params(kind, rec, postcode or "", rng)
        except LookupError:
            continue
        searches.append(Search(kind, params, pid))
    return Inputs(username, password, role, len(ids), searches, records, [n for _, n in heavy])


# --- HTTP ----------------------------------------------------------------------------------


class Client:
    """One kept-alive loopback connection with a cookie jar: what a browser tab does."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, bytes, dict[str, str], float]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.conn.request(method, path, data, headers)
                response = self.conn.getresponse()
                content = response.read()
                seconds = time.perf_counter() - started
                break
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # The server closed the kept-alive connection: open another (not timed twice).
                self.conn.close()
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, content, dict(response.getheaders()), seconds

    def form_token(self, path: str, required: bool = True) -> str:
        """The CSRF token of the form on a page (GET), as a browser would have it."""
        status, page, _h, _s = self.request("GET", path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not match:
            if required:
                sys.exit(f"{path} answered {status} without a form")
            print(f"  NOTE: {path} answered {status} without a form; its requests will fail")
            return ""
        return match.group(1).decode()

    def sign_in(self, username: str, password: str) -> None:
        token = self.form_token("/sign-in/")
        status, _page, headers, _s = self.request(
            "POST",
            "/sign-in/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        location = headers.get("Location", "")
        if status != 302 or "sign-in" in location:
            sys.exit(f"signing in as {username} failed: {status} {location}")
        status, _page, headers, _s = self.request("GET", "/")
        if status != 200:
            sys.exit(
                f"{username} signed in, but the home page answered {status} "
                f"{headers.get('Location', '')} (two-factor?)"
            )


def serve(port: int) -> None:
    """The product's WSGI application under Django's own threaded WSGI server (the one
    ``runserver`` uses) without the reloader and with ``TCP_NODELAY``.

    ``efh runserver`` itself is not used: it writes a response's headers and body in two
    sends, and on a kept-alive connection Nagle's algorithm then holds the body until the
    client's delayed ACK (40 ms on Linux), which would add 40 ms to every page, the floor
    included. Production servers (gunicorn, uWSGI) set ``TCP_NODELAY``.
    """
    import socket

    django_setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
    from django.core.wsgi import get_wsgi_application

    class Handler(WSGIRequestHandler):
        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    application = get_wsgi_application()
    server = ThreadedWSGIServer(("127.0.0.1", port), Handler)
    server.set_app(application)
    print(f"serving bench.settings on 127.0.0.1:{port}", flush=True)
    server.serve_forever()


def start_server(port: int) -> subprocess.Popen[bytes]:
    """Start :func:`serve` in a subprocess (its own interpreter, as a server would be)."""
    LOG.parent.mkdir(parents=True, exist_ok=True)
    log = LOG.open("wb")
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "serve", str(port)],
        env={**os.environ, "BENCH_DATABASE_URL": URL},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server stopped at once: see {LOG}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/bench/floor/")
            if conn.getresponse().status == 200:
                conn.close()
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit(f"the server did not answer within 60 s: see {LOG}")


# --- figures -------------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Series:
    name: str
    seconds: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def add(self, status: int, seconds: float) -> None:
        self.statuses[status] += 1
        if status == 200:
            self.seconds.append(seconds)

    @property
    def p50(self) -> float:
        return percentile(self.seconds, 50) * 1000

    @property
    def p95(self) -> float:
        return percentile(self.seconds, 95) * 1000

    def line(self, floor: Series | None = None) -> str:
        bad = {s: c for s, c in sorted(self.statuses.items()) if s != 200}
        answers = ", ".join(f"{c} answered {s}" for s, c in bad.items())
        if not self.statuses:
            return f"  {self.name:<22} none in this run's draw"
        if not self.seconds:
            return f"  {self.name:<22} no 200 answer ({answers}): not measured"
        text = (
            f"  {self.name:<22} p50 {self.p50:7.1f} ms   p95 {self.p95:7.1f} ms   "
            f"max {max(self.seconds) * 1000:7.1f} ms   n={len(self.seconds)}"
        )
        if floor is not None and floor.seconds:
            text += f"   x{self.p50 / floor.p50:.1f} / x{self.p95 / floor.p95:.1f} floor"
        if answers:
            text += f"   ({answers}: left out)"
        return text


def measure(inputs: Inputs, client: Client, warmup: int) -> dict[str, Series]:
    names = ["floor", "search", *(f"search: {k}" for k, _ in SEARCH_MIX), "record"]
    series = {name: Series(name) for name in [*names, "record: heaviest"]}
    found: Counter[str] = Counter()
    asked: Counter[str] = Counter()

    # The search form is POSTed (terms stay out of URLs and logs); one token serves a session.
    token = client.form_token(SEARCH, required=False)

    def search(s: Search) -> tuple[int, bytes, dict[str, str], float]:
        return client.request("POST", SEARCH, {"csrfmiddlewaretoken": token, **s.params})

    for i in range(warmup):
        client.request("GET", "/bench/floor/")
        search(inputs.searches[i % len(inputs.searches)])
        client.request("GET", f"/people/{inputs.records[-1 - i % len(inputs.records)][0]}/")
    for s, (person_id, heavy) in zip(inputs.searches, inputs.records, strict=True):
        status, _body, _h, seconds = client.request("GET", "/bench/floor/")
        series["floor"].add(status, seconds)
        status, body, _h, seconds = search(s)
        series["search"].add(status, seconds)
        series[f"search: {s.kind}"].add(status, seconds)
        if status == 200:
            asked[s.kind] += 1
            if f"/people/{s.person_id}/".encode() in body:
                found[s.kind] += 1
        status, _body, _h, seconds = client.request("GET", f"/people/{person_id}/")
        series["record"].add(status, seconds)
        if heavy:
            series["record: heaviest"].add(status, seconds)
    for kind, _ in SEARCH_MIX:
        if asked[kind]:
            series[f"search: {kind}"].name += f" ({100 * found[kind] / asked[kind]:.0f}% found)"
    return series


def counts() -> tuple[int, int, int]:
    from efh.concerns.models import Event
    from efh.people.models import Person, PersonRecord

    children = PersonRecord.objects.filter(is_child=True).values("person").distinct().count()
    return children, Person.objects.count(), Event.objects.count()


def main() -> None:
    django_setup()
    from django.core.management import call_command
    from django.db import connections

    from efh.accounts.models import User
    from efh.accounts.services import DEMO_PASSWORD_SUFFIX

    call_command("demo_accounts", verbosity=0)
    children, persons, events = counts()
    print(
        f"web:    {events:,} events and {persons:,} persons in the database, {children:,} of "
        "them children (before efh link: one child's records that share no identifier are apart)"
    )
    print(f"        {REQUESTS} requests per page and user, after {WARMUP} to warm up")
    rng = random.Random(SEED)  # noqa: S311 - draws inputs, not secrets
    started = time.perf_counter()
    children_ids, busiest = children_and_busiest()
    inputs = []
    for username in USERS:
        user = User.objects.get(username=username)
        password = username.replace(".", "-") + DEMO_PASSWORD_SUFFIX
        inputs.append(
            draw_inputs(username, password, user.roles_label, REQUESTS, rng, children_ids, busiest)
        )
    print(f"        inputs drawn from the data in {time.perf_counter() - started:.1f} s")
    connections.close_all()

    server = start_server(PORT)
    try:
        for item in inputs:
            client = Client(PORT)
            client.sign_in(item.username, item.password)
            series = measure(item, client, WARMUP)
            print(
                f"  as {item.username} ({item.role}): may open {item.may_open:,} children; "
                f"the {len(item.heavy_events)} heaviest have {item.heavy_events[-1]:,}-"
                f"{item.heavy_events[0]:,} events"
            )
            floor = series["floor"]
            for name, s in series.items():
                print(s.line(None if name == "floor" else floor))
    finally:
        server.terminate()
        server.wait(10)
    print(
        "targets: search p95 <= 150 ms, record p95 <= 150 ms (ratios: page p50 / floor p50 "
        "and p95 / p95); the machine's cores are shared, so figures are noisy"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(int(sys.argv[2]))
    else:
        main()
