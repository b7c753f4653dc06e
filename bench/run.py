"""Benchmarks of the platform: prints figures, asserts nothing (docs/benchmarks.md).

1. ``efh synth`` of a whole borough (60,000 children by default, background activity scaled so
   that it holds about 1,000,000 events): wall time and rows. The delivery is kept under
   ``var/bench/`` and reused by later runs (``--fresh`` generates and times it again).
2. ``efh import`` of that delivery into a fresh PostgreSQL database: rows/s and peak memory.
3. PostgreSQL's own ``COPY`` of the same CSV rows into plain text tables, in the same run, and
   the ratio of the two rates.
4. ``bench/web.py``: search and child-record p50/p95 served over HTTP, beside a bare Django view
   served the same way in the same run (the floor), and the ratios.

Flags: ``--fresh`` (generate the delivery again even if cached), ``--web-only`` (skip 1-3 and
measure the pages on the database as it is), ``-v`` (print the import's output).

Environment: ``BENCH_CHILDREN`` (60000), ``BENCH_SEED`` (7), ``BENCH_ACTIVITY`` (5.7: the synth
``--activity-scale``; 1,003,829 events for 60,000 children and seed 7), ``BENCH_DATABASE_URL``
(postgres://postgres@127.0.0.1:5432/efh_bench; emptied and loaded afresh), and
those of ``bench/web.py``.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[1]
EFH = ROOT / ".venv" / "bin" / "efh"
CHILDREN = int(os.environ.get("BENCH_CHILDREN", "60000"))
SEED = int(os.environ.get("BENCH_SEED", "7"))
ACTIVITY = float(os.environ.get("BENCH_ACTIVITY", "5.7"))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/efh_bench")
OUT = ROOT / "var" / "bench" / f"borough-{CHILDREN}-{SEED}-x{ACTIVITY:g}"
FILES = [
    "organisations.csv",
    "locations.csv",
    "persons.csv",
    "events.csv",
    "event_people.csv",
    "associations.csv",
    "missing_episodes.csv",
]


def run(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Run a command; return wall seconds, peak resident memory in bytes, and its output."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output = process.stdout.read() if process.stdout else ""
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    return seconds, usage.ru_maxrss * 1024, output


def recreate(url: str) -> None:
    """A fresh, empty database: created if missing, else its ``public`` schema dropped and
    created again.

    Not ``DROP DATABASE``: on PostgreSQL 15 it waits until every session on the server has
    absorbed a signal barrier, and one session stuck elsewhere (a client gone quiet in the
    middle of a ``COPY``) then stalls it, and the bench, indefinitely.
    """
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        row = conn.execute(
            "SELECT datconnlimit FROM pg_database WHERE datname = %s", (name,)
        ).fetchone()
        if row and row[0] == -2:  # left invalid by an interrupted DROP DATABASE: finish it
            conn.execute(f'DROP DATABASE "{name}"')
            row = None
        if not row:
            conn.execute(f'CREATE DATABASE "{name}"')
            return
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")


def analyze(url: str) -> tuple[float, str]:
    """``VACUUM ANALYZE`` the database: the statistics autovacuum would gather after a load.

    Without them PostgreSQL plans the pages' queries on empty-table estimates (the permission
    policy's query then ran for over ten minutes); this machine's server runs with autovacuum
    off, and a production server would have analysed the tables within a minute of the load.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        setting = conn.execute("SHOW autovacuum").fetchone()
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        return time.perf_counter() - started, setting[0] if setting else "?"


