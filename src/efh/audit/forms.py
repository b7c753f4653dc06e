"""Forms of the auditor's screens: filtering the access log and reviewing a break-glass access."""

from __future__ import annotations

from typing import Any

from django import forms

from efh.audit.selectors import LogFilter
from efh.core.models import AccessAction, ObjectType
from efh.people.models import BreakGlassDecision
from efh.web.forms import DayField, GovukFormMixin, GovukRadios


class LogFilterForm(GovukFormMixin, forms.Form):
    """Narrow a list of access-log entries. Sent by GET, so a filtered list can be bookmarked."""

    username = forms.CharField(
        label="Username", required=False, max_length=150, help_text="Exactly as they sign in"
    )
    action = forms.ChoiceField(
        label="Action", required=False, choices=[("", "Any action"), *AccessAction.choices]
    )
    object_type = forms.ChoiceField(
        label="Type of object",
        required=False,
        choices=[("", "Any type"), *sorted(ObjectType.choices, key=lambda c: c[1])],
        error_messages={"invalid_choice": "Choose a type of object from the list"},
    )
    object_id = forms.CharField(label="Object ID", required=False, max_length=100)
    break_glass_only = forms.BooleanField(label="Only break-glass accesses", required=False)
    date_from = DayField(label="From", what="the date from")
    date_to = DayField(label="To", what="the date to")

    def __init__(self, *args: Any, without: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in without:  # a screen already fixed to one user or one person
            del self.fields[name]
        for name in ("username", "object_id"):
            if name in self.fields:
                self.fields[name].widget.attrs.update(
                    {"autocomplete": "off", "spellcheck": "false"}
                )
        if "object_id" in self.fields:
            self.fields["object_id"].widget.attrs["class"] = "govuk-input govuk-input--width-10"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The date to must be the same as or after the date from")
        return cleaned

    def log_filter(self) -> LogFilter:
        """The filter the valid form describes (call after ``is_valid()``)."""
        data = self.cleaned_data
        return LogFilter(
            username=data.get("username", ""),
            action=data.get("action", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            break_glass_only=bool(data.get("break_glass_only")),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class BreakGlassReviewForm(GovukFormMixin, forms.Form):
    """An auditor's decision on one break-glass access. The rules (a note unless justified)
    are the service's; the form only gives them GOV.UK wording and places."""

    decision = forms.ChoiceField(
        label="Was this access justified?",
        choices=BreakGlassDecision.choices,
        widget=GovukRadios,
        error_messages={
            "required": "Choose whether the access was justified",
            "invalid_choice": "Choose whether the access was justified",
        },
    )
    note = forms.CharField(
        label="Review note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="Required unless the access was justified: what was wrong, and what happens next",
    )
