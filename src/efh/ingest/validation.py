"""Reading and validating a delivery: every problem found, as file, line, column and reason.

Rows are parsed with the standard ``csv`` module (exact physical line numbers, quoted line breaks,
ragged rows) and then checked column by column with Polars expressions, so a borough's delivery
of a million rows is validated in seconds. Nothing here touches the database: what is already
stored arrives as plain key frames (:class:`Known`), so the whole module is testable on its own.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import queue
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import polars as pl

from efh.core import clock
from efh.ingest.spec import FILES, MAX_ID, MAX_NAME, Column, FileSpec

LINE = "_line"
RAW = "_raw"
HASH = "_hash"
UK_LATITUDE = (49.8, 60.9)
UK_LONGITUDE = (-8.7, 1.8)
EARLIEST_BIRTH = "1900-01-01"
# Values longer than this are reported by the validator rather than refused by the csv module.
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))

_TIMESTAMP_SHAPE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?$"
_DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
_POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$"
_UPN = r"^[A-Z][0-9]{11}[0-9A-Z]$"
_PNC = r"^([0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-Z]$"


@dataclass(frozen=True, order=True)
class Problem:
    """One reason a delivery cannot be stored. ``line`` 0 means the file as a whole."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        if self.column:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class Vocabulary:
    """The partnership's configured codes: sending systems and harm types."""

    sources: frozenset[str]
    harm_types: frozenset[str]


@dataclass
class Known:
    """Keys already stored, per file kind: frames with columns ``source`` and ``source_id``."""

    keys: dict[str, pl.DataFrame] = field(default_factory=dict)

    def get(self, file: str) -> pl.DataFrame:
        return self.keys.get(file, _empty_keys())


@dataclass
class Delivery:
    """A read and checked delivery: one typed frame per file present."""

    path: Path
    tables: dict[str, pl.DataFrame]
    problems: list[Problem]
    warnings: list[str]
    rows: dict[str, int]

    @property
    def valid(self) -> bool:
        return not self.problems


def _empty_keys() -> pl.DataFrame:
    return pl.DataFrame(schema={"source": pl.String, "source_id": pl.String})


def _quote(value: object, limit: int = 40) -> str:
    text = str(value)
    if len(text) > limit:
        text = text[:limit] + "…"
    return repr(text)


class _Checker:
    def __init__(self, spec: FileSpec, frame: pl.DataFrame, problems: list[Problem]):
        self.spec = spec
        self.frame = frame
        self.problems = problems

    def flag(self, mask: pl.Expr, column: str, reason: Callable[[str], str] | str) -> None:
        """Report every row where ``mask`` holds; ``reason`` may be built from the value."""
        hits = self.frame.filter(mask).select(LINE, pl.col(column).cast(pl.String).alias("v"))
        for line, value in hits.iter_rows():
            text = reason(value) if callable(reason) else reason
            self.problems.append(Problem(self.spec.name, line, column, text))


