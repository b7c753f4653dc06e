"""The administrator's screens of the screening tool without a browser: the versions, one
version shown readably, and the editor (a new version, every error kept with what was typed,
the same definition, and a version saved by someone else meanwhile)."""

from __future__ import annotations

import json
from html import unescape
from typing import Any

import pytest
from django.urls import reverse

from efh.casework.models import ScreeningTool
from efh.casework.services.tool import screening_tool_save
from efh.casework.tool import default_definition
from efh.core.models import AccessLogEntry

pytestmark = pytest.mark.django_db

INDEX = reverse("casework:tool")
EDIT = reverse("casework:tool-edit")


def version_url(number: int) -> str:
    return reverse("casework:tool-version", kwargs={"version": number})


@pytest.fixture
def admin(demo: dict[str, Any], client: Any) -> Any:
    client.force_login(demo["admin"])
    return demo["admin"]


def changed() -> dict[str, Any]:
    definition = default_definition()
    definition["sections"][0]["questions"].append(
        {"code": "young_carer", "text": "Is the child a young carer?", "hint": "Caring at home"}
    )
    return definition


def page(response: Any) -> str:
    return unescape(response.content.decode())


def post(client: Any, definition: Any, note: str = "", based_on: int | str = 1) -> Any:
    text = definition if isinstance(definition, str) else json.dumps(definition, indent=2)
    return client.post(EDIT, {"definition": text, "note": note, "based_on": str(based_on)})


# -- the versions ----------------------------------------------------------------------------


def test_the_versions_list_number_date_who_note_and_use(
    casework: dict[str, Any], client: Any
) -> None:
    admin = casework["users"]["admin"]
    screening_tool_save(actor=admin, definition=changed(), note="Young carers")
    client.force_login(admin)
    response = client.get(INDEX)
    assert response.status_code == 200
    html = page(response)
    assert "Version 2" in html and "Version 1" in html
    assert "Young carers" in html and "The default tool, following London practice" in html
    assert "Alex Example" in html  # who saved version 2
    assert "The command line" in html  # version 1 came from the migration
    assert "1 December 2026" in html
    # Version 1 was used by the casework world's screening; version 2 by none yet.
    row1 = html.split('data-version="1"')[1].split("</tr>")[0]
    row2 = html.split('data-version="2"')[1].split("</tr>")[0]
    assert row1.rstrip().endswith("1</td>") and row2.rstrip().endswith("0</td>")
    assert "Current" in row2 and "Current" not in row1
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_type, entry.detail) == (
        "view",
        "screening_tool",
        {"screen": "versions"},
    )
    assert "Casey" not in html  # the tool's pages name no child


def test_one_version_shows_its_sections_questions_levels_and_rules(admin: Any, client: Any) -> None:
    response = client.get(version_url(1))
    assert response.status_code == 200
    html = page(response)
    definition = default_definition()
    assert definition["name"] in html
    for section in definition["sections"]:
        assert section["title"] in html
        for question in section["questions"]:
            assert question["text"] in html
    assert "Offered pre-filled from the record: missing episodes in the last 90 days" in html
    for level in definition["levels"]:
        assert level["label"] in html
    assert "Not “Low” when the child is under 13" in html
    assert "Not “Low” when the answer to “Does the child have special educational needs" in html
    assert definition["rules"][0]["text"] in html
    assert "Yes / No / Not known" in html
    assert "The front door screens with this version." in html
    entry = AccessLogEntry.objects.latest("seq")
    assert (entry.action, entry.object_id) == ("view", "1")


def test_an_earlier_version_says_so_and_offers_to_start_from_it(admin: Any, client: Any) -> None:
    screening_tool_save(actor=admin, definition=changed(), note="Young carers")
    html = page(client.get(version_url(1)))
    assert "This is an earlier version" in html
    assert f"{EDIT}?from=1" in html
    editor = page(client.get(EDIT + "?from=1"))
    assert "young_carer" not in editor  # version 1's text, to go back to it
    assert 'name="based_on" value="2"' in editor  # saving it makes version 3


def test_a_version_there_is_not_is_404(admin: Any, client: Any) -> None:
    assert client.get(version_url(99)).status_code == 404
    assert client.get(EDIT + "?from=99").status_code == 404


# -- the editor --------------------------------------------------------------------------------


def test_the_editor_is_prefilled_with_the_current_version(admin: Any, client: Any) -> None:
    response = client.get(EDIT)
    assert response.status_code == 200
    html = page(response)
    textarea = html.split("<textarea")[1].split("</textarea>")[0].split(">", 1)[1]
    assert json.loads(textarea) == default_definition()
    assert 'name="based_on" value="1"' in html
    assert "this stores version 2" in html


