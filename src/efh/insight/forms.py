"""Forms of the intelligence pages: a candidate's review (confirm or dismiss, with a required
reason), and the filters of the candidate lists and the hotspot table (sent by GET, so that a
filtered page can be bookmarked). The rules are the services'; these collect the input and give
each mistake a GOV.UK message in its place."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from efh.insight.models import HotspotStatus, ReviewDecision, ReviewStatus
from efh.web.forms import GovukFormMixin, GovukRadios


class ReviewForm(GovukFormMixin, forms.Form):
    decision = forms.ChoiceField(
        label="Your decision on this candidate for professional review",
        choices=ReviewDecision.choices,
        widget=GovukRadios,
        error_messages={
            "required": "Choose whether to confirm or dismiss this candidate",
            "invalid_choice": "Choose whether to confirm or dismiss this candidate",
        },
    )
    reason = forms.CharField(
        label="Reason",
        help_text="Say what decided it, for the next reviewer and the audit, for example: "
        "“Known to the panel as a group; joint safety planning agreed.”",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason for your decision",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise forms.ValidationError("Enter the reason for your decision")
        return reason


class StatusFilterForm(GovukFormMixin, forms.Form):
    status = forms.ChoiceField(
        label="Review status",
        required=False,
        choices=[("", "All"), *ReviewStatus.choices],
    )


class HotspotFilterForm(GovukFormMixin, forms.Form):
    harm_type = forms.ChoiceField(label="Harm type", required=False)
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "All statuses")]
        + [(v, label.split(":")[0]) for v, label in HotspotStatus.choices],
    )

    def __init__(self, *args: Any, harm_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["harm_type"])
        field.choices = [("", "All harm types"), *harm_choices]

    def value(self, name: str) -> str:
        if not self.is_bound or not self.is_valid():
            return ""
        return str(self.cleaned_data.get(name) or "")