def read_file(
    path: Path, spec: FileSpec, problems: list[Problem], warnings: list[str]
) -> pl.DataFrame | None:
    """Parse one CSV file into an all-text frame with the line each record starts on."""
    name = spec.name
    data = path.read_bytes()
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)):
        problems.append(
            Problem(name, 0, "", "the file is UTF-16 or UTF-32 encoded; save it as UTF-8 CSV")
        )
        return None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        warnings.append(f"{name}: UTF-8 byte-order mark ignored")
    if not data.strip():
        problems.append(Problem(name, 0, "", "the file is empty: it needs at least a header row"))
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.append(
            Problem(
                name,
                line,
                "",
                f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); the exchange format is UTF-8: "
                "re-save the file as 'CSV UTF-8'",
            )
        )
        return None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        problems.append(Problem(name, line, "", "contains a NUL character: is this a CSV file?"))
        return None

    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = [h.strip() for h in next(reader)]
    if len(header) == 1 and spec.column_names[0] not in header:
        for delimiter in (";", "\t", "|"):
            if delimiter in header[0]:
                shown = "a tab" if delimiter == "\t" else f"'{delimiter}'"
                problems.append(
                    Problem(
                        name,
                        1,
                        "",
                        f"the columns are separated by {shown}; the exchange format uses commas",
                    )
                )
                return None
    seen: set[str] = set()
    for column in header:
        if not column:
            problems.append(Problem(name, 1, "", "a column in the header has no name"))
        elif column in seen:
            problems.append(Problem(name, 1, column, "the column appears twice in the header"))
        seen.add(column)
    missing = [c.name for c in spec.columns if c.required and c.name not in seen]
    for column in missing:
        problems.append(Problem(name, 1, column, "required column is missing from the header"))
    unknown = [c for c in header if c and c not in spec.column_names]
    if unknown:
        warnings.append(f"{name}: unknown column(s) ignored: {', '.join(unknown)}")
    if missing or len(seen) != len(header) or "" in seen:
        return None

    width = len(header)
    try:
        rows = list(reader)
    except csv.Error as exc:
        problems.append(
            Problem(name, _record_start(text, reader.line_num), "", f"is not valid CSV: {exc}")
        )
        return None
    kept = [i for i, row in enumerate(rows) if len(row) == width]
    frame = _columns(data, header, rows, kept)
    starts = _record_starts(text, rows, kept, frame)
    lines = starts[kept].tolist()
    for i, row in enumerate(rows):
        if len(row) != width and row and any(v.strip() for v in row):
            problems.append(
                Problem(name, int(starts[i]), "", f"has {len(row)} fields; the header has {width}")
            )
    if not lines:
        warnings.append(f"{name}: header only, no records")
    frame = frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))
    raw = frame.select(pl.struct([h for h in header if h]).struct.json_encode().alias(RAW))
    present = [c for c in spec.column_names if c in seen]
    absent = [pl.lit("", dtype=pl.String).alias(c) for c in spec.column_names if c not in seen]
    return frame.select(
        LINE, *[pl.col(c).str.strip_chars() for c in present], *absent
    ).with_columns(raw.to_series())


def _columns(
    data: bytes, header: list[str], rows: list[list[str]], kept: list[int]
) -> pl.DataFrame:
    """The well-formed records as a frame of text columns.

    When every record is well formed (as the ``csv`` module, which has just parsed them, says),
    Polars' native reader builds the same columns several times faster than transposing
    Python lists; its result is used only if it has exactly the same shape.
    """
    if len(kept) == len(rows) and rows:
        try:
            fast = pl.read_csv(
                data, infer_schema=False, has_header=True, new_columns=header, quote_char='"'
            ).fill_null("")
        except (pl.exceptions.PolarsError, ValueError):
            fast = None
        if fast is not None and fast.shape == (len(rows), len(header)):
            return fast
    columns = list(zip(*(rows[i] for i in kept), strict=True)) if kept else [() for _ in header]
    return pl.DataFrame(
        {h: pl.Series(h, v, dtype=pl.String) for h, v in zip(header, columns, strict=True)}
    )


def row_hash(frame: pl.DataFrame, spec: FileSpec) -> pl.Series:
    """A hash of each row's normalised values (known columns only): equal rows, equal hashes,
    so a record sent again unchanged is recognised, whatever its spacing or unknown columns."""
    text = frame.select(pl.struct(list(spec.column_names)).struct.json_encode()).to_series()
    return pl.Series(
        HASH, [hashlib.blake2b(t.encode(), digest_size=16).hexdigest() for t in text], pl.String
    )


def _record_starts(
    text: str, rows: list[list[str]], kept: list[int], frame: pl.DataFrame
) -> np.ndarray:
    """The line each parsed record (header excluded) begins on.

    Records usually take one line each; a quoted line break inside a field adds one, counted
    per column with Polars rather than by parsing the file a second time.
    """
    if "\r" in text.replace("\r\n", ""):  # bare carriage returns end lines too: recount
        starts, start = [], 2
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        next(reader)
        for _row in reader:
            starts.append(start)
            start = reader.line_num + 1
        return np.array(starts, dtype=np.int64)
    physical = text.count("\n") + (0 if text.endswith("\n") else 1)
    extra = np.zeros(len(rows), dtype=np.int64)
    if physical != len(rows) + 1:
        if kept:
            counts = frame.select(
                pl.sum_horizontal(pl.all().str.count_matches("\n")).alias("n")
            ).to_series()
            extra[kept] = counts.to_numpy()
        for i, row in enumerate(rows):
            if len(row) != frame.width:
                extra[i] = sum(v.count("\n") for v in row)
    before = np.concatenate([[0], np.cumsum(extra)[:-1]]) if len(rows) else extra
    return 2 + np.arange(len(rows), dtype=np.int64) + before


