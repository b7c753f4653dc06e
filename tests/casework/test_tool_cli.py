"""``efh screening-tool`` and ``efh closure-days``: a partnership changes its screening tool and
its closure days from the terminal; anything wrong is refused with every error and where it is,
and stores nothing."""

from __future__ import annotations

import copy
import json
from datetime import date
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from efh.casework.models import ScreeningTool
from efh.casework.services.tool import ToolStale, ToolUnchanged, screening_tool_save
from efh.casework.tool import ToolInvalid, default_definition
from efh.core.calendar import calendar
from efh.core.models import AccessLogEntry, ClosureDay

pytestmark = pytest.mark.django_db


def run(command: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def tool(*args: str) -> str:
    return run("screening_tool", *args)[0]


def fails(command: str, *args: str) -> tuple[str, str]:
    """(the CommandError's message, what was written to stderr); every refusal here is of bad
    input, exit code 2 (the exchange format's: 0 done, 1 failed, 2 bad input)."""
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command(command, *args, stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 2
    return str(raised.value), err.getvalue()


def a_changed_tool() -> dict[str, Any]:
    definition = default_definition()
    definition["sections"][0]["questions"].append(
        {"code": "young_carer", "text": "Is the child a young carer?"}
    )
    definition["levels"].append({"code": "very_high", "label": "Very high"})
    return definition


def write(path: Path, definition: Any) -> str:
    path.write_text(json.dumps(definition), encoding="utf-8")
    return str(path)


# -- efh screening-tool load -------------------------------------------------------------------


def test_the_migration_seeds_version_1(seeded: None) -> None:
    assert list(ScreeningTool.objects.values_list("version", flat=True)) == [1]


def test_load_stores_the_next_version_and_prints_it(seeded: None, tmp_path: Path) -> None:
    out = tool("load", write(tmp_path / "tool.json", a_changed_tool()), "--note", "Young carers")
    assert "Stored version 2" in out
    latest = ScreeningTool.objects.order_by("-version").first()
    assert latest is not None
    assert (latest.version, latest.note, latest.created_by) == (2, "Young carers", None)
    assert latest.definition == a_changed_tool()
    assert latest.name == a_changed_tool()["name"]
    # The earlier version is kept unchanged.
    assert ScreeningTool.objects.get(version=1).definition == default_definition()

    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_type, entry.object_id) == ("admin", "screening_tool", "2")
    assert entry.origin  # the command line's account
    assert entry.detail["previous"] == 1
    assert entry.detail["note"] == "Young carers"
    assert entry.detail["changes"] == {
        "questions_added": ["young_carer"],
        "levels_added": ["very_high"],
    }


def test_a_file_that_is_not_json_says_where_and_stores_nothing(
    seeded: None, tmp_path: Path
) -> None:
    bad = tmp_path / "tool.json"
    bad.write_text('{"name": "Tool",\n  "sections": [}\n', encoding="utf-8")
    before = AccessLogEntry.objects.count()
    message, _ = fails("screening_tool", "load", str(bad))
    assert "not JSON: line 2, column" in message
    assert "nothing was stored" in message
    assert ScreeningTool.objects.count() == 1
    assert AccessLogEntry.objects.count() == before


def test_a_file_saved_with_a_byte_order_mark_loads(seeded: None, tmp_path: Path) -> None:
    path = tmp_path / "tool.json"
    path.write_text(json.dumps(a_changed_tool()), encoding="utf-8-sig")
    assert "Stored version 2" in tool("load", str(path))


def test_a_missing_file_is_refused(seeded: None, tmp_path: Path) -> None:
    message, _ = fails("screening_tool", "load", str(tmp_path / "nowhere.json"))
    assert "cannot read it" in message


def test_an_invalid_tool_prints_every_error_with_where_it_is(seeded: None, tmp_path: Path) -> None:
    definition = default_definition()
    definition["sections"][1]["questions"][2]["text"] = ""
    definition["sections"][2]["questions"][0]["code"] = "looked_after"  # used in section 1
    definition["rules"][0]["forbid"] = "lowest"
    definition["rules"][1]["when"] = {"answer_yes": "no_such_question"}
    path = write(tmp_path / "tool.json", definition)
    message, errors = fails("screening_tool", "load", path)
    assert "4 errors; nothing was stored" in message
    lines = errors.splitlines()
    assert len(lines) == 4
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert "section 2, question 3: 'text' must be non-empty text" in errors
    assert "section 3, question 1: question code 'looked_after' is used twice" in errors
    assert "rule 1: forbids level 'lowest', which the tool has not got" in errors
    assert "rule 2: 'answer_yes' names question 'no_such_question'" in errors
    assert ScreeningTool.objects.count() == 1


def test_a_json_value_that_is_not_an_object_is_refused(seeded: None, tmp_path: Path) -> None:
    message, errors = fails("screening_tool", "load", write(tmp_path / "t.json", [1, 2]))
    assert "1 error;" in message
    assert "must be a JSON object" in errors


def test_loading_the_current_version_again_says_so_and_stores_nothing(
    seeded: None, tmp_path: Path
) -> None:
    path = write(tmp_path / "tool.json", a_changed_tool())
    tool("load", path)
    before = AccessLogEntry.objects.count()
    out = tool("load", path, "--note", "again")
    assert "the same as version 2, the current one: nothing was stored" in out
    assert ScreeningTool.objects.count() == 2
    assert AccessLogEntry.objects.count() == before
    # Key order and layout do not matter: the same definition is the same.
    reordered = {k: a_changed_tool()[k] for k in reversed(list(a_changed_tool()))}
    (tmp_path / "pretty.json").write_text(json.dumps(reordered, indent=4), encoding="utf-8")
    assert "nothing was stored" in tool("load", str(tmp_path / "pretty.json"))


def test_an_earlier_version_can_be_loaded_again_as_a_new_one(seeded: None, tmp_path: Path) -> None:
    tool("load", write(tmp_path / "v2.json", a_changed_tool()))
    out = tool("load", write(tmp_path / "v1.json", default_definition()), "--note", "Back")
    assert "Stored version 3" in out
    assert ScreeningTool.objects.get(version=3).definition == default_definition()


def test_a_note_that_is_too_long_is_refused(seeded: None, tmp_path: Path) -> None:
    path = write(tmp_path / "tool.json", a_changed_tool())
    message, _ = fails("screening_tool", "load", path, "--note", "x" * 301)
    assert "300 characters or fewer" in message
    assert ScreeningTool.objects.count() == 1


# -- efh screening-tool show / list --------------------------------------------------------------


def test_show_prints_the_current_version_as_json(seeded: None, tmp_path: Path) -> None:
    assert json.loads(tool("show")) == default_definition()
    tool("load", write(tmp_path / "tool.json", a_changed_tool()))
    assert json.loads(tool("show")) == a_changed_tool()
    assert json.loads(tool("show", "--version", "1")) == default_definition()


def test_show_of_a_version_there_is_not_names_the_versions(seeded: None) -> None:
    message, _ = fails("screening_tool", "show", "--version", "9")
    assert "no version 9 of the screening tool (versions: 1)" in message


def test_show_output_loads_back_as_the_same_version(seeded: None, tmp_path: Path) -> None:
    (tmp_path / "out.json").write_text(tool("show"), encoding="utf-8")
    assert "nothing was stored" in tool("load", str(tmp_path / "out.json"))


def test_list_shows_each_version_with_date_note_and_use(
    casework: dict[str, Any], tmp_path: Path
) -> None:
    tool("load", write(tmp_path / "tool.json", a_changed_tool()), "--note", "Young carers")
    lines = tool("list").splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "2" and "Young carers" in lines[0] and "(current)" in lines[0]
    assert "0 screenings" in lines[0]
    assert lines[1].split()[0] == "1" and "London practice" in lines[1]
    assert "2026-12-01" in lines[1]
    assert "1 screening " in lines[1]  # the casework world's screening used version 1


def test_an_action_is_required(seeded: None) -> None:
    with pytest.raises(CommandError):
        call_command("screening_tool", stdout=StringIO(), stderr=StringIO())


# -- the service the command and the administrator's screen share --------------------------------


def test_the_service_refuses_a_save_based_on_an_older_version(seeded: None) -> None:
    screening_tool_save(actor=None, definition=a_changed_tool(), note="v2", based_on=1)
    third = copy.deepcopy(a_changed_tool())
    third["levels"].pop()
    with pytest.raises(ToolStale, match=r"version 2 was saved .* after version 1"):
        screening_tool_save(actor=None, definition=third, note="v3", based_on=1)
    assert ScreeningTool.objects.count() == 2


def test_the_service_names_who_saved_and_raises_for_the_same_definition(demo: Any) -> None:
    admin = demo["admin"]
    saved = screening_tool_save(actor=admin, definition=a_changed_tool(), note="by the admin")
    assert saved.created_by == admin
    entry = AccessLogEntry.objects.latest("seq")
    assert entry.username == "admin"
    with pytest.raises(ToolUnchanged):
        screening_tool_save(actor=admin, definition=a_changed_tool())
    with pytest.raises(ToolInvalid):
        screening_tool_save(actor=admin, definition={"name": "x"})


# -- efh closure-days ----------------------------------------------------------------------------


def days(*args: str) -> str:
    return run("closure_days", *args)[0]


def test_add_list_and_remove_a_closure_day() -> None:
    out = days("add", "2030-12-30", "Council", "closure")
    assert "Added closure day 30 December 2030: Council closure" in out
    assert "Note" not in out
    assert ClosureDay.objects.get(day=date(2030, 12, 30)).name == "Council closure"
    assert not calendar().is_working_day(date(2030, 12, 30))
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_id) == ("admin", "2030-12-30")
    assert entry.detail == {
        "closure_day": {"day": "2030-12-30", "name": "Council closure"},
        "change": "added",
    }

    assert "2030-12-30 Mon  Council closure" in days("list")

    out = days("remove", "2030-12-30")
    assert "Removed closure day 30 December 2030: Council closure" in out
    assert not ClosureDay.objects.exists()
    assert calendar().is_working_day(date(2030, 12, 30))
    assert AccessLogEntry.objects.latest("seq").detail["change"] == "removed"
    assert "No closure days from today on." in days("list")


