"""The identity linkage screens: the clerical review queue, one pair side by side with the
decision, merges and unmerges, and link runs with their progress.

All of them need the link-review capability (the front door and the data-quality role). Every
page that shows people's details is logged (``access_log_record``), like the record pages; the
changes are logged by the services in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from efh.accounts.models import User
from efh.core.models import ObjectType
from efh.people.forms import LinkDecisionForm, MergeReasonForm
from efh.people.models import LinkDecision, ReviewPair
from efh.people.policy import require_link_reviewer
from efh.people.selectors import linking as selectors
from efh.people.services.linking import (
    UnmergeBlocked,
    link_decide,
    persons_merge,
)
from efh.people.services.linking import (
    merge_undo as merge_undo_service,
)
from efh.people.services.viewed import link_screen_viewed
from efh.web.forms import add_service_errors
from efh.web.pages import page_range, query_without_page


class ReviewerRequest(HttpRequest):
    user: User


def _reviewer(request: ReviewerRequest) -> User:
    return require_link_reviewer(request.user)


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@login_required
@require_GET
def link_review(request: ReviewerRequest) -> HttpResponse:
    """The queue: open pairs without a decision, highest weight first; or the "Not sure" list,
    or the recent decisions (``?list=``)."""
    user = _reviewer(request)
    q = selectors.review_queue(
        user, list_name=request.GET.get("list", "open"), page_number=request.GET.get("page") or 1
    )
    if len(q.page):
        link_screen_viewed(
            actor=user,
            object_type=ObjectType.LINK_REVIEW_QUEUE,
            fields=["given_name", "family_name", "date_of_birth", "source"],
            detail={"list": q.name, "page": q.page.number, "records": q.record_ids()},
            request=request,
        )
    return render(
        request,
        "people/link_review.html",
        {"q": q, "page_range": page_range(q.page), "query": query_without_page(request)},
    )


def _log_pair(request: ReviewerRequest, p: selectors.PairPage) -> None:
    link_screen_viewed(
        actor=request.user,
        object_type=ObjectType.REVIEW_PAIR,
        object_id=p.pair.pk,
        fields=[name for name, _ in selectors.FIELDS] + ["source", "other_records"],
        detail={"records": p.record_ids(), "persons": p.person_ids()},
        request=request,
    )


@login_required
@require_http_methods(["GET", "POST"])
def link_pair(request: ReviewerRequest, pk: int) -> HttpResponse:
    """One pair side by side, with the decision; after deciding, on to the next pair."""
    user = _reviewer(request)
    p = selectors.review_pair(user, pk)
    if p is None:
        raise Http404("No such pair")
    form = LinkDecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            link_decide(
                actor=user,
                record_a_id=p.pair.record_a_id,
                record_b_id=p.pair.record_b_id,
                decision=form.cleaned_data["decision"],
                note=form.cleaned_data["note"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            after = selectors.next_pair_id(after=p.pair)
            target = (
                reverse("people:link-pair", kwargs={"pk": after})
                if after is not None
                else reverse("people:link-review")
            )
            return redirect(f"{target}?decided={p.pair.pk}")
    _log_pair(request, p)
    decided = _decided(_int(request.GET.get("decided")))
    return render(
        request,
        "people/link_pair.html",
        {"p": p, "form": form, "decided": decided},
        status=400 if form.errors else 200,
    )


def _decided(pair_id: int | None) -> LinkDecision | None:
    """The decision just made on the previous pair, for the confirmation banner."""
    if pair_id is None:
        return None
    pair = ReviewPair.objects.filter(pk=pair_id).first()
    if pair is None:
        return None
    return LinkDecision.objects.filter(
        record_a_id=pair.record_a_id, record_b_id=pair.record_b_id
    ).first()


@login_required
@require_GET
def merges(request: ReviewerRequest) -> HttpResponse:
    """Recent merges, of one link run (``?run=``) or one person (``?person=``) if asked."""
    user = _reviewer(request)
    m = selectors.merges(
        user,
        run_id=_int(request.GET.get("run")),
        person_id=_int(request.GET.get("person")),
        page_number=request.GET.get("page") or 1,
    )
    if m.rows:
        link_screen_viewed(
            actor=user,
            object_type=ObjectType.MERGE,
            fields=["given_name", "family_name", "source"],
            detail={"merges": [r.merge.pk for r in m.rows], "person": m.person_id},
            request=request,
        )
    return render(
        request,
        "people/merge_list.html",
        {
            "m": m,
            "page_range": page_range(m.page),
            "query": query_without_page(request),
            "undone": _int(request.GET.get("undone")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge_undo(request: ReviewerRequest, pk: int) -> HttpResponse:
    """Confirm, with a reason, that a merge is to be split back; then split it."""
    user = _reviewer(request)
    found = selectors.merge_detail(user, pk)
    if found is None:
        raise Http404("No such merge")
    row, blocker = found
    form = MergeReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why are these different people?",
        help_text="Say what shows they are not the same person. The records will not be "
        "linked again unless someone decides they are the same.",
        required_message="Enter why these are different people",
    )
    if request.method == "POST" and form.is_valid() and row.merge.unmerged_at is None:
        try:
            merge_undo_service(
                actor=user, merge=row.merge, reason=form.cleaned_data["reason"], request=request
            )
        except UnmergeBlocked as error:
            blocker = selectors.Blocker(error.messages[0], error.first)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            url = reverse("people:merges")
            return redirect(f"{url}?person={row.merge.absorbed_id}&undone={row.merge.pk}")
    link_screen_viewed(
        actor=user,
        object_type=ObjectType.MERGE,
        object_id=row.merge.pk,
        fields=["given_name", "family_name", "source"],
        detail={"survivor": row.merge.survivor_id, "absorbed": row.merge.absorbed_id},
        request=request,
    )
    return render(
        request,
        "people/merge_undo.html",
        {"row": row, "blocker": blocker, "form": form},
        status=400 if form.errors or (blocker and request.method == "POST") else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def merge_persons(request: ReviewerRequest) -> HttpResponse:
    """Merge two persons (``?a=<person>&b=<person>``) after seeing their records side by side;
    the lower person id survives."""
    user = _reviewer(request)
    a, b = _int(request.GET.get("a")), _int(request.GET.get("b"))
    if a is None or b is None or a == b:
        raise Http404("Give two different people to merge")
    people = selectors.persons_for_merge(user, [a, b])
    if people is None:
        raise Http404("No such person")
    form = MergeReasonForm(
        request.POST if request.method == "POST" else None,
        label="Why are these the same person?",
        help_text="Say what shows these records are about one person, for example a shared "
        "NHS number, or a confirmation from the school.",
        required_message="Enter why these are the same person",
    )
    merged = [s for s in people if s.person.merged_into_id is not None]
    if request.method == "POST" and form.is_valid() and not merged:
        survivor, absorbed = sorted((s.person for s in people), key=lambda p: p.pk)
        try:
            merge = persons_merge(
                actor=user,
                survivor=survivor,
                absorbed=absorbed,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect(f"{reverse('people:merges')}?person={merge.survivor_id}")
    link_screen_viewed(
        actor=user,
        object_type=ObjectType.MERGE,
        fields=["given_name", "family_name", "date_of_birth", "source"],
        detail={"persons": [a, b]},
        request=request,
    )
    return render(
        request,
        "people/merge_persons.html",
        {"people": people, "form": form, "merged": merged},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def link_runs(request: ReviewerRequest) -> HttpResponse:
    """Link runs with their progress, and the button that starts one (``ingest:link-run-start``).
    While a run is queued or running the table polls itself every 2 seconds (htmx); without
    JavaScript the page reloads itself (web/includes/reload_while_running.html)."""
    user = _reviewer(request)
    page, rows = selectors.link_runs(user, page_number=request.GET.get("page") or 1)
    context: dict[str, Any] = {
        "page": page,
        "rows": rows,
        "running": any(r.active for r in rows),
        "active": next((r for r in rows if r.active), None),
        "page_range": page_range(page),
        "query": query_without_page(request),
    }
    if request.headers.get("HX-Request"):
        return render(request, "people/link_runs_table.html", context)
    return render(request, "people/link_runs.html", context)
