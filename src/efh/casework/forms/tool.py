"""The administrator's editor of the screening tool: the definition as JSON, and a note.

The JSON is checked here (where it is not JSON, and every fault ``casework.tool`` finds in the
tool), so that the page can show every error and keep what was typed; the service checks again
before it stores a version.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms

from efh.casework.services.tool import NOTE_MAX
from efh.casework.tool import ToolInvalid, validate_definition
from efh.web.forms import GovukFormMixin


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


class ToolEditForm(GovukFormMixin, forms.Form):
    definition = forms.CharField(
        label="The tool, as JSON",
        help_text=(
            "Sections with their questions, the levels of concern, and the rules that forbid "
            "a level. Saving stores a new version; screenings keep the version they were made "
            "with."
        ),
        widget=forms.Textarea(attrs={"rows": 30, "spellcheck": "false", "autocomplete": "off"}),
        error_messages={"required": "Enter the tool's definition as JSON"},
        strip=False,
    )
    note = forms.CharField(
        label="What changed in this version",
        help_text="For example, 'Young carers added to vulnerabilities'",
        max_length=NOTE_MAX,
        required=False,
        error_messages={"max_length": f"The note must be {NOTE_MAX} characters or fewer"},
    )
    based_on = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_definition(self) -> dict[str, Any]:
        text = self.cleaned_data["definition"]
        if not text.strip():
            raise forms.ValidationError("Enter the tool's definition as JSON")
        try:
            definition = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                f"The tool is not valid JSON: line {error.lineno}, column {error.colno}: "
                f"{error.msg}"
            ) from None
        try:
            return validate_definition(definition)
        except ToolInvalid as invalid:
            raise forms.ValidationError([_sentence(e) for e in invalid.errors]) from None


def definition_text(definition: Any) -> str:
    """A definition as the editor shows it."""
    return json.dumps(definition, indent=2, ensure_ascii=False)
