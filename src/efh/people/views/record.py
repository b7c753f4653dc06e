"""A person's record page, for children and adults alike.

The view is thin: ``access_person`` fetches, authorises and logs the view (naming the sections
shown), then the selectors build the page. Three outcomes besides the full record:

- the user has no need to know: the need-to-know page, status 403, saying how many agencies know
  the person and, where the user may, offering to break the glass;
- the user is an analyst or manager without casework: the pseudonymised page;
- no such person: 404.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from efh.core.access import Capability
from efh.insight.selectors import derived_codes_for, derived_for_record
from efh.people.policy import Level, access_person
from efh.people.selectors import record as selectors
from efh.people.selectors.linking import merge_history, survivor_of
from efh.web.forms import GovukFormMixin
from efh.web.views import AuthenticatedRequest

FULL_FIELDS = [
    "identity",
    "source_records",
    "aliases",
    "addresses",
    "statuses",
    "flags",
    "chronology",
    "associations",
    "next_steps",
]
PSEUDONYMISED_FIELDS = [
    "pseudonym",
    "age_band",
    "sex",
    "ethnicity",
    "ward",
    "chronology_without_free_text",
    "association_counts",
]
DATE_FORMATS = ["%d/%m/%Y", "%d %m %Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


def record_fields(user: Any) -> list[str]:
    """The sections the page will show, named in the access-log entry.

    Known before the policy answers: a user with casework sees the full record or is refused;
    one without sees the pseudonymised page or is refused (``people.policy.access_person``)."""
    return FULL_FIELDS if user.can(Capability.CASEWORK) else PSEUDONYMISED_FIELDS


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

    def filters(self) -> selectors.ChronologyFilters:
        """The filters that are valid; a field with an error is left out, not guessed at."""
        data = self.cleaned_data if self.is_bound else {}
        ok = {k: v for k, v in data.items() if k not in self.errors}
        return selectors.ChronologyFilters(
            harm_type=ok.get("harm_type") or "",
            agency=ok.get("agency") or "",
            date_from=ok.get("date_from"),
            date_to=ok.get("date_to"),
        )


def filter_form(request: HttpRequest, sources: selectors.Sources) -> ChronologyFilterForm:
    """The filter form bound to the query string (unbound when there is none)."""
    harm_types = selectors.active_harm_types()
    bound = any(k in request.GET for k in ("harm_type", "agency", "date_from", "date_to"))
    form = ChronologyFilterForm(
        request.GET if bound else None,
        harm_types=harm_types,
        agencies=sources.agency_choices(),
    )
    form.is_valid()
    return form


def page_range(page: Page[Any]) -> list[int | str]:
    """The page numbers to link to, with ellipses (GOV.UK pagination)."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


def query_without_page(request: HttpRequest) -> str:
    """The query string less the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def record(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    user = request.user
    survivor = survivor_of(person_id)
    if survivor is not None:  # merged: its records are with the survivor now
        return redirect("people:record", person_id=survivor)
    sources = selectors.Sources.load()
    form = filter_form(request, sources)
    filters = form.filters()
    page_number = request.GET.get("page") or 1
    detail: dict[str, Any] = {"page": str(page_number)}
    if filters.active:
        detail["filters"] = {
            k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(filters).items() if v
        }
    # No need to know: NeedToKnow propagates to people.middleware's need-to-know page.
    access = access_person(
        user, person_id, request=request, fields=record_fields(user), detail=detail
    )
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "query": query_without_page(request),
        "person_id": access.person.pk,
    }
    if access.level == Level.PSEUDONYMISED:
        p = selectors.pseudonymised_page(
            user, access, filters=filters, page_number=page_number, sources=sources
        )
        context.update(p=p, page_range=page_range(p.page))
        if user.can(Capability.INTELLIGENCE):
            context["derived_codes"] = derived_codes_for(user, access.person.pk)
        return render(request, "people/record_pseudonymised.html", context)
    r = selectors.record_page(
        user, access, filters=filters, page_number=page_number, sources=sources
    )
    context.update(r=r, page_range=page_range(r.page), can_record=user.can(Capability.RECORD))
    context["derived"] = derived_for_record(user, access.person.pk)
    if user.can(Capability.LINK_REVIEW):
        context["merges"] = merge_history(access.person.pk)
    return render(request, "people/record.html", context)
