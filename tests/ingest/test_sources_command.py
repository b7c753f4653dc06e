"""``efh sources``: a partnership configures a new sending system from the command line, and
deliveries from it import; bad input is refused with a clear error and changes nothing."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from efh.core.models import AccessLogEntry, Source
from efh.people.models import PersonRecord

from .helpers import append, copy_delivery

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("sources", *args, stdout=out)
    return out.getvalue()


def test_lists_the_configured_sources_with_their_agencies(seeded: None) -> None:
    listing = run("list")
    assert "police" in listing and "education" in listing
    assert run() == listing


def test_a_new_source_takes_deliveries(demo: object, tmp_path: Path) -> None:
    delivery = copy_delivery(tmp_path / "delivery")
    append(
        delivery,
        "persons.csv",
        source="hackney-yjs",
        source_id="YJ-1",
        given_name="Ola",
        family_name="Example",
        date_of_birth="2010-05-06",
        sex="F",
        is_child="Y",
        recorded_at="2026-09-03T09:00:00",
    )
    errors = StringIO()
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_delivery", str(delivery), stdout=StringIO(), stderr=errors)
    assert "unknown source 'hackney-yjs'" in errors.getvalue()

    out = run(
        "add", "hackney-yjs", "--name", "Youth justice case system", "--agency", "youth-justice"
    )
    assert "hackney-yjs: Youth justice case system" in out
    source = Source.objects.get(code="hackney-yjs")
    assert source.agency is not None and source.agency.code == "youth-justice"
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_type, entry.object_id) == ("admin", "source", "hackney-yjs")
    assert entry.detail["before"] is None
    assert entry.detail["after"] == {"name": "Youth justice case system", "agency": "youth-justice"}

    call_command("import_delivery", str(delivery), stdout=StringIO(), stderr=StringIO())
    assert PersonRecord.objects.filter(source="hackney-yjs").count() == 1


def test_renaming_a_source_logs_old_and_new(demo: object) -> None:
    run("add", "hackney-yjs", "--name", "YJ system", "--agency", "youth-justice")
    run("add", "hackney-yjs", "--name", "Youth justice case system")
    entry = AccessLogEntry.objects.latest("seq")
    assert entry.detail == {
        "before": {"name": "YJ system", "agency": "youth-justice"},
        "after": {"name": "Youth justice case system", "agency": "youth-justice"},
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add"], "efh sources add CODE"),
        (["add", "New Source", "--name", "X"], "lower-case letters"),
        (["add", "efh-police", "--name", "X"], "the platform's own"),
        (["add", "new-one"], "give --name"),
        (["add", "new-one", "--name", "X", "--agency", "nope"], "no agency 'nope'"),
        (["add", "new-one", "--name", "x" * 121], "120 characters or fewer"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    demo: object, args: list[str], message: str
) -> None:
    before = list(Source.objects.values_list("code", "name", "agency_id"))
    logged = AccessLogEntry.objects.count()
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert list(Source.objects.values_list("code", "name", "agency_id")) == before
    assert AccessLogEntry.objects.count() == logged