def _record_start(text: str, failed_at: int) -> int:
    """The line the record that ``csv`` failed on (at line ``failed_at``) began on."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for _row in reader:
            start = reader.line_num + 1
    except csv.Error:
        return start
    return failed_at


def _utc_timestamp(column: str) -> pl.Expr:
    """Parse ISO 8601 text to UTC; local (offset-free) times are UK time."""
    value = pl.col(column)
    naive_text = value.str.extract(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d{1,6})?)", 1)
    naive_text = (
        pl.when(naive_text.str.len_chars() == 16).then(naive_text + ":00").otherwise(naive_text)
    )
    naive = naive_text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
    offset = value.str.extract(r"(Z|[+-]\d{2}:?\d{2})$", 1)
    sign = pl.when(offset.str.starts_with("-")).then(-1).otherwise(1)
    digits = offset.str.replace_all(r"[^0-9]", "")
    minutes = sign * (
        digits.str.slice(0, 2).cast(pl.Int64, strict=False) * 60
        + digits.str.slice(2, 2).cast(pl.Int64, strict=False)
    )
    with_offset = naive.dt.replace_time_zone("UTC") - pl.duration(minutes=minutes)
    local = naive.dt.replace_time_zone(
        "Europe/London", ambiguous="earliest", non_existent="null"
    ).dt.convert_time_zone("UTC")
    return (
        pl.when(offset == "Z")
        .then(naive.dt.replace_time_zone("UTC"))
        .when(offset.is_not_null())
        .then(with_offset)
        .otherwise(local)
    )


def _nhs_check_ok(column: str) -> pl.Expr:
    digits = [pl.col(column).str.slice(i, 1).cast(pl.Int64, strict=False) for i in range(10)]
    total = pl.sum_horizontal([(10 - i) * digits[i] for i in range(9)])
    check = (11 - total % 11) % 11
    return (check != 10) & (check == digits[9])


def _check_column(c: _Checker, col: Column, vocabulary: Vocabulary, now: datetime) -> pl.Expr:
    """Report the column's problems; return the expression that converts it to its type."""
    name = col.name
    value = pl.col(name)
    given = value != ""
    if col.required:
        c.flag(~given, name, "is required")
    c.flag(
        value.str.len_chars() > col.max_len,
        name,
        lambda v: f"is {len(v):,} characters long; the most allowed is {col.max_len:,}",
    )
    if col.type != "free_text":
        c.flag(value.str.contains(r"[\r\n]"), name, "contains a line break")

    if col.type == "code" and name == "source":
        known = sorted(vocabulary.sources)
        c.flag(
            given & ~value.is_in(known),
            name,
            lambda v: f"unknown source {_quote(v)} (configured sources: {', '.join(known)})",
        )
        return value
    if col.type == "code":
        c.flag(
            given & ~value.is_in(col.choices),
            name,
            lambda v: (
                f"{_quote(v)} is not a known code (expected one of: {', '.join(col.choices)})"
            ),
        )
        return value
    if col.type == "flag":
        c.flag(
            given & ~value.is_in(["Y", "N"]),
            name,
            lambda v: f"{_quote(v)} is not a flag (expected Y, N or empty)",
        )
        return pl.when(value == "Y").then(True).when(value == "N").then(False).otherwise(None)
    if col.type == "date":
        shape = value.str.contains(_DATE_SHAPE)
        parsed = value.str.to_date("%Y-%m-%d", strict=False)
        c.flag(given & ~shape, name, lambda v: f"{_quote(v)} is not a date in the form YYYY-MM-DD")
        c.flag(
            given & shape & parsed.is_null(),
            name,
            lambda v: f"{_quote(v)} is not a real calendar date",
        )
        if name == "date_of_birth":
            c.flag(parsed > now.date(), name, lambda v: f"date of birth {v} is in the future")
            c.flag(
                parsed < pl.lit(EARLIEST_BIRTH).str.to_date(),
                name,
                lambda v: f"date of birth {v} is before {EARLIEST_BIRTH}",
            )
        return parsed
    if col.type == "timestamp":
        shape = value.str.contains(_TIMESTAMP_SHAPE)
        parsed = _utc_timestamp(name)
        c.flag(
            given & ~shape,
            name,
            lambda v: (
                f"{_quote(v)} is not an ISO 8601 timestamp (expected e.g. 2025-03-14T18:05:00)"
            ),
        )
        real = (
            value.str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False).is_not_null()
            & (value.str.slice(11, 2).cast(pl.Int64, strict=False) < 24)
            & (value.str.slice(14, 2).cast(pl.Int64, strict=False) < 60)
            & (
                (value.str.slice(16, 1) != ":")
                | (value.str.slice(17, 2).cast(pl.Int64, strict=False) < 60)
            )
        )
        c.flag(given & shape & ~real, name, lambda v: f"{_quote(v)} is not a real date and time")
        c.flag(
            given & shape & real & parsed.is_null() & ~value.str.contains(r"(Z|[+-]\d{2}:?\d{2})$"),
            name,
            lambda v: (
                f"{v} does not exist in UK local time (the clocks went forward): give a UTC offset"
            ),
        )
        limit = now + timedelta(days=1)
        c.flag(parsed > pl.lit(limit), name, lambda v: f"{v} is in the future")
        return parsed
    if col.type in ("latitude", "longitude"):
        number = value.cast(pl.Float64, strict=False)
        low, high = UK_LATITUDE if col.type == "latitude" else UK_LONGITUDE
        c.flag(given & number.is_null(), name, lambda v: f"{_quote(v)} is not a number")
        c.flag(
            given & number.is_not_nan() & ((number < low) | (number > high)),
            name,
            lambda v: f"{v} is outside the UK ({col.type} {low} to {high}, WGS84)",
        )
        c.flag(given & number.is_nan(), name, "is not a number")
        return number
    if col.type == "nhs_number":
        digits = value.str.replace_all(r"[ -]", "")
        shape = digits.str.contains(r"^[0-9]{10}$")
        c.flag(given & ~shape, name, lambda v: f"{_quote(v)} is not an NHS number (10 digits)")
        c.frame = c.frame.with_columns(digits.alias(name))
        c.flag(
            given & shape & ~_nhs_check_ok(name),
            name,
            lambda v: f"{v} fails the NHS number check digit (mod 11)",
        )
        return pl.col(name)
    if col.type == "upn":
        upper = value.str.to_uppercase()
        c.flag(
            given & ~upper.str.contains(_UPN),
            name,
            lambda v: (
                f"{_quote(v)} is not a unique pupil number (a letter, 11 digits, then a digit or letter)"
            ),
        )
        return upper
    if col.type == "pnc_id":
        upper = value.str.to_uppercase()
        c.flag(
            given & ~upper.str.contains(_PNC),
            name,
            lambda v: f"{_quote(v)} is not a PNC id (e.g. 12/3456789A)",
        )
        return upper
    if col.type == "postcode":
        upper = value.str.to_uppercase().str.replace_all(r"\s+", "")
        c.flag(
            given & ~upper.str.contains(_POSTCODE),
            name,
            lambda v: f"{_quote(v)} is not a UK postcode",
        )
        spaced = upper.str.slice(0, upper.str.len_chars() - 3) + " " + upper.str.slice(-3)
        return pl.when(given).then(spaced).otherwise(pl.lit(""))
    if col.type == "harm_types":
        items = (
            value.str.split(";")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
        )
        known = sorted(vocabulary.harm_types)
        unknown = (
            c.frame.select(LINE, items.alias("h"))
            .explode("h")
            .filter(pl.col("h").is_not_null() & ~pl.col("h").is_in(known))
        )
        for line, code in unknown.iter_rows():
            c.problems.append(
                Problem(
                    c.spec.name,
                    line,
                    name,
                    f"unknown harm type {_quote(code)} (known: {', '.join(known)})",
                )
            )
        return items.list.unique(maintain_order=True)
    if col.type in ("id_list", "name_list"):
        items = (
            value.str.split(";")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
            .list.unique(maintain_order=True)
        )
        longest = MAX_ID if col.type == "id_list" else MAX_NAME
        c.flag(
            items.list.eval(pl.element().str.len_chars()).list.max() > longest,
            name,
            lambda v: f"has an entry longer than {longest} characters",
        )
        return items
    return value


