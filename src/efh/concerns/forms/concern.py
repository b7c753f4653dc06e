"""The "record a concern" form: one short page, everything optional that is not needed.

The page's state travels as plain form fields (``dict[str, list[str]]``, the shape a draft
stores), so that the same fields serve a full-page round trip without JavaScript, an htmx
partial update and an autosaved draft:

- ``when_day``/``when_month``/``when_year``/``when_time``: when it happened (default now);
- ``place`` (``location:<id>`` or ``organisation:<id>``), ``postcode``, ``latitude``,
  ``longitude``: where, each optional;
- ``harm_types``, ``summary`` (what happened), ``child_words``;
- ``people-<i>-person`` (an existing person) or ``people-<i>-given``/``-family``/``-dob``/
  ``-agegroup`` (a new one: ``child``, ``adult`` or ``unknown``), with ``people-<i>-role``: the
  people involved;
- ``person_query``, ``place_query``, ``new_given``/``new_family``/``new_dob_*``/
  ``new_age_group``: the search and add boxes, kept so that nothing typed is lost.

Limits, postcodes, points and dates are checked by ``efh.concerns.validators``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from efh.concerns.models import Role
from efh.concerns.validators import (
    LIMITS,
    LONG_TEXT,
    NAME,
    age_on,
    birth_date_problem,
    borough_postcode,
    check_point,
    event_time_problem,
    in_area,
    limit_fields,
)
from efh.web.forms import GovukFormMixin

# Every field a draft keeps; anything else posted (the CSRF token, buttons) is dropped.
SIMPLE_FIELDS = (
    "when_day",
    "when_month",
    "when_year",
    "when_time",
    "place",
    "place_query",
    "postcode",
    "latitude",
    "longitude",
    "summary",
    "child_words",
    "person_query",
    "new_given",
    "new_family",
    "new_dob_day",
    "new_dob_month",
    "new_dob_year",
    "new_age_group",
)
LIST_FIELDS = ("harm_types",)
PEOPLE_KEY = re.compile(r"^people-(\d{1,3})-(person|given|family|dob|role|agegroup)$")
MAX_PEOPLE = 50
# What a draft keeps of one field: well above every field's limit, so that text over a limit is
# kept to be shortened (with the limit's message), never silently cut to fit.
MAX_FIELD_CHARS = 5 * LONG_TEXT

TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")

AGE_GROUPS = [
    ("child", "A child (under 18)"),
    ("adult", "An adult (18 or over)"),
    ("unknown", "Not known"),
]
AGE_GROUP_LABELS = {"child": "Child", "adult": "Adult", "unknown": "Age not known"}

Fields = dict[str, list[str]]


def fields_from(data: Any) -> Fields:
    """The form's own fields from a POST (or a stored draft), everything else dropped."""
    getlist = data.getlist if hasattr(data, "getlist") else lambda k: _as_list(data.get(k))
    out: Fields = {}
    for key in SIMPLE_FIELDS:
        values = getlist(key)
        if values:
            out[key] = [str(values[-1])[:MAX_FIELD_CHARS]]
    for key in LIST_FIELDS:
        values = [str(v)[:200] for v in getlist(key)]
        if values:
            out[key] = values[:100]
    for key in data.keys() if hasattr(data, "keys") else ():
        match = PEOPLE_KEY.match(key)
        if match and int(match.group(1)) < MAX_PEOPLE:
            values = getlist(key)
            if values:
                out[key] = [str(values[-1])[:400]]
    return out


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def one(fields: Fields, key: str) -> str:
    values = fields.get(key) or [""]
    return values[-1]


@dataclass
class Involved:
    """A person involved in the concern as the form holds them: an existing person (by id) or
    a new one (names and date of birth as typed), with their role."""

    person_id: int | None = None
    given: str = ""
    family: str = ""
    dob: str = ""  # ISO date, or ""
    age_group: str = ""  # a new person: "child", "adult" or "unknown"
    role: str = ""
    label: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def is_new(self) -> bool:
        return self.person_id is None

    @property
    def name(self) -> str:
        if self.is_new:
            return f"{self.given} {self.family}".strip()
        return self.label or f"Person {self.person_id}"

    @property
    def is_child(self) -> bool | None:
        """What the practitioner said of a new person (None: not known, or not said)."""
        return {"child": True, "adult": False}.get(self.age_group)

    @property
    def age_label(self) -> str:
        return AGE_GROUP_LABELS.get(self.age_group, "")

    @property
    def dob_date(self) -> date | None:
        try:
            return date.fromisoformat(self.dob) if self.dob else None
        except ValueError:
            return None


