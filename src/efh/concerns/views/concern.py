"""Record a concern: one short page, drafts that save themselves, and a confirmation.

Everything works without JavaScript: searching for a person, adding one, finding a place and
saving a draft are buttons of the one form, each answered with the whole page again (nothing
typed is lost, because the page's state is its fields). With JavaScript, htmx swaps just the
section a button changed, and ``concern-form.js`` autosaves the draft as the user types.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from efh.accounts.models import User
from efh.concerns.extensions import outcome_providers
from efh.concerns.forms.concern import (
    AGE_GROUPS,
    ROLE_CHOICES,
    ConcernForm,
    Fields,
    Involved,
    NewPersonForm,
    as_querydict,
    fields_from,
    now_fields,
    one,
    people_from,
    with_people,
)
from efh.concerns.models import Role
from efh.concerns.policy import can_record, require_recorder
from efh.concerns.selectors.concern import (
    PersonOption,
    PlaceOption,
    draft_get,
    drafts_for,
    harm_type_choices,
    map_centre,
    person_labels,
    persons_viewable,
    place_get,
    place_option,
    places_search,
    recorded_concern,
)
from efh.concerns.services.concern import (
    PersonInConcern,
    concern_confirmation_viewed,
    concern_draft_delete,
    concern_draft_opened,
    concern_draft_save,
    concern_people_search,
    concern_record,
)
from efh.concerns.validators import length_error
from efh.people.policy import NeedToKnow, NotPermitted, View, access_person

# Fields that are search and add boxes, not part of the concern as recorded.
SCRATCH_FIELDS = {
    "person_query",
    "place_query",
    "new_given",
    "new_family",
    "new_dob_day",
    "new_dob_month",
    "new_dob_year",
    "new_age_group",
}


class AuthenticatedRequest(HttpRequest):
    user: User


def _recorder_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in (else to the sign-in page) and allowed to record concerns (else 403)."""

    @wraps(view)
    @login_required
    def wrapped(request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require_recorder(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) < 18 else None


def _saved_at(when: Any) -> str:
    return f"{timezone.localtime(when):%H:%M}"


# The order of the page, for the error summary.
ERROR_ORDER = [
    "when_day",
    "when_time",
    "place_query",
    "postcode",
    "latitude",
    "longitude",
    "harm_types-0",
    "summary",
    "people-",
    "person_query",
    "new_given",
    "new_family",
    "new_dob_day",
    "new_age_group",
    "child_words",
]


def _error_order(anchor: str) -> tuple[int, str]:
    for i, prefix in enumerate(ERROR_ORDER):
        if anchor.startswith(prefix):
            return (i, anchor.rjust(20, "0") if prefix == "people-" else anchor)
    return (len(ERROR_ORDER), anchor)


class Page:
    """What the form page shows, built from the fields as typed."""

    def __init__(self, request: AuthenticatedRequest, fields: Fields) -> None:
        self.request = request
        self.user = request.user
        self.fields = fields
        self.people = people_from(fields)
        self.errors: dict[str, str] = {}
        self.draft: Any = None
        self.person_results: list[PersonOption] | None = None
        self.place_results: list[PlaceOption] | None = None
        self.focus = ""
        self.harm_choices = harm_type_choices()

    # --- people ---------------------------------------------------------------------------
    def existing_ids(self) -> list[int]:
        return [p.person_id for p in self.people if p.person_id is not None]

    def label_people(self) -> None:
        labels = person_labels(user=self.user, person_ids=self.existing_ids())
        for person in self.people:
            if person.person_id is not None:
                person.label = labels.get(person.person_id, "")

    def sync(self) -> None:
        self.fields = with_people(self.fields, self.people)

    # --- validation -----------------------------------------------------------------------
    def validate(self) -> ConcernForm:
        form = ConcernForm(data=as_querydict(self.fields), harm_choices=self.harm_choices)
        form.is_valid()
        for name, messages in form.errors.items():
            anchor = "harm_types-0" if name == "harm_types" else name
            self.errors[anchor] = str(messages[0])
        value = one(self.fields, "place")
        if value and place_get(value) is None:
            self.errors["place_query"] = "Choose a place from the list, or search again"
        self.label_people()
        viewable = persons_viewable(user=self.user, person_ids=self.existing_ids())
        for i, person in enumerate(self.people):
            if person.person_id is not None and person.person_id not in viewable:
                self.errors[f"people-{i}-role"] = (
                    f"You cannot name {person.name} in a concern: you have no need to know "
                    "about them. Remove them, or add them as a new person"
                )
            elif person.role not in Role.values:
                self.errors[f"people-{i}-role"] = f"Select the role of {person.name}"
        if not self.people:
            self.errors["person_query"] = (
                "Add at least one person involved: search for them by name, or add a new person"
            )
        return form

    # --- rendering ------------------------------------------------------------------------
    def render(self, status: int = 200) -> HttpResponse:
        self.label_people()
        for i, person in enumerate(self.people):
            message = self.errors.get(f"people-{i}-role")
            person.errors = [message] if message else []
        values = {k: one(self.fields, k) for k in self.fields}
        selected_harms = set(self.fields.get("harm_types", []))
        place_now = place_option(values.get("place", ""))
        place_choices = list(self.place_results or [])
        if place_now and all(p.value != place_now.value for p in place_choices):
            place_choices.insert(0, place_now)
        draft_id = self.draft.pk if self.draft is not None else _int(values.get("draft"))
        form_url = reverse("concerns:concern-new")
        tile_url = getattr(settings, "EFH_MAP_TILE_URL", "")
        centre = map_centre() if tile_url else None
        context = {
            "v": values,
            "errors": self.errors,
            "error_list": sorted(self.errors.items(), key=lambda item: _error_order(item[0])),
            "people": self.people,
            "role_choices": ROLE_CHOICES,
            "age_groups": AGE_GROUPS,
            "harm_choices": [(k, n, k in selected_harms) for k, n in self.harm_choices],
            "place_now": place_now,
            "place_choices": place_choices,
            "place_results": self.place_results,
            "person_results": self.person_results,
            "draft": self.draft,
            "draft_id": draft_id,
            "draft_saved_at": _saved_at(self.draft.updated_at) if self.draft else "",
            "form_url": form_url,
            "autosave_url": reverse("concerns:concern-autosave"),
            "sign_in_url": reverse("accounts:sign-in"),
            "focus": self.focus,
            "tile_url": tile_url,
            "tile_attribution": getattr(settings, "EFH_MAP_TILE_ATTRIBUTION", ""),
            "centre": centre,
            "drafts": [d for d in drafts_for(user=self.user) if d.draft_id != draft_id],
        }
        return render(self.request, "concerns/concern_form.html", context, status=status)


def _start_fields(request: AuthenticatedRequest) -> Fields | HttpResponse:
    """A new concern: now, and the child whose record it was started from (?person=<id>)."""
    fields = now_fields()
    raw = request.GET.get("person")
    if raw is None:
        return fields
    person_id = _int(raw)
    if person_id is None:
        raise Http404("No such person")
    try:
        access_person(
            request.user,
            person_id,
            request=request,
            fields=["given_name", "family_name"],
            detail={"for": "record a concern"},
            views=(View.FULL, View.SHARED_CHRONOLOGY),
        )
    except NotPermitted as refused:
        raise PermissionDenied("Pseudonymised access cannot record a concern") from refused
    except NeedToKnow as refused:
        return render(
            request,
            "concerns/concern_need_to_know.html",
            {"refused": refused, "person_id": person_id},
            status=403,
        )
    return with_people(fields, [Involved(person_id=person_id, role=Role.SUBJECT)])


@require_http_methods(["GET", "POST"])
@_recorder_required
def concern_new(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "GET":
        draft_id = request.GET.get("draft")
        if draft_id is not None:
            draft = draft_get(user=request.user, draft_id=_int(draft_id) or 0)
            if draft is None:
                raise Http404("No such draft")
            page = Page(request, fields_from(draft.data if isinstance(draft.data, dict) else {}))
            page.draft = draft
            if page.existing_ids():
                concern_draft_opened(actor=request.user, draft=draft, request=request)
            return page.render()
        start = _start_fields(request)
        if isinstance(start, HttpResponse):
            return start
        return Page(request, start).render()
    return _concern_post(request)


def _concern_post(request: AuthenticatedRequest) -> HttpResponse:
    fields = fields_from(request.POST)
    draft_id = _int(request.POST.get("draft"))
    if draft_id is not None:
        fields["draft"] = [str(draft_id)]
    page = Page(request, fields)
    action = request.POST.get("action", "record")
    add_person = _int(request.POST.get("add_person"))
    remove = _int(request.POST.get("remove"))

    if add_person is not None:
        if persons_viewable(user=request.user, person_ids=[add_person]) and (
            add_person not in page.existing_ids()
        ):
            role = Role.SUBJECT if not page.people else ""
            page.people.append(Involved(person_id=add_person, role=role))
        page.fields.pop("person_query", None)
        page.sync()
        page.focus = f"people-{len(page.people) - 1}-role"
        return page.render()
    if remove is not None:
        if remove < len(page.people):
            del page.people[remove]
        page.sync()
        page.focus = "person_query"
        return page.render()
    if action == "search":
        query = one(fields, "person_query").strip()
        too_long = length_error("person_query", query)
        if not query or too_long:
            page.errors["person_query"] = too_long or "Enter a name to search for"
            page.focus = "person_query"
        else:
            page.person_results = concern_people_search(
                actor=request.user,
                query=query[:200],
                exclude=set(page.existing_ids()),
                request=request,
            )
            page.focus = "person-results"
        return page.render()
    if action == "add_new":
        return _add_new_person(page)
    if action == "find_place":
        query = one(fields, "place_query").strip()
        too_long = length_error("place_query", query)
        if not query or too_long:
            page.errors["place_query"] = too_long or "Enter the name of a place to search for"
            page.focus = "place_query"
        else:
            page.place_results = places_search(query=query[:200])
            page.focus = "place-results"
        return page.render()
    if action == "draft":
        draft = _save_draft(request, page, draft_id)
        return redirect(f"{reverse('concerns:concern-new')}?{urlencode({'draft': draft.pk})}")
    return _record(request, page, draft_id)


def _save_draft(request: AuthenticatedRequest, page: Page, draft_id: int | None) -> Any:
    fields = {k: v for k, v in page.fields.items() if k != "draft"}
    existing = page.existing_ids()
    draft = concern_draft_save(
        actor=request.user,
        fields=fields,
        draft_id=draft_id,
        person_id=existing[0] if existing else None,
        request=request,
    )
    if draft is None:
        raise Http404("No such draft")
    return draft


def _add_new_person(page: Page) -> HttpResponse:
    form = NewPersonForm(data=as_querydict(page.fields))
    if not form.is_valid():
        for name, messages in form.errors.items():
            page.errors[name] = str(messages[0])
        page.focus = next(iter(form.errors), "new_given")
        return page.render()
    dob = form.cleaned_data["dob"]
    page.people.append(
        Involved(
            given=form.cleaned_data["new_given"],
            family=form.cleaned_data["new_family"],
            dob=dob.isoformat() if dob else "",
            age_group=form.cleaned_data["new_age_group"],
            role=Role.SUBJECT if not page.people else "",
        )
    )
    for name in SCRATCH_FIELDS - {"person_query", "place_query"}:
        page.fields.pop(name, None)
    page.sync()
    page.focus = f"people-{len(page.people) - 1}-role"
    return page.render()


def _record(request: AuthenticatedRequest, page: Page, draft_id: int | None) -> HttpResponse:
    form = page.validate()
    if page.errors or form.occurred_at is None:
        return page.render()
    data = form.cleaned_data
    people = [
        PersonInConcern(
            role=p.role,
            person_id=p.person_id,
            given_name=p.given,
            family_name=p.family,
            date_of_birth=p.dob_date,
            is_child=p.is_child,
        )
        for p in page.people
    ]
    submitted = {
        k: (v if k == "harm_types" else v[-1])
        for k, v in page.fields.items()
        if k not in SCRATCH_FIELDS and k != "draft"
    }
    event = concern_record(
        actor=request.user,
        occurred_at=form.occurred_at,
        summary=data["summary"],
        child_words=data["child_words"],
        harm_type_ids=[int(h) for h in data["harm_types"]],
        place=place_get(data["place"]) if data["place"] else None,
        postcode=data["postcode"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        people=people,
        submitted=submitted,
        draft_id=draft_id,
        request=request,
    )
    return redirect("concerns:concern-recorded", event_id=event.pk)


@require_POST
def concern_autosave(request: HttpRequest) -> JsonResponse:
    """Save the form as typed into the user's draft; answers JSON for ``concern-form.js``.

    A signed-out user (the session timed out while they typed) gets 401, not the sign-in page,
    so the page knows to keep the text on the device and try again after signing in."""
    user = request.user
    if not user.is_authenticated:
        return JsonResponse(
            {
                "error": "signed-out",
                "message": "Your session has ended. Sign in again to save this draft.",
                "sign_in": reverse("accounts:sign-in"),
            },
            status=401,
        )
    assert isinstance(user, User)
    if not can_record(user):
        return JsonResponse(
            {"error": "forbidden", "message": "Your role does not record concerns."}, status=403
        )
    fields = fields_from(request.POST)
    existing = [p.person_id for p in people_from(fields) if p.person_id is not None]
    draft = concern_draft_save(
        actor=user,
        fields=fields,
        draft_id=_int(request.POST.get("draft")),
        person_id=existing[0] if existing else None,
        request=request,
    )
    if draft is None:
        return JsonResponse(
            {"error": "not-found", "message": "This draft has been recorded or deleted."},
            status=404,
        )
    saved_at = _saved_at(draft.updated_at)
    return JsonResponse(
        {"draft": draft.pk, "saved_at": saved_at, "message": f"Draft saved at {saved_at}"}
    )


@require_POST
@_recorder_required
def concern_draft_discard(request: AuthenticatedRequest, draft_id: int) -> HttpResponse:
    if not concern_draft_delete(actor=request.user, draft_id=draft_id, request=request):
        raise Http404("No such draft")
    return redirect("concerns:concern-new")


@require_GET
@_recorder_required
def concern_recorded(request: AuthenticatedRequest, event_id: int) -> HttpResponse:
    found = recorded_concern(user=request.user, event_id=event_id)
    if found is None:
        raise Http404("No such concern")
    event, people = found
    concern_confirmation_viewed(actor=request.user, event=event, request=request)
    labels = {p.person_id: p.name for p in people}
    outcomes = [
        {"template": p.template, "outcome": p.outcomes([event.pk]).get(event.pk), "labels": labels}
        for p in outcome_providers()
    ]
    return render(
        request,
        "concerns/concern_recorded.html",
        {
            "event": event,
            "people": people,
            "outcomes": outcomes,
            "front_door": getattr(settings, "EFH_FRONT_DOOR_CONTACT", ""),
        },
    )