def _order_reason(earlier: str, reason: str) -> Callable[[str], str]:
    return lambda value: f"{value}: {reason} ({earlier} is later)"


def check_file(
    spec: FileSpec,
    frame: pl.DataFrame,
    vocabulary: Vocabulary,
    problems: list[Problem],
    now: datetime,
) -> pl.DataFrame:
    """Check every column, pair and ordering rule and every key; return the typed frame."""
    checker = _Checker(spec, frame, problems)
    converted = {col.name: _check_column(checker, col, vocabulary, now) for col in spec.columns}
    for first, second in spec.pairs:
        checker.flag(
            (pl.col(first) == "") & (pl.col(second) != ""),
            first,
            f"is missing while {second} is given",
        )
        checker.flag(
            (pl.col(second) == "") & (pl.col(first) != ""),
            second,
            f"is missing while {first} is given",
        )
    typed = checker.frame.with_columns(**converted)
    checker.frame = typed
    for earlier, later, reason in spec.order:
        checker.flag(pl.col(later) < pl.col(earlier), later, _order_reason(earlier, reason))
    key = list(spec.key)
    first_line = pl.col(LINE).min().over(key)
    duplicates = (
        typed.filter(pl.len().over(key) > 1)
        .with_columns(first_line.alias("_first"))
        .filter(pl.col(LINE) != pl.col("_first"))
    )
    for row in duplicates.select(LINE, "_first", *key).iter_rows():
        line, first, *values = row
        shown = ", ".join(f"{k}={_quote(v)}" for k, v in zip(key, values, strict=True))
        problems.append(
            Problem(
                spec.name,
                line,
                key[-1] if len(key) == 2 else "",
                f"duplicate record ({shown}); first given on line {first}",
            )
        )
    return typed


