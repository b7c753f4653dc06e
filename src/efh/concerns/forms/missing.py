"""Forms for missing episodes, return home interviews and Philomena profiles.

Dates and times are asked for the GOV.UK way: day, month and year boxes, and a time box that
takes ``21:30``, ``9:30pm``, ``midday`` or ``midnight``. Each message names the question, so the
error summary reads on its own ("When they went missing must include a year").

The forms only check what the person typed; whether they may name a companion is decided by a
function the view passes in, built on ``people.policy``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from efh.concerns.models import MissingFrom
from efh.concerns.services.missing import PHOTO_MAX_BYTES, photo_type
from efh.concerns.validators import (
    EARLIEST_EVENT_YEAR,
    LIMITS,
    LOOKS_LIKE_POSTCODE,
    limit_fields,
    normalise_postcode,
    uk_postcode,
)
from efh.core import clock
from efh.web.forms import GovukFormMixin

TIME_RE = re.compile(r"^(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE)


def parse_time(text: str) -> time | None:
    """``21:30``, ``9:30pm``, ``9pm``, ``midday``, ``midnight`` -> a time; None if not a time."""
    text = text.strip().lower()
    if text in {"midday", "noon", "12 noon"}:
        return time(12, 0)
    if text == "midnight":
        return time(0, 0)
    match = TIME_RE.match(text)
    if not match:
        return None
    hour, minute, suffix = int(match[1]), int(match[2] or 0), (match[3] or "").replace(".", "")
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    elif match[2] is None:
        return None  # "9" alone: am or pm?
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TemplatedField:
    """Renders with its own GOV.UK field template (``Field.__init__`` would set ``None``)."""

    field_template = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("template_name", self.field_template)
        super().__init__(*args, **kwargs)


class DateTimeInput(forms.MultiWidget):
    """Day, month, year and time boxes (GOV.UK date input with a time input beside it)."""

    template_name = "concerns/missing_widget_datetime.html"
    parts = [("day", "Day"), ("month", "Month"), ("year", "Year"), ("time", "Time")]

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        widths = {"day": 2, "month": 2, "year": 4, "time": 5}
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            name: forms.TextInput(
                attrs={
                    "class": f"govuk-input govuk-date-input__input govuk-input--width-{widths[name]}",
                    "inputmode": "numeric" if name != "time" else "text",
                    "autocomplete": "off",
                }
            )
            for name, _ in self.parts
        }
        super().__init__(widgets, attrs)

    def decompress(self, value: Any) -> list[str]:
        if not isinstance(value, datetime):
            return ["", "", "", ""]
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return [str(local.day), str(local.month), str(local.year), f"{local:%H:%M}"]

    def id_for_label(self, id_: str) -> str:
        return f"{id_}_0" if id_ else ""  # the day box: where the error summary links

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        attrs.pop("class", None)  # each box keeps its own GOV.UK classes
        context = super().get_context(name, value, attrs)
        invalid = bool(attrs.get("aria-invalid"))
        subwidgets = context["widget"]["subwidgets"]
        for sub, widget, (_, label) in zip(subwidgets, self.widgets, self.parts, strict=True):
            sub["label"] = label
            sub["attrs"]["class"] = widget.attrs["class"] + (
                " govuk-input--error" if invalid else ""
            )
        return context


class DateTimeField(TemplatedField, forms.Field):
    """A date and time typed in four boxes, as an aware datetime in the site's time zone.

    ``question`` is the question as it reads inside a message: "when they went missing"."""

    widget = DateTimeInput
    field_template = "concerns/missing_field_datetime.html"

    def __init__(self, *, question: str, **kwargs: Any) -> None:
        self.question = question
        super().__init__(**kwargs)

    def _message(self, text: str) -> ValidationError:
        return ValidationError(f"{self.question[0].upper()}{self.question[1:]} {text}")

    def clean(self, value: Any) -> datetime | None:
        parts = [str(p or "").strip() for p in (value or ["", "", "", ""])]
        day, month, year, clock = parts
        if not any(parts):
            if self.required:
                raise ValidationError(f"Enter {self.question}")
            return None
        missing = [
            name for name, text in zip(("day", "month", "year"), parts, strict=False) if not text
        ]
        if missing:
            raise self._message(f"must include a {' and a '.join(missing)}")
        if not clock:
            raise self._message("must include a time")
        if not (day.isdigit() and month.isdigit() and year.isdigit()):
            raise self._message("must be a real date, in numbers")
        if len(year) != 4:
            raise self._message("must have a year of four numbers, like 2026")
        try:
            when = date(int(year), int(month), int(day))
        except ValueError:
            raise self._message("must be a real date") from None
        parsed = parse_time(clock)
        if parsed is None:
            raise self._message("must have a real time, like 21:30 or 9:30pm")
        if when.year < EARLIEST_EVENT_YEAR:
            raise self._message(f"must be in {EARLIEST_EVENT_YEAR} or later")
        return timezone.make_aware(datetime.combine(when, parsed))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return True


class GovukRadios(forms.RadioSelect):
    """Radios whose field id is the first option's, so the error summary can link to it."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, index or "0")