def people_from(fields: Fields) -> list[Involved]:
    """The people rows in the fields, in their order; rows naming nobody are dropped."""
    rows: dict[int, dict[str, str]] = {}
    for key, values in fields.items():
        match = PEOPLE_KEY.match(key)
        if match:
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = values[-1].strip()
    people = []
    for _, row in sorted(rows.items()):
        raw_id = row.get("person", "")
        if raw_id:
            if not raw_id.isdigit():
                continue
            people.append(Involved(person_id=int(raw_id), role=row.get("role", "")))
        elif row.get("given") or row.get("family"):
            people.append(
                Involved(
                    given=row.get("given", ""),
                    family=row.get("family", ""),
                    dob=row.get("dob", ""),
                    age_group=row.get("agegroup", ""),
                    role=row.get("role", ""),
                )
            )
    return people


def with_people(fields: Fields, people: list[Involved]) -> Fields:
    """The fields with their people rows replaced by ``people``, numbered from 0."""
    out = {k: v for k, v in fields.items() if not PEOPLE_KEY.match(k)}
    for i, person in enumerate(people[:MAX_PEOPLE]):
        if person.person_id is not None:
            out[f"people-{i}-person"] = [str(person.person_id)]
        else:
            out[f"people-{i}-given"] = [person.given]
            out[f"people-{i}-family"] = [person.family]
            out[f"people-{i}-dob"] = [person.dob]
            out[f"people-{i}-agegroup"] = [person.age_group]
        out[f"people-{i}-role"] = [person.role]
    return out


def now_fields() -> Fields:
    """When: now, in the partnership's time zone (the default for a new concern)."""
    now = timezone.localtime()
    return {
        "when_day": [str(now.day)],
        "when_month": [str(now.month)],
        "when_year": [str(now.year)],
        "when_time": [f"{now:%H:%M}"],
    }


def parse_date(day: str, month: str, year: str) -> date | None:
    """A date from the three boxes of a GOV.UK date input, or None if it is not a real date."""
    try:
        d, m, y = int(day), int(month), int(year)
        if y < 1900:
            return None
        return date(y, m, d)
    except ValueError:
        return None


REAL_DATE = {"max_length": "The date it happened must be a real date"}
REAL_BIRTH_DATE = {"max_length": "Date of birth must be a real date"}


