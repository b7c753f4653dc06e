"""Forms of the need-to-know screens (breaking the glass, recording an information-sharing
decision) and of identity linkage (review decisions, merges, unmerges). The rules themselves are
the services' (``people.services``); these forms collect the input, give each mistake a GOV.UK
message in its place, and keep what was typed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from efh.accounts.models import Agency, User
from efh.core.access import Capability
from efh.people.models import (
    LawfulBasis,
    LinkDecisionKind,
    SharingScope,
    SpecialCategoryCondition,
)
from efh.web.forms import GovukFormMixin, GovukRadios

UNKNOWN_RECIPIENT = (
    "Enter the username of a practitioner whose role opens children’s records, "  # noqa: RUF001
    "exactly as they sign in"
)


class BreakGlassForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this record now?",
        help_text=(
            "Say what has happened and why it cannot wait for the front door, for example: "
            "“Found at a railway station at 2am with an older adult; need to know whether she "
            "is reported missing.”"
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        error_messages={
            "required": "Enter why you need to open this record",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )


CONSENT_CHOICES = [
    ("yes", "Yes, consent was given"),
    ("no", "No, consent was refused, and sharing overrides that"),
    ("not_sought", "Consent was not sought"),
]
CONSENT_VALUES: dict[str, bool | None] = {"yes": True, "no": False, "not_sought": None}

RECIPIENT_CHOICES = [
    ("agency", "An agency: everyone there with a casework role"),
    ("user", "One named person"),
]


class SharingForm(GovukFormMixin, forms.Form):
    """An information-sharing decision, as DfE's information-sharing advice (2024) asks it to be
    recorded: with whom, what, why, the lawful basis and condition, and consent."""

    recipient_kind = forms.ChoiceField(
        label="Who are you sharing the record with?",
        choices=RECIPIENT_CHOICES,
        widget=GovukRadios,
        error_messages={
            "required": "Choose whether you are sharing with an agency or a person",
            "invalid_choice": "Choose whether you are sharing with an agency or a person",
        },
    )
    to_agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.order_by("name"),
        required=False,
        empty_label="Choose an agency",
        error_messages={"invalid_choice": "Choose an agency from the list"},
    )
    to_user = forms.CharField(
        label="Username of the person",
        required=False,
        max_length=150,
        help_text="As they sign in to this service",
        error_messages={"max_length": "The username must be 150 characters or fewer"},
    )
    scope = forms.ChoiceField(
        label="What are you sharing?",
        choices=SharingScope.choices,
        widget=GovukRadios,
        error_messages={
            "required": "Choose what you are sharing",
            "invalid_choice": "Choose what you are sharing",
        },
    )
    purpose = forms.CharField(
        label="Why are you sharing it?",
        help_text="The safeguarding purpose, in words the recipient and an auditor will follow",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        error_messages={
            "required": "Say why you are sharing this record",
            "invalid_choice": "Say why you are sharing this record",
            "max_length": "Why you are sharing it must be 4,000 characters or fewer",
        },
    )
    lawful_basis = forms.ChoiceField(
        label="Lawful basis (UK GDPR Article 6)",
        choices=LawfulBasis.choices,
        widget=GovukRadios,
        help_text="For most safeguarding sharing by public bodies this is public task",
        error_messages={
            "required": "Choose the lawful basis",
            "invalid_choice": "Choose the lawful basis",
        },
    )
    condition = forms.ChoiceField(
        label="Condition for special category data (UK GDPR Article 9)",
        choices=SpecialCategoryCondition.choices,
        widget=GovukRadios,
        help_text="Health, ethnicity, sexual life and similar details are special category data",
        error_messages={
            "required": "Choose the condition for special category data",
            "invalid_choice": "Choose the condition for special category data",
        },
    )
    consent = forms.ChoiceField(
        label="Was consent obtained?",
        choices=CONSENT_CHOICES,
        widget=GovukRadios,
        help_text="From the child, or from a parent where the child cannot consent",
        error_messages={
            "required": "Choose whether consent was obtained",
            "invalid_choice": "Choose whether consent was obtained",
        },
    )
    consent_override_reason = forms.CharField(
        label="Why consent was not sought, or why it was overridden",
        required=False,
        help_text=(
            "Required unless consent is the basis, for example: seeking consent would place "
            "the child at greater risk"
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        error_messages={
            "max_length": "Why consent was not sought or was overridden must be 4,000 "
            "characters or fewer"
        },
    )
    expires_day = forms.CharField(label="Day", required=False, max_length=2)
    expires_month = forms.CharField(label="Month", required=False, max_length=2)
    expires_year = forms.CharField(label="Year", required=False, max_length=4)

    EXPIRY_PARTS = ("expires_day", "expires_month", "expires_year")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].widget.attrs.update(
            {"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        )
        for name, width in zip(self.EXPIRY_PARTS, (2, 2, 4), strict=True):
            self.fields[name].widget.attrs.update(
                {
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{width}",
                    "inputmode": "numeric",
                }
            )
        self.expiry_error = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("recipient_kind")
        if kind == "agency":
            cleaned["to_user"] = None
            if cleaned.get("to_agency") is None and "to_agency" not in self.errors:
                self.add_error("to_agency", "Choose the agency you are sharing with")
        elif kind == "user":
            cleaned["to_agency"] = None
            username = (cleaned.get("to_user") or "").strip()
            recipient = (
                User.objects.filter(username__iexact=username, is_active=True).first()
                if username
                else None
            )
            if not username:
                self.add_error("to_user", "Enter the username of the person you are sharing with")
            elif recipient is None or not recipient.can(Capability.CASEWORK):
                # One message whether the account is missing, inactive or in a role that opens
                # no records: the form must not tell anyone which usernames exist.
                self.add_error("to_user", UNKNOWN_RECIPIENT)
                recipient = None
            cleaned["to_user"] = recipient
        cleaned["consent_obtained"] = CONSENT_VALUES.get(cleaned.get("consent", ""))
        cleaned["expires_at"] = self._expiry(cleaned)
        return cleaned

    def _expiry(self, cleaned: dict[str, Any]) -> datetime | None:
        """The optional expiry date, from the GOV.UK three-box date input; the decision lapses
        at the end of that day."""
        parts = [str(cleaned.get(name) or "").strip() for name in self.EXPIRY_PARTS]
        if not any(parts):
            return None
        labels = ("a day", "a month", "a year")
        missing = [label for part, label in zip(parts, labels, strict=True) if not part]
        message = ""
        day: date | None = None
        if missing:
            message = f"The expiry date must include {' and '.join(missing)}"
        elif not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
            message = "The expiry date must be a real date, like 31 3 2027"
        else:
            try:
                day = date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                message = "The expiry date must be a real date, like 31 3 2027"
        if day is not None and day < timezone.localdate():
            message = "The expiry date must be today or in the future"
        if message:
            self.expiry_error = message
            self.add_error("expires_day", message)
            return None
        assert day is not None
        return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))

    # Where each of the service's field errors belongs on this form.
    SERVICE_PLACES = {
        "to_agency": "recipient_kind",
        "to_user": "recipient_kind",
        "consent_obtained": "consent",
    }


# --- Identity linkage: review decisions, merges and unmerges -----------------------------------


class LinkDecisionForm(GovukFormMixin, forms.Form):
    """A reviewer's decision on a pair of records (``people.services.link_decide``)."""

    decision = forms.ChoiceField(
        label="Are these records about the same person?",
        choices=LinkDecisionKind.choices,
        widget=GovukRadios,
        error_messages={
            "required": "Choose whether these records are about the same person",
            "invalid_choice": "Choose whether these records are about the same person",
        },
    )
    note = forms.CharField(
        label="Note (optional)",
        required=False,
        help_text="What decided it, for the next reviewer and the audit, for example: "
        "“Same NHS number; the school record has her nickname.”",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The note must be 2,000 characters or fewer"},
    )


class MergeReasonForm(GovukFormMixin, forms.Form):
    """Why two people are merged, or a merge is undone: required, and logged with the change."""

    reason = forms.CharField(
        label="Why?",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        error_messages={
            "required": "Enter the reason",
            "max_length": "The reason must be 2,000 characters or fewer",
        },
    )

    def __init__(
        self,
        *args: Any,
        label: str = "",
        help_text: str = "",
        required_message: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        reason = self.fields["reason"]
        reason.label = label or reason.label
        reason.help_text = help_text
        if required_message:
            reason.error_messages["required"] = required_message