def _missing_refs(
    frame: pl.DataFrame, column: str, targets: Iterable[pl.DataFrame]
) -> pl.DataFrame:
    keys = pl.concat([t.select("source", "source_id") for t in targets]).unique()
    refs = frame.select(LINE, "source", pl.col(column).alias("source_id")).filter(
        pl.col("source_id").is_not_null() & (pl.col("source_id") != "")
    )
    return refs.join(keys, on=["source", "source_id"], how="anti").sort(LINE)


def check_references(
    tables: dict[str, pl.DataFrame],
    known: Known,
    problems: list[Problem],
    unreadable: frozenset[str] = frozenset(),
    only: str | None = None,
) -> None:
    """Every reference must name a record of the same source, in this delivery or stored.

    References into a file that could not be read are not checked: its own problem is the one
    to fix, and reporting every reference to it would bury that.
    """

    def keys(file: str) -> pl.DataFrame:
        stored = known.get(file)
        if file in tables:
            return pl.concat([tables[file].select("source", "source_id"), stored])
        return stored

    places = ["locations.csv", "organisations.csv"]
    rules: list[tuple[str, str, list[str], str, pl.Expr | None]] = [
        ("persons.csv", "school_source_id", ["organisations.csv"], "organisation", None),
        ("events.csv", "location_source_id", places, "location or organisation", None),
        ("event_people.csv", "event_source_id", ["events.csv"], "event", None),
        ("event_people.csv", "person_source_id", ["persons.csv"], "person", None),
        ("associations.csv", "person_source_id", ["persons.csv"], "person", None),
        (
            "associations.csv",
            "other_source_id",
            ["persons.csv"],
            "person",
            pl.col("other_kind") == "person",
        ),
        (
            "associations.csv",
            "other_source_id",
            ["locations.csv"],
            "location",
            pl.col("other_kind") == "location",
        ),
        (
            "associations.csv",
            "other_source_id",
            ["organisations.csv"],
            "organisation",
            pl.col("other_kind") == "organisation",
        ),
        ("missing_episodes.csv", "person_source_id", ["persons.csv"], "person", None),
        (
            "missing_episodes.csv",
            "found_location_source_id",
            places,
            "location or organisation",
            None,
        ),
    ]
    for file, column, targets, what, where in rules:
        if file not in tables or unreadable & set(targets) or only not in (None, file):
            continue
        frame = tables[file] if where is None else tables[file].filter(where)
        found = [keys(t) for t in targets]
        for line, source, ref in _missing_refs(frame, column, found).iter_rows():
            problems.append(
                Problem(
                    file,
                    line,
                    column,
                    f"no {what} with source_id {_quote(ref)} from source {source!r} in this delivery or already imported",
                )
            )
    if "missing_episodes.csv" in tables and only in (None, "missing_episodes.csv"):
        episodes = tables["missing_episodes.csv"]
        companions = (
            episodes.select(
                LINE, "source", "person_source_id", pl.col("missing_with").alias("companion")
            )
            .explode("companion")
            .filter(pl.col("companion").is_not_null())
        )
        for line, _source, ref in (
            companions.filter(pl.col("companion") == pl.col("person_source_id"))
            .select(LINE, "source", "companion")
            .iter_rows()
        ):
            problems.append(
                Problem(
                    "missing_episodes.csv",
                    line,
                    "missing_with",
                    f"names the missing child {_quote(ref)} as their own companion",
                )
            )
        unknown = _missing_refs(companions, "companion", [keys("persons.csv")])
        if "persons.csv" in unreadable:
            unknown = unknown.clear()
        for line, source, ref in unknown.iter_rows():
            problems.append(
                Problem(
                    "missing_episodes.csv",
                    line,
                    "missing_with",
                    f"no person with source_id {_quote(ref)} from source {source!r} in this delivery or already imported",
                )
            )