class ConcernForm(GovukFormMixin, forms.Form):
    """The concern's own fields. Validated only when the concern is recorded; the search and
    add actions and drafts keep whatever was typed, however incomplete."""

    when_day = forms.CharField(required=False, max_length=2, error_messages=REAL_DATE)
    when_month = forms.CharField(required=False, max_length=2, error_messages=REAL_DATE)
    when_year = forms.CharField(required=False, max_length=4, error_messages=REAL_DATE)
    when_time = forms.CharField(
        required=False,
        max_length=5,
        label="Time",
        help_text="Use the 24-hour clock, for example 14:30",
        error_messages={"max_length": "Enter a real time in the 24-hour clock, like 14:30"},
    )
    place = forms.CharField(required=False, widget=forms.HiddenInput)
    postcode = forms.CharField(
        required=False,
        max_length=10,
        label="Postcode",
        help_text="For example, E8 1EA",
        error_messages={"max_length": "Enter a real postcode, like E8 1EA"},
    )
    latitude = forms.CharField(required=False, max_length=20, label="Latitude")
    longitude = forms.CharField(required=False, max_length=20, label="Longitude")
    harm_types = forms.MultipleChoiceField(
        required=False,
        label="Harm types",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select harm types from the list"},
    )
    summary = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=LIMITS["summary"][1],
        strip=False,  # stored exactly as typed
        error_messages={"required": "Enter what happened"},
    )
    child_words = forms.CharField(
        required=False,
        label="The child's own words",
        help_text="What the child said, as they said it, if they said anything",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=LIMITS["child_words"][1],
        strip=False,
    )

    def __init__(self, *args: Any, harm_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_fields(self)
        harm_field = self.fields["harm_types"]
        assert isinstance(harm_field, forms.MultipleChoiceField)
        harm_field.choices = harm_choices
        self.fields["postcode"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-10", "autocomplete": "postal-code"}
        )
        for name in ("latitude", "longitude"):
            self.fields[name].widget.attrs.update(
                {"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}
            )
        self.fields["when_time"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-5", "inputmode": "numeric"}
        )
        self.occurred_at: datetime | None = None

    def clean_summary(self) -> str:
        value: str = self.cleaned_data["summary"]
        if not value.strip():
            raise forms.ValidationError("Enter what happened")
        return value

    def clean_postcode(self) -> str:
        """Where it happened: a real postcode in the partnership's area."""
        value: str = self.cleaned_data["postcode"].strip()
        return borough_postcode(value) if value else ""

    def _coordinate(self, name: str, label: str, limit: int) -> float | None:
        text = self.cleaned_data.get(name, "").strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise forms.ValidationError(
                f"{label} must be a number, like {'51.5465' if limit == 90 else '-0.0553'}"
            ) from None
        if not -limit <= value <= limit:
            raise forms.ValidationError(f"{label} must be between -{limit} and {limit}")
        return value

    def clean_latitude(self) -> float | None:
        return self._coordinate("latitude", "Latitude", 90)

    def clean_longitude(self) -> float | None:
        return self._coordinate("longitude", "Longitude", 180)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self._clean_when(data)
        lat, lng = data.get("latitude"), data.get("longitude")
        if "latitude" not in self.errors and "longitude" not in self.errors:
            if lat is not None and lng is None:
                self.add_error("longitude", "Enter a longitude as well as a latitude")
            elif lng is not None and lat is None:
                self.add_error("latitude", "Enter a latitude as well as a longitude")
            elif lat is not None and lng is not None and not in_area(lat, lng):
                try:
                    check_point(lat, lng)
                except forms.ValidationError as error:
                    self.add_error("latitude", error)
        return data

    def _clean_when(self, data: dict[str, Any]) -> None:
        day, month, year = (data.get(f"when_{p}", "").strip() for p in ("day", "month", "year"))
        clock = data.get("when_time", "").strip()
        if not (day or month or year):
            self.add_error("when_day", "Enter the date it happened")
            return
        if not (day and month and year):
            missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
            self.add_error("when_day", f"The date it happened must include a {missing[0]}")
            return
        if len(year) != 4:
            self.add_error("when_day", "Year must include 4 numbers")
            return
        when = parse_date(day, month, year)
        if when is None:
            self.add_error("when_day", "The date it happened must be a real date")
            return
        if not clock:
            self.add_error("when_time", "Enter the time it happened, or your best guess")
            return
        match = TIME.match(clock)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            self.add_error("when_time", "Enter a real time in the 24-hour clock, like 14:30")
            return
        occurred = timezone.make_aware(
            datetime.combine(when, time(int(match.group(1)), int(match.group(2))))
        )
        now = timezone.now()
        problem = event_time_problem(occurred, now=now, question="The date and time it happened")
        if problem:
            self.add_error("when_day", problem)
            return
        self.occurred_at = min(occurred, now)


class NewPersonForm(GovukFormMixin, forms.Form):
    """The "add a new person" box: checked when its button is pressed, before the person joins
    the list (the person record is created only when the concern is recorded)."""

    new_given = forms.CharField(
        label="Given name",
        max_length=NAME,
        error_messages={"required": "Enter the new person's given name"},
    )
    new_family = forms.CharField(
        label="Family name",
        max_length=NAME,
        error_messages={"required": "Enter the new person's family name"},
    )
    new_dob_day = forms.CharField(required=False, max_length=2, error_messages=REAL_BIRTH_DATE)
    new_dob_month = forms.CharField(required=False, max_length=2, error_messages=REAL_BIRTH_DATE)
    new_dob_year = forms.CharField(required=False, max_length=4, error_messages=REAL_BIRTH_DATE)
    new_age_group = forms.ChoiceField(
        label="Is this person a child or an adult?",
        choices=AGE_GROUPS,
        error_messages={
            "required": "Select whether the new person is a child, an adult or not known",
            "invalid_choice": "Select whether the new person is a child, an adult or not known",
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [data.get(f"new_dob_{p}", "").strip() for p in ("day", "month", "year")]
        data["dob"] = None
        if any(parts):
            if not all(parts) or len(parts[2]) != 4:
                self.add_error("new_dob_day", "Enter the whole date of birth, or leave it blank")
                return data
            dob = parse_date(*parts)
            if dob is None:
                self.add_error("new_dob_day", "Date of birth must be a real date")
                return data
            today = timezone.localdate()
            group = data.get("new_age_group")
            problem = birth_date_problem(dob, today=today, child=group == "child")
            age = age_on(dob, today)
            if problem is None and group == "child" and age >= 18:
                problem = (
                    f"Date of birth makes them {age}: select adult, or check the date of birth"
                )
            if problem is None and group == "adult" and age < 18:
                problem = (
                    f"Date of birth makes them {age}: select child, or check the date of birth"
                )
            if problem:
                self.add_error("new_dob_day", problem)
            else:
                data["dob"] = dob
        return data


def as_querydict(fields: Fields) -> MultiValueDict[str, str]:
    return MultiValueDict(fields)


def initial_from(fields: Fields) -> dict[str, Any]:
    """Initial values to show the fields as typed, without validating them."""
    initial: dict[str, Any] = {k: one(fields, k) for k in SIMPLE_FIELDS if k in fields}
    initial["harm_types"] = fields.get("harm_types", [])
    return initial


ROLE_CHOICES = Role.choices
