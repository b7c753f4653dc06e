"""The chronology's filters (harm type, agency, dates), on a person's record and a place's page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.http import HttpRequest

from efh.concerns.selectors.chronology import ChronologyFilters, active_harm_types
from efh.people.selectors.sources import Sources
from efh.web.forms import GovukFormMixin

DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
FILTER_FIELDS = ("harm_type", "agency", "date_from", "date_to")


class ChronologyFilterForm(GovukFormMixin, forms.Form):
    """The chronology's filters, sent by GET so that a filtered page can be bookmarked."""

    harm_type = forms.ChoiceField(label="Harm type", required=False)
    agency = forms.ChoiceField(label="Agency", required=False)
    date_from = forms.DateField(
        label="From",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 27/3/2025",
        error_messages={"invalid": "Enter a real date to filter from, for example 27/3/2025"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 31/10/2026",
        error_messages={"invalid": "Enter a real date to filter to, for example 31/10/2026"},
    )

    def __init__(
        self,
        *args: Any,
        harm_types: list[Any],
        agencies: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        harm_field = cast(forms.ChoiceField, self.fields["harm_type"])
        agency_field = cast(forms.ChoiceField, self.fields["agency"])
        harm_field.choices = [("", "All harm types")] + [(h.code, h.name) for h in harm_types]
        agency_field.choices = [("", "All agencies"), *agencies]
        for name in ("date_from", "date_to"):
            self.fields[name].widget.attrs.update(
                {"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error(
                "date_to",
                "The date to filter to must be the same as or after the date to filter from",
            )
        return data

    def filters(self) -> ChronologyFilters:
        """The filters that are valid; a field with an error is left out, not guessed at."""
        data = self.cleaned_data if self.is_bound else {}
        ok = {k: v for k, v in data.items() if k not in self.errors}
        return ChronologyFilters(
            harm_type=ok.get("harm_type") or "",
            agency=ok.get("agency") or "",
            date_from=ok.get("date_from"),
            date_to=ok.get("date_to"),
        )


def filter_form(request: HttpRequest, sources: Sources) -> ChronologyFilterForm:
    """The filter form bound to the query string (unbound when there is none)."""
    harm_types = active_harm_types()
    bound = any(k in request.GET for k in FILTER_FIELDS)
    form = ChronologyFilterForm(
        request.GET if bound else None,
        harm_types=harm_types,
        agencies=sources.agency_choices(),
    )
    form.is_valid()
    return form


def filters_requested(request: HttpRequest) -> dict[str, str]:
    """The filters as typed, for the access-log entry (what was asked for, valid or not)."""
    return {k: request.GET[k][:100] for k in FILTER_FIELDS if request.GET.get(k)}
