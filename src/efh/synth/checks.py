"""An independent check of a synthetic delivery against the exchange format and the generator's
own promises (same-source references, codes, check digits, time order, the borough's box).

Used by the tests; pure Python (``csv`` module), so it reads the files exactly as an importer
would, quoted line breaks included.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

from efh.synth.writer import HEADERS, TRUTH_HEADERS

SOURCES = {
    "police",
    "education",
    "health",
    "social_care",
    "youth_justice",
    "community_safety",
    "vcs",
}
ETHNICITY = {f"A{i}" for i in range(1, 6)} | {f"B{i}" for i in range(1, 4)}
ETHNICITY |= {f"M{i}" for i in range(1, 5)} | {f"W{i}" for i in range(1, 6)} | {"O1", "O2"}
HARMS = set(
    "cce county_lines cse syv trafficking modern_slavery online tra hsb radicalisation missing "
    "dva neglect self_harm substance financial".split()
)
EVENT_KINDS = set(
    "concern incident arrest stop_search exclusion ae_attendance referral intelligence".split()
)
ROLES = {"subject", "victim", "suspect", "witness", "associate"}
ASSOC_KINDS = set(
    "friend associate sibling partner suspected_exploiter member_of frequents attends found_at "
    "lives_at".split()
)
ORG_KINDS = set(
    "school alternative_provision business licensed_premises hotel taxi_operator youth_club "
    "other".split()
)
LOC_KINDS = {"park", "estate", "transport_hub", "shop", "takeaway", "street", "address", "other"}
DISTRICTS = {"E2", "E5", "E8", "E9", "N1", "N4", "N16"}

POSTCODE = re.compile(r"^(E2|E5|E8|E9|N1|N4|N16) [0-9][A-Z]{2}$")
UPN = re.compile(r"^[A-Z][0-9]{12}$")
PNC = re.compile(r"^[0-9]{2}/[0-9]{7}[A-Z]$")
COORD = re.compile(r"^-?[0-9]+\.[0-9]{4,6}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, strict=True)
        header = next(reader)
        return header, [dict(zip(header, row, strict=True)) for row in reader]


def nhs_ok(value: str) -> bool:
    if not re.fullmatch(r"[0-9]{10}", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(value[9])


def _gap(day: date) -> bool:
    """Whether ``day`` is the last Sunday of March (01:00-01:59 does not exist in London)."""
    return day.month == 3 and day.weekday() == 6 and (day + timedelta(days=7)).month == 4


def parse_timestamp(value: str) -> datetime | None:
    if not TIMESTAMP.match(value):
        return None
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    if t.hour == 1 and _gap(t.date()):
        return None
    return t


def parse_date(value: str) -> date | None:
    if not DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def check_delivery(folder: Path, as_of: date) -> list[str]:
    """Every problem found, as ``file line: reason`` (an empty list means the delivery is good)."""
    problems: list[str] = []
    end = datetime.fromisoformat(f"{as_of.isoformat()}T23:59:59")
    tables: dict[str, list[dict[str, str]]] = {}
    for name, header in {**HEADERS}.items():
        cols, rows = read(folder / name)
        if cols != header.split(","):
            problems.append(f"{name}: header {cols} is not {header}")
        tables[name] = rows
    for name, header in TRUTH_HEADERS.items():
        cols, _ = read(folder / "truth" / name)
        if cols != header.split(","):
            problems.append(f"truth/{name}: header {cols} is not {header}")

    def bad(name: str, line: int, reason: str) -> None:
        if len(problems) < 200:
            problems.append(f"{name} line {line}: {reason}")

    keys: dict[str, set[tuple[str, str]]] = {}
    for name, rows in tables.items():
        if name == "event_people.csv":
            continue
        seen: set[tuple[str, str]] = set()
        for line, row in _lines(rows):
            key = (row["source"], row["source_id"])
            if row["source"] not in SOURCES:
                bad(name, line, f"unknown source {row['source']!r}")
            sid = row["source_id"]
            if not sid or len(sid) > 64 or "\n" in sid or "\r" in sid:
                bad(name, line, f"bad source_id {sid!r}")
            if key in seen:
                bad(name, line, f"duplicate key {key}")
            seen.add(key)
            for col, value in row.items():
                if col != "summary" and ("\n" in value or "\r" in value):
                    bad(name, line, f"line break in {col}")
                if value[:1] in ("=", "+", "@") or (value[:1] == "-" and not _number(value)):
                    bad(name, line, f"formula-like {col} {value!r}")
        keys[name] = seen
    places = keys["locations.csv"] | keys["organisations.csv"]
    persons = keys["persons.csv"]

    for name, kinds in (("organisations.csv", ORG_KINDS), ("locations.csv", LOC_KINDS)):
        for line, row in _lines(tables[name]):
            if row["kind"] not in kinds:
                bad(name, line, f"kind {row['kind']!r}")
            if not row["name"]:
                bad(name, line, "no name")
            _coords(bad, name, line, row["latitude"], row["longitude"])
            if row["postcode"] and not POSTCODE.match(row["postcode"]):
                bad(name, line, f"postcode {row['postcode']!r}")

    for line, row in _lines(tables["persons.csv"]):
        name = "persons.csv"
        if not row["given_name"] or not row["family_name"]:
            bad(name, line, "name missing")
        if row["date_of_birth"]:
            dob = parse_date(row["date_of_birth"])
            if dob is None or not date(1940, 1, 1) <= dob <= as_of:
                bad(name, line, f"date_of_birth {row['date_of_birth']!r}")
        if row["sex"] not in ("F", "M", "X", "U", ""):
            bad(name, line, f"sex {row['sex']!r}")
        if row["ethnicity"] and row["ethnicity"] not in ETHNICITY:
            bad(name, line, f"ethnicity {row['ethnicity']!r}")
        if row["nhs_number"] and not nhs_ok(row["nhs_number"]):
            bad(name, line, f"nhs_number {row['nhs_number']!r}")
        if row["upn"] and not UPN.match(row["upn"]):
            bad(name, line, f"upn {row['upn']!r}")
        if row["pnc_id"] and not PNC.match(row["pnc_id"]):
            bad(name, line, f"pnc_id {row['pnc_id']!r}")
        if row["postcode"] and not POSTCODE.match(row["postcode"]):
            bad(name, line, f"postcode {row['postcode']!r}")
        for flag in ("is_child", "looked_after", "send", "child_protection_plan"):
            if row[flag] not in ("Y", "N", ""):
                bad(name, line, f"{flag} {row[flag]!r}")
        if row["school_source_id"] and (
            (row["source"], row["school_source_id"]) not in keys["organisations.csv"]
        ):
            bad(name, line, f"school {row['school_source_id']!r} not an organisation of the source")
        t = parse_timestamp(row["recorded_at"])
        if t is None or t > end:
            bad(name, line, f"recorded_at {row['recorded_at']!r}")

    for line, row in _lines(tables["events.csv"]):
        name = "events.csv"
        if row["kind"] not in EVENT_KINDS:
            bad(name, line, f"kind {row['kind']!r}")
        occurred = parse_timestamp(row["occurred_at"])
        recorded = parse_timestamp(row["recorded_at"])
        if occurred is None or recorded is None or not occurred <= recorded <= end:
            bad(name, line, f"times {row['occurred_at']!r} {row['recorded_at']!r}")
        if row["harm_types"] and not set(row["harm_types"].split(";")) <= HARMS:
            bad(name, line, f"harm_types {row['harm_types']!r}")
        loc = row["location_source_id"]
        if loc and (row["source"], loc) not in places:
            bad(name, line, f"location {loc!r} not a place of the source")
        _coords(bad, name, line, row["latitude"], row["longitude"])

    events = keys["events.csv"]
    seen_ep: set[tuple[str, str, str, str]] = set()
    for line, row in _lines(tables["event_people.csv"]):
        name = "event_people.csv"
        if (row["source"], row["event_source_id"]) not in events:
            bad(name, line, f"event {row['event_source_id']!r} not of the source")
        if (row["source"], row["person_source_id"]) not in persons:
            bad(name, line, f"person {row['person_source_id']!r} not of the source")
        if row["role"] not in ROLES:
            bad(name, line, f"role {row['role']!r}")
        key = (row["source"], row["event_source_id"], row["person_source_id"], row["role"])
        if key in seen_ep:
            bad(name, line, "duplicate row")
        seen_ep.add(key)

    table_of = {"person": persons, "location": keys["locations.csv"]}
    table_of["organisation"] = keys["organisations.csv"]
    for line, row in _lines(tables["associations.csv"]):
        name = "associations.csv"
        src = row["source"]
        if (src, row["person_source_id"]) not in persons:
            bad(name, line, f"person {row['person_source_id']!r} not of the source")
        kind = row["other_kind"]
        other = row["other_source_id"]
        if kind == "group":
            if not other:
                bad(name, line, "empty group name")
        elif kind not in table_of or (src, other) not in table_of[kind]:
            bad(name, line, f"{kind} {other!r} not of the source")
        if kind == "person" and other == row["person_source_id"]:
            bad(name, line, "associated with itself")
        if row["kind"] not in ASSOC_KINDS:
            bad(name, line, f"kind {row['kind']!r}")
        first = parse_date(row["first_seen"]) if row["first_seen"] else None
        last = parse_date(row["last_seen"]) if row["last_seen"] else None
        if (row["first_seen"] and first is None) or (row["last_seen"] and last is None):
            bad(name, line, "bad date")
        if first and last and first > last:
            bad(name, line, "first_seen after last_seen")
        if (first and first > as_of) or (last and last > as_of):
            bad(name, line, "date after as_of")
        if row["source_evaluation"] not in ("", "1", "2", "3"):
            bad(name, line, "source_evaluation")
        if row["intelligence_evaluation"] not in ("", "A", "B", "C", "D", "E"):
            bad(name, line, "intelligence_evaluation")
        if row["handling_code"] not in ("", "P", "C"):
            bad(name, line, "handling_code")

    for line, row in _lines(tables["missing_episodes.csv"]):
        name = "missing_episodes.csv"
        src = row["source"]
        if (src, row["person_source_id"]) not in persons:
            bad(name, line, f"person {row['person_source_id']!r} not of the source")
        if row["missing_from"] not in ("home", "care", "education"):
            bad(name, line, f"missing_from {row['missing_from']!r}")
        times = {}
        for col in ("went_missing_at", "reported_at", "returned_at", "rhi_offered_at",
                    "rhi_completed_at"):  # fmt: skip
            if row[col]:
                times[col] = parse_timestamp(row[col])
                if times[col] is None or times[col] > end:
                    bad(name, line, f"{col} {row[col]!r}")
        if "went_missing_at" not in times:
            bad(name, line, "went_missing_at missing")
        for a, b in (
            ("went_missing_at", "reported_at"),
            ("went_missing_at", "returned_at"),
            ("returned_at", "rhi_offered_at"),
            ("rhi_offered_at", "rhi_completed_at"),
        ):
            ta, tb = times.get(a), times.get(b)
            if ta and tb and ta > tb:
                bad(name, line, f"{a} after {b}")
        if row["rhi_offered_at"] and not row["returned_at"]:
            bad(name, line, "return home interview without a return")
        if row["found_location_source_id"] and (src, row["found_location_source_id"]) not in places:
            bad(name, line, "found location not a place of the source")
        _coords(bad, name, line, row["found_latitude"], row["found_longitude"])
        if row["missing_with"]:
            for other in row["missing_with"].split(";"):
                if other == row["person_source_id"] or (src, other) not in persons:
                    bad(name, line, f"missing_with {other!r}")
    return problems


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _lines(rows: list[dict[str, str]]) -> Iterator[tuple[int, dict[str, str]]]:
    return enumerate(rows, start=2)


def _coords(bad, name: str, line: int, lat: str, lon: str) -> None:  # type: ignore[no-untyped-def]
    if not lat and not lon:
        return
    if not (lat and lon and COORD.match(lat) and COORD.match(lon)):
        bad(name, line, f"coordinates {lat!r}, {lon!r}")
        return
    if not (51.53 <= float(lat) <= 51.58 and -0.10 <= float(lon) <= -0.02):
        bad(name, line, f"coordinates {lat}, {lon} outside the borough")


def truth_index(folder: Path) -> dict[tuple[str, str], str]:
    """(source, source_id) -> true person id."""
    _, rows = read(folder / "truth" / "persons_truth.csv")
    return {(r["source"], r["source_id"]): r["true_person_id"] for r in rows}


def records_per_person(folder: Path) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for tid in truth_index(folder).values():
        counts[tid] += 1
    return dict(counts)