def test_list_leaves_out_past_days_unless_asked() -> None:
    ClosureDay.objects.create(day=date(2001, 1, 2), name="Long ago")
    ClosureDay.objects.create(day=date(2099, 1, 2), name="Far off")
    assert "Long ago" not in days("list")
    assert "Far off" in days("list")
    assert "Long ago" in days("list", "--all")


@pytest.mark.parametrize("text", ["2030-13-01", "30/12/2030", "tomorrow", "2030-02-30"])
def test_a_bad_date_is_refused_clearly(text: str) -> None:
    message, _ = fails("closure_days", "add", text, "Closure")
    assert f"{text!r} is not a date: write it as YYYY-MM-DD" in message
    assert not ClosureDay.objects.exists()
    message, _ = fails("closure_days", "remove", text)
    assert "YYYY-MM-DD" in message


def test_a_duplicate_is_refused() -> None:
    days("add", "2030-12-30", "Council closure")
    before = AccessLogEntry.objects.count()
    message, _ = fails("closure_days", "add", "2030-12-30", "Another")
    assert "Monday 30 December 2030 is already a closure day: Council closure" in message
    assert ClosureDay.objects.get().name == "Council closure"
    assert AccessLogEntry.objects.count() == before


def test_removing_a_day_that_is_not_a_closure_day_is_refused() -> None:
    message, _ = fails("closure_days", "remove", "2030-12-30")
    assert "Monday 30 December 2030 is not a closure day" in message


def test_a_weekend_or_bank_holiday_is_added_with_a_note() -> None:
    out = days("add", "2030-12-28", "Closure")
    assert "Note: Saturday 28 December 2030 is a weekend: not a working day in any case" in out
    out = days("add", "2030-12-25", "Closure")
    assert "is a bank holiday (Christmas Day): not a working day in any case" in out
    listing = days("list")
    assert "2030-12-25 Wed  Closure  (Christmas Day: not a working day in any case)" in listing
    assert ClosureDay.objects.count() == 2


def test_a_closure_day_needs_a_name_of_a_sensible_length() -> None:
    message, _ = fails("closure_days", "add", "2030-12-30", " ")
    assert "give the closure day a name" in message
    message, _ = fails("closure_days", "add", "2030-12-30", "x" * 121)
    assert "120 characters or fewer" in message
    assert not ClosureDay.objects.exists()
