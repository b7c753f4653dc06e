"""Benchmarks of the foundation: prints figures, asserts nothing.

1. ``efh synth`` of a whole borough (60,000 children by default): wall time and rows.
2. ``efh import`` of that delivery into a fresh PostgreSQL database: rows/s and peak memory.
3. PostgreSQL's own ``COPY`` of the same CSV rows into plain text tables, in the same run, and
   the ratio of the two rates.

Environment: ``BENCH_CHILDREN`` (60000), ``BENCH_SEED`` (7), ``BENCH_DATABASE_URL``
(postgres://postgres@127.0.0.1:5432/efh_bench; the database is dropped and recreated).
"""

from __future__ import annotations

import csv
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
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/efh_bench")
OUT = ROOT / "var" / "bench" / f"borough-{CHILDREN}-{SEED}"
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
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


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


def main() -> None:
    env = {**os.environ, "DATABASE_URL": URL}
    print(f"EFH foundation benchmark: {CHILDREN:,} children, seed {SEED}, {os.cpu_count()} cores")

    shutil.rmtree(OUT, ignore_errors=True)
    seconds, _memory, _ = run(
        [str(EFH), "synth", "--children", str(CHILDREN), "--seed", str(SEED), "--out", str(OUT)],
        env,
    )
    with_rows = {}
    for name in FILES:
        with (OUT / name).open(newline="", encoding="utf-8") as handle:
            with_rows[name] = sum(1 for _ in csv.reader(handle)) - 1
    total = sum(with_rows.values())
    print(f"synth:  {seconds:6.1f} s for {CHILDREN:,} children, {total:,} rows")
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


if __name__ == "__main__":
    main()
