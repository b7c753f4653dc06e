"""The auditor's screens: the access log (all of it, about one person, by one user) and the
review of break-glass accesses.

Only holders of ``Capability.AUDIT`` get in (403 for everyone else), and every screen writes an
access-log entry of its own with the filter used, so that auditing is audited too. Screens that
show a person's name (the per-person list, the break-glass queue and review) name the people in
``detail`` so that the auditor's look appears on those people's own audit lists.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from efh.accounts.models import User
from efh.audit import selectors
from efh.audit.forms import BreakGlassReviewForm, LogFilterForm
from efh.audit.policy import require_auditor
from efh.audit.services import audit_screen_viewed, break_glass_access_viewed
from efh.core.models import AccessLogEntry
from efh.people.models import BreakGlassAccess
from efh.people.services import break_glass_review

PAGE_SIZE = 50


class AuditRequest(HttpRequest):
    user: User


def _auditor(request: AuditRequest) -> None:
    require_auditor(request.user)


def _page(request: HttpRequest, items: QuerySet[Any] | list[Any], size: int = PAGE_SIZE) -> Page:
    """One page of ``items``, with ``elided``: the page numbers the GOV.UK pagination shows."""
    page = Paginator(items, size).get_page(request.GET.get("page"))
    page.elided = list(  # type: ignore[attr-defined]
        page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1)
    )
    return page


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _filters(request: HttpRequest, without: tuple[str, ...] = ()) -> LogFilterForm:
    data = request.GET if any(k != "page" for k in request.GET) else None
    form = LogFilterForm(data, without=without)
    if data is None:
        form.is_valid()  # unbound: no errors, no cleaned data
    return form


def _people_in(entries: list[AccessLogEntry]) -> list[int]:
    """The people the listed entries are about, so the list can link to their audit pages."""
    ids: set[int] = set()
    for entry in entries:
        if entry.object_type == "person" and entry.object_id.isdigit():
            ids.add(int(entry.object_id))
    return sorted(ids)


def _log_screen(request: AuditRequest, screen: str, **detail: Any) -> None:
    audit_screen_viewed(actor=request.user, screen=screen, detail=detail, request=request)


def _entries_page(
    request: AuditRequest, form: LogFilterForm, entries_of: Any, log: Any
) -> Page | None:
    """Log the screen with the filter used, then apply it and page the entries (in that
    order, so the list is consistent with the log it shows); an invalid form shows none."""
    if form.is_bound and not form.is_valid():
        log({"invalid": sorted(form.errors)})
        return None
    filters = form.log_filter() if form.is_bound else selectors.LogFilter()
    number = request.GET.get("page", "1")
    log({"filter": filters.as_detail(), "page": int(number) if number.isdigit() else 1})
    return _page(request, entries_of(filters))


@login_required
@require_http_methods(["GET"])
def index(request: AuditRequest) -> HttpResponse:
    """The chain's head and links, and the most recent entries, filterable.

    Also where an auditor picks a person (by id) or a user (by username) to look at: without
    JavaScript a GET form cannot put a value into a path, so those forms come here and are
    redirected."""
    _auditor(request)
    lookup = _lookup(request)
    if isinstance(lookup, HttpResponse):
        return lookup
    form = _filters(request)
    page = _entries_page(
        request,
        form,
        lambda f: selectors.access_log_entries(actor=request.user, filters=f),
        lambda detail: _log_screen(request, "index", **detail),
    )
    return render(
        request,
        "audit/index.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "head": selectors.access_log_head(actor=request.user),
            "awaiting": selectors.break_glass_awaiting_review(actor=request.user).count(),
            "lookup_errors": lookup,
            "find_person": request.GET.get("find_person", ""),
            "find_user": request.GET.get("find_user", ""),
        },
        status=400 if lookup else 200,
    )


def _lookup(request: AuditRequest) -> HttpResponse | dict[str, str]:
    """Redirect ``?find_person=<id>`` and ``?find_user=<username>``; errors otherwise."""
    errors: dict[str, str] = {}
    if "find_person" in request.GET:
        text = request.GET["find_person"].strip()
        if not text:
            errors["find_person"] = "Enter the person\u2019s ID"
        elif not text.isdigit():
            errors["find_person"] = "The person\u2019s ID must be a number, like 1042"
        else:
            return redirect("audit:person", person_id=int(text))
    if "find_user" in request.GET:
        name = request.GET["find_user"].strip()
        found = User.objects.filter(username__iexact=name).first() if name else None
        if not name:
            errors["find_user"] = "Enter the username"
        elif found is None:
            errors["find_user"] = f"There is no account with the username {name}"
        else:
            return redirect("audit:user", user_id=found.pk)
    return errors


@login_required
@require_http_methods(["GET"])
def person(request: AuditRequest, person_id: int) -> HttpResponse:
    """Who looked at one person, when, and why."""
    _auditor(request)
    who = selectors.audited_people(actor=request.user, person_ids=[person_id])[person_id]
    if (
        not who.records
        and not selectors.access_log_about_person(actor=request.user, person_id=person_id).exists()
    ):
        raise Http404("No such person and nothing logged about them")
    form = _filters(request, without=("object_id",))
    page = _entries_page(
        request,
        form,
        lambda f: selectors.access_log_about_person(
            actor=request.user, person_id=person_id, filters=f
        ),
        lambda detail: audit_screen_viewed(
            actor=request.user,
            screen="person",
            fields=["given_name", "family_name", "date_of_birth"],
            detail={"person": person_id, **detail},
            request=request,
        ),
    )
    return render(
        request,
        "audit/person.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "who": who,
            "person_id": person_id,
        },
    )


@login_required
@require_http_methods(["GET"])
def user(request: AuditRequest, user_id: int) -> HttpResponse:
    """Everything one account did, as logged under its id."""
    _auditor(request)
    account = User.objects.select_related("role", "agency").filter(pk=user_id).first()
    if (
        account is None
        and not selectors.access_log_by_user(actor=request.user, user_id=user_id).exists()
    ):
        raise Http404("No such user and nothing logged by them")
    form = _filters(request, without=("username",))
    page = _entries_page(
        request,
        form,
        lambda f: selectors.access_log_by_user(actor=request.user, user_id=user_id, filters=f),
        lambda detail: _log_screen(request, "user", user=user_id, **detail),
    )
    return render(
        request,
        "audit/user.html",
        {
            "form": form,
            "page": page,
            "query": _query_without_page(request),
            "account": account,
            "user_id": user_id,
        },
    )


QUEUE_PAGE_SIZE = 20


@login_required
@require_http_methods(["GET"])
def break_glass(request: AuditRequest) -> HttpResponse:
    """Break-glass accesses awaiting review (oldest first), then those already reviewed."""
    _auditor(request)
    shown = "reviewed" if request.GET.get("show") == "reviewed" else "awaiting"
    if shown == "reviewed":
        accesses = selectors.break_glass_reviewed(actor=request.user)
    else:
        accesses = selectors.break_glass_awaiting_review(actor=request.user)
    page = _page(request, accesses, QUEUE_PAGE_SIZE)
    just_reviewed = None
    if str(request.GET.get("reviewed", "")).isdigit():
        just_reviewed = selectors.break_glass_access(
            actor=request.user, access_id=int(request.GET["reviewed"])
        )
    items: list[BreakGlassAccess] = list(page.object_list)
    people = selectors.audited_people(
        actor=request.user, person_ids=sorted({a.person_id for a in items})
    )
    rows = [
        {
            "access": access,
            "person": people[access.person_id],
            "window": list(selectors.break_glass_window(actor=request.user, access=access)[:10]),
            "window_count": selectors.break_glass_window(actor=request.user, access=access).count(),
        }
        for access in items
    ]
    _log_screen(
        request,
        "break_glass",
        show=shown,
        page=page.number,
        people=sorted(people),
    )
    return render(
        request,
        "audit/break_glass.html",
        {
            "page": page,
            "rows": rows,
            "shown": shown,
            "just_reviewed": just_reviewed,
            "awaiting_count": selectors.break_glass_awaiting_review(actor=request.user).count(),
            "reviewed_count": selectors.break_glass_reviewed(actor=request.user).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def break_glass_review_view(request: AuditRequest, pk: int) -> HttpResponse:
    """One break-glass access: the reason, what the user did while the record was open, and the
    auditor's decision. Nobody reviews their own access."""
    _auditor(request)
    access = selectors.break_glass_access(actor=request.user, access_id=pk)
    if access is None:
        raise Http404("No such break-glass access")
    own = access.user_id == request.user.pk
    form = BreakGlassReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_review(
                actor=request.user,
                access_id=access.pk,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect(f"{reverse('audit:break-glass')}?reviewed={access.pk}")
    break_glass_access_viewed(actor=request.user, access=access, request=request)
    window = selectors.break_glass_window(actor=request.user, access=access)
    return render(
        request,
        "audit/break_glass_review.html",
        {
            "access": access,
            "person": selectors.audited_people(actor=request.user, person_ids=[access.person_id])[
                access.person_id
            ],
            "form": form,
            "own": own,
            "page": _page(request, window),
        },
        status=403 if own and request.method == "POST" else 200,
    )


def _add_errors(form: BreakGlassReviewForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