def test_saving_makes_the_next_version(admin: Any, client: Any) -> None:
    response = post(client, changed(), note="Young carers")
    assert response.status_code == 302
    assert response["Location"] == version_url(2)
    tool = ScreeningTool.objects.get(version=2)
    assert (tool.note, tool.created_by, tool.definition) == ("Young carers", admin, changed())
    save = AccessLogEntry.objects.filter(action="admin").latest("seq")
    assert (save.object_type, save.object_id, save.username) == ("screening_tool", "2", "admin")
    assert save.detail["changes"] == {"questions_added": ["young_carer"]}
    html = page(client.get(response["Location"]))
    assert "Saved version 2 of the screening tool" in html
    assert "Is the child a young carer?" in html and "Caring at home" in html


def test_every_error_is_shown_and_what_was_typed_is_kept(admin: Any, client: Any) -> None:
    definition = default_definition()
    definition["sections"][0]["title"] = ""
    definition["levels"][1]["label"] = 7
    definition["rules"][0]["forbid"] = "lowest"
    typed = json.dumps(definition, indent=3) + "\n"
    response = post(client, typed, note="My <b>note</b>")
    assert response.status_code == 200
    html = page(response)
    assert "<title>Error: Edit the screening tool" in html
    summary = html.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert summary.count('<li><a href="#id_definition">') == 3
    assert "Section 1: 'title' must be non-empty text" in summary
    assert "Level 2: 'label' must be non-empty text" in summary
    assert "Rule 1: forbids level 'lowest', which the tool has not got" in summary
    assert "3 problems:" in html  # the message beside the field lists them too
    assert 'class="govuk-textarea govuk-textarea--error"' in html
    textarea = response.content.decode().split("<textarea")[1].split("</textarea>")[0]
    assert unescape(textarea.split(">", 1)[1]).strip("\n") == typed.strip("\n")
    assert "My &lt;b&gt;note&lt;/b&gt;" in response.content.decode()
    assert ScreeningTool.objects.count() == 1


def test_text_that_is_not_json_says_where(admin: Any, client: Any) -> None:
    response = post(client, '{"name": "Tool",\n "sections": [,]}')
    html = page(response)
    assert "The tool is not valid JSON: line 2, column 15" in html
    assert '{"name": "Tool",\n "sections": [,]}' in html
    assert ScreeningTool.objects.count() == 1


def test_an_empty_definition_is_refused(admin: Any, client: Any) -> None:
    html = page(post(client, "   "))
    assert '<a href="#id_definition">Enter the tool\'s definition as JSON</a>' in html


def test_a_note_too_long_is_refused(admin: Any, client: Any) -> None:
    html = page(post(client, changed(), note="x" * 301))
    assert '<a href="#id_note">The note must be 300 characters or fewer</a>' in html
    assert ScreeningTool.objects.count() == 1


def test_the_same_definition_stores_nothing(admin: Any, client: Any) -> None:
    html = page(post(client, default_definition(), note="Nothing"))
    assert "The tool is the same as version 1, the current one" in html
    assert ScreeningTool.objects.count() == 1


def test_a_version_saved_by_someone_else_meanwhile_is_never_overwritten(
    admin: Any, demo: dict[str, Any], client: Any
) -> None:
    opened = page(client.get(EDIT))
    assert 'name="based_on" value="1"' in opened
    # Another administrator's version lands while this one is editing.
    other = demo["admin"]
    other_definition = default_definition()
    other_definition["levels"].append({"code": "very_high", "label": "Very high"})
    screening_tool_save(actor=None, definition=other_definition, note="From the terminal")

    response = post(client, changed(), note="Young carers", based_on=1)
    assert response.status_code == 200
    html = page(response)
    assert "The command line saved version 2" in html
    assert "after you opened version 1: nothing was saved" in html
    assert f'href="{version_url(2)}"' in html
    assert "Is the child a young carer?" in html  # what was typed is kept
    assert 'name="based_on" value="2"' in html  # a second save is knowingly over version 2
    assert ScreeningTool.objects.count() == 2
    assert ScreeningTool.objects.get(version=2).note == "From the terminal"

    again = post(client, changed(), note="Young carers", based_on=2)
    assert again.status_code == 302
    assert ScreeningTool.objects.get(version=3).created_by == other


def test_a_version_says_what_it_added_and_removed_since_the_one_before(
    admin: Any, client: Any
) -> None:
    assert "Compared with" not in page(client.get(version_url(1)))
    second = changed()
    removed = second["sections"][1]["questions"].pop(0)
    screening_tool_save(actor=admin, definition=second, note="Young carers")
    html = page(client.get(version_url(2)))
    changes = html.split("Compared with version 1")[1].split("</dl>")[0]
    assert "Questions added" in changes and "Is the child a young carer?" in changes
    assert "Questions removed" in changes and removed["text"] in changes

    third = json.loads(json.dumps(second))
    third["sections"][0]["title"] = "What makes the child vulnerable"
    screening_tool_save(actor=admin, definition=third, note="Wording")
    html = page(client.get(version_url(3)))
    assert "only wording, hints or order changed" in html


def test_a_tampered_version_number_is_an_error_shown(admin: Any, client: Any) -> None:
    html = page(post(client, changed(), based_on="one"))
    assert "There is a problem" in html
    assert ScreeningTool.objects.count() == 1
