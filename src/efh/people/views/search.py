"""Search people: the form, its checks, and the one access-log entry each search writes.

The form is posted, not sent in the query string, so that a child's name, date of birth or NHS
number never lands in a browser's history, a proxy's log or a ``Referer`` header; the price is
that reloading the results asks to resend the form.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from efh.people.policy import can_break_glass, can_search
from efh.people.search_index import (
    POSTCODE_DISTRICT,
    POSTCODE_FULL,
    canonical_identifier,
    canonical_postcode,
    words,
)
from efh.people.selectors.search import (
    LIMIT,
    Group,
    SearchTerms,
    born_between,
    people_search,
)
from efh.people.services.viewed import people_searched
from efh.web.forms import GovukFormMixin

MONTHS = {
    name: n
    for n, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
NHS = re.compile(r"^[0-9]{10}$")
UPN = re.compile(r"^[A-Z][0-9]{11}[0-9A-Z]$")
PNC = re.compile(r"^([0-9]{2}|[0-9]{4})/[0-9]{1,7}[A-Z]$")
PNC_RUN = re.compile(r"^[0-9]{3,11}[A-Z]$")
OLDEST = 1900
MAX_AGE = 120
DOB_PARTS = ("dob_day", "dob_month", "dob_year")
AGE_PARTS = ("age_from", "age_to")
TYPED = ("name", *DOB_PARTS, *AGE_PARTS, "identifier", "postcode")


def nhs_check_digit_ok(number: str) -> bool:
    """The NHS number's modulus 11 check (the importer refuses numbers that fail it)."""
    total = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