class GovukCheckboxes(forms.CheckboxSelectMultiple):
    def id_for_label(self, id_: str, index: str | None = None) -> str:
        return super().id_for_label(id_, index or "0")


class RadiosField(TemplatedField, forms.ChoiceField):
    widget = GovukRadios
    field_template = "concerns/missing_field_choices.html"


class CheckboxesField(TemplatedField, forms.MultipleChoiceField):
    widget = GovukCheckboxes
    field_template = "concerns/missing_field_choices.html"


class CheckboxField(TemplatedField, forms.BooleanField):
    """A yes/no question as one GOV.UK checkbox."""

    field_template = "concerns/missing_field_checkbox.html"


def _not_future(field: str, value: datetime | None, question: str) -> dict[str, str]:
    if value is not None and value > clock.now():
        return {field: f"{question} must be in the past"}
    return {}


class MissingEpisodeForm(GovukFormMixin, forms.Form):
    missing_from = RadiosField(
        label="Where did they go missing from?",
        choices=MissingFrom.choices,
        error_messages={"required": "Select where they went missing from"},
    )
    went_missing_at = DateTimeField(
        label="When did they go missing?",
        question="when they went missing",
        help_text="For example, 27 3 2026 and 21:30. The last time they were seen, if not known.",
    )
    reported_at = DateTimeField(
        label="When were they reported missing?",
        question="when they were reported missing",
        required=False,
        help_text="Leave blank if they have not been reported to the police.",
    )
    returned_at = DateTimeField(
        label="When did they return? (optional)",
        question="when they returned",
        required=False,
        help_text="Leave blank if they are still missing.",
    )
    found = forms.CharField(
        label="Where were they found? (optional)",
        required=False,
        max_length=300,
        help_text="A place or a postcode, for example Clapton Square or E5 8HX.",
        error_messages={"max_length": "Where they were found must be 300 characters or fewer"},
    )
    missing_with = CheckboxesField(
        label="Who were they missing with? (optional)",
        required=False,
        help_text="People linked to this child whose records you may open.",
    )
    missing_with_other = forms.CharField(
        label="Anyone else they were missing with (optional)",
        required=False,
        max_length=200,
        help_text="Their person numbers on this platform, separated by commas, for example 1042, 2210.",
    )
    circumstances = forms.CharField(
        label="Circumstances",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=LIMITS["circumstances"][1],
        help_text="What happened before they went missing, any risks, and what is known of where they were.",
        error_messages={"required": "Enter the circumstances"},
    )

    def __init__(
        self,
        *args: Any,
        person_id: int,
        candidates: list[tuple[int, str]],
        can_open: Callable[[list[int]], set[int]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_fields(self)
        self.person_id = person_id
        self.can_open = can_open
        self.fields["missing_with"].choices = [(str(pid), label) for pid, label in candidates]  # type: ignore[attr-defined]

    def clean_found(self) -> str:
        """A place's name, or a postcode: one shaped like a postcode must be a real one (the
        child may have been found anywhere, so any UK postcode will do)."""
        text: str = self.cleaned_data.get("found", "").strip()
        if LOOKS_LIKE_POSTCODE.match(normalise_postcode(text)):
            try:
                return uk_postcode(text)
            except ValidationError:
                raise ValidationError(
                    "Enter a real postcode, like E5 8HX, or the name of the place"
                ) from None
        return text

    def clean_missing_with_other(self) -> list[int]:
        text = self.cleaned_data.get("missing_with_other", "")
        ids: list[int] = []
        for part in re.split(r"[,\s]+", text.strip()):
            if not part:
                continue
            if not part.isdigit():
                raise ValidationError(
                    "Enter person numbers only, separated by commas, for example 1042, 2210"
                )
            ids.append(int(part))
        if self.person_id in ids:
            raise ValidationError("Enter the people they were with, not the child themselves")
        refused = sorted(set(ids) - self.can_open(ids))
        if refused:
            raise ValidationError(
                f"You cannot name person {refused[0]}: there is no such person you may open"
            )
        return ids

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        went = data.get("went_missing_at")
        errors: dict[str, str] = {}
        errors |= _not_future("went_missing_at", went, "When they went missing")
        errors |= _not_future("reported_at", data.get("reported_at"), "When they were reported")
        errors |= _not_future("returned_at", data.get("returned_at"), "When they returned")
        if went is not None:
            reported, returned = data.get("reported_at"), data.get("returned_at")
            if reported is not None and reported < went and "reported_at" not in errors:
                errors["reported_at"] = "When they were reported must be after they went missing"
            if returned is not None and returned < went and "returned_at" not in errors:
                errors["returned_at"] = "When they returned must be after they went missing"
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data

    def companions(self) -> list[int]:
        chosen = [int(v) for v in self.cleaned_data.get("missing_with", [])]
        return sorted(set(chosen) | set(self.cleaned_data.get("missing_with_other", [])))


class InterviewForm(GovukFormMixin, forms.Form):
    """The return and the return home interview. ``row_hash`` is the episode's hash when the form
    was loaded: if it has changed by the time of saving, someone else saved first."""

    row_hash = forms.CharField(widget=forms.HiddenInput, required=False)
    returned_at = DateTimeField(
        label="When did they return?",
        question="when they returned",
        required=False,
        help_text="Leave blank if they are still missing.",
    )
    rhi_offered_at = DateTimeField(
        label="When was the return home interview offered? (optional)",
        question="when the interview was offered",
        required=False,
    )
    rhi_completed_at = DateTimeField(
        label="When did the return home interview take place? (optional)",
        question="when the interview took place",
        required=False,
        help_text="Leave blank if it has not happened yet.",
    )
    rhi_declined = CheckboxField(
        label="The child declined the interview",
        required=False,
    )
    rhi_by = forms.CharField(
        label="Who held the interview?",
        required=False,
        max_length=200,
        help_text=(
            "Needed once the interview has taken place. Name and agency, for example "
            "Ife Example, Safe Choices youth service."
        ),
        error_messages={"max_length": "Who held the interview must be 200 characters or fewer"},
    )
    child_said = forms.CharField(
        label="What the child said (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=LIMITS["child_said"][1],
        help_text="In their own words where you can.",
    )
    next_steps = forms.CharField(
        label="What happens next (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=LIMITS["next_steps"][1],
    )

    reason = forms.CharField(
        label="Why are you adding to or correcting this episode?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LIMITS["reason"][1],
        help_text=(
            "Another agency recorded this episode, so it stays as they recorded it and your "
            "answers are kept beside it, with your name and this reason. For example: the "
            "interview was held by our service; or, the school saw the child at 8:15am."
        ),
        error_messages={"required": "Enter why you are adding to or correcting this episode"},
    )

    def __init__(
        self, *args: Any, went_missing_at: datetime, addendum: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if not addendum:
            del self.fields["reason"]
        limit_fields(self)
        self.went_missing_at = went_missing_at

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        returned = data.get("returned_at")
        offered, completed = data.get("rhi_offered_at"), data.get("rhi_completed_at")
        errors: dict[str, str] = {}
        errors |= _not_future("returned_at", returned, "When they returned")
        errors |= _not_future("rhi_offered_at", offered, "When the interview was offered")
        errors |= _not_future("rhi_completed_at", completed, "When the interview took place")
        if returned is not None and returned < self.went_missing_at:
            errors.setdefault("returned_at", "When they returned must be after they went missing")
        interview = offered or completed or data.get("rhi_declined")
        if interview and returned is None and "returned_at" not in self.errors:
            errors.setdefault(
                "returned_at", "Enter when they returned before recording the interview"
            )
        if returned is not None:
            if offered is not None and offered < returned:
                errors.setdefault(
                    "rhi_offered_at", "When the interview was offered must be after they returned"
                )
            if completed is not None and completed < returned:
                errors.setdefault(
                    "rhi_completed_at", "When the interview took place must be after they returned"
                )
        if offered is not None and completed is not None and completed < offered:
            errors.setdefault(
                "rhi_completed_at",
                "When the interview took place must be after it was offered",
            )
        if data.get("rhi_declined") and completed is not None:
            errors.setdefault(
                "rhi_declined",
                "Untick the box for declined, or clear when the interview took place: it cannot be both",
            )
        if completed is not None and not data.get("rhi_by", "").strip():
            errors.setdefault("rhi_by", "Enter who held the interview")
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return data


class PhilomenaForm(GovukFormMixin, forms.Form):
    """The Philomena protocol's profile. ``revision`` is the profile's when the form was loaded."""

    revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text="Height, build, hair, skin, clothing usually worn, scars, tattoos, piercings.",
    )
    photo = forms.FileField(
        label="Photo (optional)",
        required=False,
        widget=forms.FileInput(
            attrs={"class": "govuk-file-upload", "accept": "image/jpeg,image/png"}
        ),
        error_messages={
            "empty": "The chosen file is empty: choose a JPEG or PNG photo",
            "invalid": "The photo could not be read: choose a JPEG or PNG photo",
        },
        help_text="A recent photo, JPEG or PNG, smaller than 2 MB.",
    )
    remove_photo = CheckboxField(label="Remove the current photo", required=False)
    friends_and_associates = forms.CharField(
        label="Friends and associates",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10000,
        help_text="Names, nicknames and where they might be found.",
    )
    addresses = forms.CharField(
        label="Addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
        help_text="Family, friends' and previous addresses they may go to.",
    )
    places_frequented = forms.CharField(
        label="Places frequented",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=10000,
    )
    phones = forms.CharField(
        label="Phones",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text="Numbers, makes and models.",
    )
    social_media = forms.CharField(
        label="Social media",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text="Apps and account names.",
    )
    transport = forms.CharField(
        label="Transport",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text="Routes, bus numbers, bikes, taxis.",
    )
    other = forms.CharField(
        label="Anything else (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10000,
        help_text="Health needs, medication, languages spoken, anything else that would help.",
    )

    def __init__(self, *args: Any, has_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_photo:
            del self.fields["remove_photo"]
        limit_fields(self)

    def clean_photo(self) -> bytes | None:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > PHOTO_MAX_BYTES:
            raise ValidationError("The photo must be smaller than 2 MB: choose a smaller one")
        data = upload.read()
        if photo_type(data) is None:
            raise ValidationError("The photo must be a JPEG or PNG: choose a different file")
        return bytes(data)

    def texts(self) -> dict[str, str]:
        from efh.concerns.services.missing import PROFILE_TEXT_FIELDS

        return {name: self.cleaned_data.get(name, "") for name in PROFILE_TEXT_FIELDS}
