"""Reading one file (validation.read_file), no database: whatever fast path the reader takes,
it must see exactly the records, values and lines the ``csv`` module sees."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from efh.ingest.spec import LOCATIONS
from efh.ingest.validation import LINE, RAW, Problem, read_file

COLUMNS = list(LOCATIONS.column_names)
# Line breaks as LF or CRLF; a lone CR (old Mac) is tested in test_corpus.py.
_value = st.lists(st.sampled_from([*'ab ,;"\n\té=-', "\r\n"]), max_size=8).map("".join)


def _expected(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    found, start = [], 2
    for row in reader:
        found.append((start, row))
        start = reader.line_num + 1
    return found


@settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    rows=st.lists(st.lists(_value, min_size=len(COLUMNS), max_size=len(COLUMNS)), max_size=6),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]),
    terminator=st.sampled_from(["\n", "\r\n"]),
)
def test_read_file_sees_what_the_csv_module_sees(tmp_path_factory, rows, quoting, terminator):
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=quoting, lineterminator=terminator)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    text = buffer.getvalue()
    path = Path(tmp_path_factory.mktemp("read")) / "locations.csv"
    path.write_bytes(text.encode("utf-8"))
    problems: list = []
    warnings: list[str] = []

    frame = read_file(path, LOCATIONS, problems, warnings)

    # What the csv module reads: records of the header's width are kept; others are reported
    # unless blank.
    width = len(COLUMNS)
    records = _expected(text)
    kept = [(line, row) for line, row in records if len(row) == width]
    ragged = [
        Problem("locations.csv", line, "", f"has {len(row)} fields; the header has {width}")
        for line, row in records
        if len(row) != width and any(v.strip() for v in row)
    ]
    assert problems == ragged
    assert frame is not None
    assert frame[LINE].to_list() == [line for line, _row in kept]
    for index, column in enumerate(COLUMNS):
        assert frame[column].to_list() == [row[index].strip() for _line, row in kept]
    assert [json.loads(r) for r in frame[RAW].to_list()] == [
        dict(zip(COLUMNS, row, strict=True)) for _line, row in kept
    ]
    assert ("locations.csv: header only, no records" in warnings) == (not kept)