class DeliveryReader:
    """Reads and checks a delivery file by file, in load order.

    Every reference points to a file earlier in that order, so each file is fully checked
    (references included) as soon as it is read, and its rows can be stored while the next
    file is read: :meth:`in_background` does the reading on a second thread.
    """

    def __init__(
        self,
        path: Path,
        vocabulary: Vocabulary,
        known: Known,
        progress: Callable[[str], None] = lambda _m: None,
        now: datetime | None = None,
    ):
        self.path = path
        self.vocabulary = vocabulary
        self.known = known
        self.progress = progress
        self.now = now or clock.now()
        self.problems: list[Problem] = []
        self.warnings: list[str] = []
        self.tables: dict[str, pl.DataFrame] = {}
        self.rows: dict[str, int] = {}
        self.names: set[str] = set()
        self.unreadable: set[str] = set()

    def result(self) -> Delivery:
        self.problems.sort()
        return Delivery(self.path, self.tables, self.problems, self.warnings, self.rows)

    def open(self) -> bool:
        """Check the folder itself; False when there is nothing that could be read."""
        if not self.path.is_dir():
            self.problems.append(
                Problem(
                    str(self.path), 0, "", "is not a folder: a delivery is a folder of CSV files"
                )
            )
            return False
        self.names = {p.name for p in self.path.iterdir() if p.is_file()}
        expected = {spec.name for spec in FILES}
        for other in sorted(self.names - expected):
            if other.lower().endswith(".csv") and other.lower() in expected:
                self.problems.append(
                    Problem(other, 0, "", f"file names are lower case: rename it {other.lower()}")
                )
            elif not other.startswith("."):
                self.warnings.append(f"{other}: not an exchange-format file; ignored")
        if not self.names & expected and not self.problems:
            self.problems.append(
                Problem(
                    str(self.path),
                    0,
                    "",
                    "holds none of the exchange files (" + ", ".join(s.name for s in FILES) + ")",
                )
            )
        return bool(self.names & expected)

    def files(self) -> Iterator[tuple[FileSpec, pl.DataFrame]]:
        """Each file present, read and checked, in load order (problems collect on the way)."""
        for spec in FILES:
            if spec.name not in self.names:
                continue
            self.progress(f"reading {spec.name}")
            frame = read_file(self.path / spec.name, spec, self.problems, self.warnings)
            if frame is None:
                self.unreadable.add(spec.name)
                continue
            self.rows[spec.name] = frame.height
            self.progress(f"checking {spec.name} ({frame.height:,} rows)")
            table = check_file(spec, frame, self.vocabulary, self.problems, self.now)
            table = table.with_columns(row_hash(table, spec))
            self.tables[spec.name] = table
            check_references(
                self.tables, self.known, self.problems, frozenset(self.unreadable), spec.name
            )
            yield spec, table

    def in_background(self) -> Iterator[tuple[FileSpec, pl.DataFrame]]:
        """:meth:`files`, read one file ahead on a second thread (CSV parsing and Polars
        checks overlap with the caller's database writes)."""
        ready: queue.Queue[object] = queue.Queue(maxsize=1)
        stop = threading.Event()
        done = object()

        def offer(item: object) -> bool:
            """Hand ``item`` over unless the caller has stopped listening."""
            while not stop.is_set():
                try:
                    ready.put(item, timeout=0.1)
                    return True
                except queue.Full:
                    continue
            return False

        def work() -> None:
            try:
                for item in self.files():
                    if not offer(item):
                        return
                offer(done)
            except BaseException as exc:  # handed to the caller's thread
                offer(exc)

        worker = threading.Thread(target=work, name="efh-delivery-reader", daemon=True)
        worker.start()
        try:
            while (item := ready.get()) is not done:
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            stop.set()
            worker.join()