def copy_baseline(url: str, folder: Path) -> tuple[float, int]:
    """COPY every CSV into an all-text table of its own columns: PostgreSQL's raw load rate."""
    rows = 0
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP SCHEMA IF EXISTS copy_baseline CASCADE")
        conn.execute("CREATE SCHEMA copy_baseline")
        for name in FILES:
            with (folder / name).open(newline="", encoding="utf-8") as handle:
                header = next(csv.reader(handle))
            columns = ", ".join(f'"{c}" text' for c in header)
            conn.execute(f'CREATE TABLE copy_baseline."{name[:-4]}" ({columns})')
        started = time.perf_counter()
        with conn.transaction():
            for name in FILES:
                with conn.cursor() as cursor:
                    statement = f'COPY copy_baseline."{name[:-4]}" FROM STDIN WITH (FORMAT csv, HEADER true)'
                    with cursor.copy(statement) as copy, (folder / name).open("rb") as handle:
                        while chunk := handle.read(1 << 20):
                            copy.write(chunk)
                    rows += cursor.rowcount
        seconds = time.perf_counter() - started
        conn.execute("DROP SCHEMA copy_baseline CASCADE")
    return seconds, rows


def cached(folder: Path) -> bool:
    """Whether ``folder`` holds a complete synth output made with this bench's parameters."""
    try:
        manifest = json.loads((folder / "truth" / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return (
        manifest.get("children") == CHILDREN
        and manifest.get("seed") == SEED
        and float(manifest.get("activity_scale", 1.0)) == ACTIVITY
        and all((folder / name).is_file() for name in FILES)
    )


def synth(env: dict[str, str], fresh: bool) -> None:
    if not fresh and cached(OUT):
        print(f"synth:  reusing the delivery in {OUT.relative_to(ROOT)} (--fresh to time synth)")
        return
    shutil.rmtree(OUT, ignore_errors=True)
    seconds, _memory, _ = run(
        [str(EFH), "synth", "--children", str(CHILDREN), "--seed", str(SEED),
         "--activity-scale", str(ACTIVITY), "--out", str(OUT)],
        env,
    )  # fmt: skip
    print(f"synth:  {seconds:6.1f} s for {CHILDREN:,} children")


def load(env: dict[str, str]) -> None:
    with_rows = {}
    for name in FILES:
        with (OUT / name).open(newline="", encoding="utf-8") as handle:
            with_rows[name] = sum(1 for _ in csv.reader(handle)) - 1
    total = sum(with_rows.values())
    print(f"delivery: {total:,} rows")
    for name, count in with_rows.items():
        print(f"          {name:<22} {count:>10,}")

    recreate(URL)
    run([str(EFH), "migrate", "--noinput", "-v", "0"], env)
    run([str(EFH), "load_wards", "-v", "0"], env)
    seconds, memory, output = run([str(EFH), "import", str(OUT)], env)
    import_rate = total / seconds
    print(
        f"import: {seconds:6.1f} s, {import_rate:>9,.0f} rows/s into PostgreSQL "
        f"(peak memory {memory / 2**20:,.0f} MB)"
    )
    again, _memory, _ = run([str(EFH), "import", str(OUT)], env)
    print(f"        re-import of the same delivery: {again:.1f} s (nothing changes)")

    copy_seconds, copy_rows = copy_baseline(URL, OUT)
    copy_rate = copy_rows / copy_seconds
    print(
        f"COPY:   {copy_seconds:6.1f} s, {copy_rate:>9,.0f} rows/s (PostgreSQL's own COPY of the same rows)"
    )
    print(f"ratio:  import / COPY = {import_rate / copy_rate:.2f}")
    print("targets: synth < 60 s; import >= 20,000 rows/s; ratio >= 0.25; peak memory <= 2,048 MB")
    if "-v" in sys.argv:
        print(output)
    seconds, autovacuum = analyze(URL)
    print(f"analyze: {seconds:5.1f} s VACUUM ANALYZE after the load (autovacuum is {autovacuum})")


def main() -> None:
    env = {**os.environ, "DATABASE_URL": URL}
    print(
        f"EFH benchmark: {CHILDREN:,} children, seed {SEED}, activity x{ACTIVITY:g}, "
        f"{os.cpu_count()} cores"
    )
    if "--web-only" not in sys.argv:
        synth(env, fresh="--fresh" in sys.argv)
        load(env)
    sys.stdout.flush()
    web = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "web.py")],
        env={**os.environ, "BENCH_DATABASE_URL": URL, "BENCH_SEED": str(SEED)},
        check=False,
    )
    if web.returncode:
        sys.exit(web.returncode)


if __name__ == "__main__":
    main()