class SearchForm(GovukFormMixin, forms.Form):
    """Every field is optional; at least one must be given. Errors use the GOV.UK wording
    patterns (date input, whole numbers, ranges) and name what to type instead."""

    name = forms.CharField(
        label="Name",
        required=False,
        max_length=100,
        help_text="Given name, family name, alias or street name. Spelling need not be exact.",
    )
    dob_day = forms.CharField(label="Day", required=False, max_length=4)
    dob_month = forms.CharField(label="Month", required=False, max_length=10)
    dob_year = forms.CharField(label="Year", required=False, max_length=6)
    age_from = forms.CharField(label="From", required=False, max_length=4)
    age_to = forms.CharField(label="To", required=False, max_length=4)
    identifier = forms.CharField(
        label="NHS number, UPN or PNC ID",
        required=False,
        max_length=30,
        help_text="For example, 485 777 3456, A123456789012 or 21/1234567A",
    )
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=10,
        help_text="A full postcode, like E8 1AB, or a postcode district, like E8",
    )

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["name"].error_messages["max_length"] = "Name must be 100 characters or fewer"
        for name in ("dob_day", "dob_month", "dob_year", "age_from", "age_to"):
            field = self.fields[name]
            field.widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
            field.error_messages["max_length"] = {
                "dob_day": "Date of birth must be a real date",
                "dob_month": "Date of birth must be a real date",
                "dob_year": "Year must include 4 numbers",
                "age_from": "Age from must be a whole number between 0 and 120",
                "age_to": "Age to must be a whole number between 0 and 120",
            }[name]
        self.fields["dob_month"].widget.attrs.pop("inputmode")  # "March" is fine too
        self.fields["identifier"].error_messages["max_length"] = (
            "Enter an NHS number, a UPN or a PNC ID, like 21/1234567A"
        )
        self.fields["identifier"].widget.attrs.update(
            {"spellcheck": "false", "autocomplete": "off"}
        )
        self.fields["postcode"].error_messages["max_length"] = (
            "Enter a full postcode, like E8 1AB, or a postcode district, like E8"
        )
        self.fields["postcode"].widget.attrs.update(
            {
                "autocomplete": "off",
                "spellcheck": "false",
                "class": "govuk-input govuk-input--width-10",
            }
        )
        self.fields["name"].widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    # -- checks -----------------------------------------------------------------------------

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if name and not words(name):
            raise forms.ValidationError("Name must include letters or numbers")
        return name

    def clean_identifier(self) -> str:
        typed = self.cleaned_data["identifier"].strip()
        if not typed:
            return ""
        value = canonical_identifier(typed)
        if NHS.match(value):
            if not nhs_check_digit_ok(value):
                raise forms.ValidationError(
                    "That is not a valid NHS number: check the 10 digits and try again"
                )
        elif not (UPN.match(value) or PNC.match(value) or PNC_RUN.match(value)):
            raise forms.ValidationError(
                "Enter an NHS number (10 digits), a UPN (a letter and 12 more letters or "
                "numbers) or a PNC ID, like 21/1234567A"
            )
        return typed

    def clean_postcode(self) -> str:
        typed = self.cleaned_data["postcode"].strip()
        if not typed:
            return ""
        compact = canonical_postcode(typed).replace(" ", "")
        if not (POSTCODE_FULL.match(compact) or POSTCODE_DISTRICT.match(compact)):
            raise forms.ValidationError(
                "Enter a full postcode, like E8 1AB, or a postcode district, like E8"
            )
        return typed

    def _date_of_birth(self) -> date | None:
        day, month, year = (self.cleaned_data.get(p, "").strip() for p in DOB_PARTS)
        if not (day or month or year):
            return None
        missing = [
            label for label, value in (("day", day), ("month", month), ("year", year)) if not value
        ]
        if missing:
            message = "Date of birth must include a " + " and ".join(missing)
            for part, value in zip(DOB_PARTS, (day, month, year), strict=True):
                if not value:
                    self.add_error(part, message)
            return None
        month_number: int | None = MONTHS.get(month.casefold()) or (
            int(month) if month.isdigit() else None
        )
        if not year.isdigit() or len(year) != 4:
            self.add_error("dob_year", "Year must include 4 numbers")
            return None
        try:
            if not day.isdigit() or month_number is None:
                raise ValueError
            born = date(int(year), month_number, int(day))
        except ValueError:
            for part in DOB_PARTS:
                self.add_error(part, "Date of birth must be a real date")
            return None
        if born > self.today:
            for part in DOB_PARTS:
                self.add_error(part, "Date of birth must be today or in the past")
            return None
        if born.year < OLDEST:
            self.add_error("dob_year", f"Date of birth must be after {OLDEST}")
            return None
        return born

    def _age(self, part: str, label: str) -> int | None:
        value = self.cleaned_data.get(part, "").strip()
        if not value:
            return None
        if not value.isdigit():
            self.add_error(part, f"{label} must be a whole number, like 14")
            return None
        if int(value) > MAX_AGE:
            self.add_error(part, f"{label} must be {MAX_AGE} or less")
            return None
        return int(value)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        born = self._date_of_birth()
        age_from = self._age("age_from", "Age from")
        age_to = self._age("age_to", "Age to")
        if age_from is not None and age_to is not None and age_from > age_to:
            self.add_error("age_to", "Age to must be the same as or more than age from")
        if born and (age_from is not None or age_to is not None):
            self.add_error("dob_day", "Enter a date of birth or an age range, not both")
        data["date_of_birth"] = born
        data["ages"] = (age_from, age_to)
        if not self.errors and not self.typed():
            # Shown at the first field, as GOV.UK asks when no one field is to blame.
            self.add_error(
                "name",
                "Enter a name, date of birth, age range, NHS number, UPN, PNC ID or postcode",
            )
        return data

    # -- for the page and the log ------------------------------------------------------------

    @property
    def summary(self) -> list[tuple[str, str]]:
        """The error summary: (the id of the input to link to, message), once per message, in
        the order of the form (a date's three inputs give one message)."""
        items: list[tuple[str, str]] = []
        for error in self.non_field_errors():
            items.append((self["name"].id_for_label, str(error)))
        for name in TYPED:
            for error in self.errors.get(name, []):
                if all(message != str(error) for _anchor, message in items):
                    items.append((self[name].id_for_label, str(error)))
        return items

    def part_errors(self, parts: tuple[str, ...]) -> str:
        """The first message of a group of inputs (a date, an age range)."""
        for part in parts:
            if self.errors.get(part):
                return str(self.errors[part][0])
        return ""

    @property
    def dob_error(self) -> str:
        return self.part_errors(DOB_PARTS)

    @property
    def age_error(self) -> str:
        return self.part_errors(AGE_PARTS)

    def typed(self) -> dict[str, str]:
        """What was typed, as typed (for the access log)."""
        return {
            name: value.strip()
            for name in TYPED
            if isinstance(value := self.data.get(name, ""), str) and value.strip()
        }

    def terms(self) -> SearchTerms:
        data = self.cleaned_data
        after, on_or_before = born_between(self.today, *data["ages"])
        return SearchTerms(
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            born_after=after,
            born_on_or_before=on_or_before,
            identifier=data["identifier"],
            postcode=data["postcode"],
        )


GROUP_HEADINGS = {
    Group.CHILDREN: "Children",
    Group.ADULTS: "Adults",
    Group.UNKNOWN: "Age not recorded",
}


@login_required
@require_http_methods(["GET", "POST"])
def search(request: HttpRequest) -> HttpResponse:
    """Search people (``people:search``). Needs casework; writes one access-log entry per
    search, with what was typed and who was shown (named, or as "known to" only)."""
    user: Any = request.user
    if not can_search(user):
        return render(request, "people/search_refused.html", status=403)
    today = timezone.localdate()
    form = SearchForm(request.POST if request.method == "POST" else None, today=today)
    context: dict[str, Any] = {
        "form": form,
        "limit": LIMIT,
        "can_break_glass": can_break_glass(user),
    }
    if form.is_bound and form.is_valid():
        with transaction.atomic():
            results = people_search(user, form.terms(), today=today)
            people_searched(
                actor=user,
                detail={
                    "terms": form.typed(),
                    "results": results.result_ids,
                    "restricted": results.restricted_ids,
                },
                request=request,
            )
        context["results"] = results
        context["lists"] = [
            (group, GROUP_HEADINGS[group], results.lists[group], results.more[group])
            for group in Group
            if results.lists[group]
        ]
    return render(request, "people/search.html", context)
