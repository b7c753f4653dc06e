"""The front door's screens: the screening queue, taking a child from it, and the screening page
(the tool's answers, the level of concern and the route decision).

Who may is ``casework.policy``'s (``require_screener``, ``ScreeningPolicy``); every view and
change is logged by the policy or the services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.timezone import localtime
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from efh.accounts.http import AuthenticatedRequest
from efh.casework.forms.screening import draft_from_post, revision_from_post
from efh.casework.models import CASE_ROUTES, Route, Screening, ScreeningState
from efh.casework.policy import ScreeningPolicy, can_screen, require_screener
from efh.casework.selectors.queue import (
    child_age,
    lead_agencies,
    open_case_of,
    queue_page,
    screening_for_page,
    screening_items,
)
from efh.casework.services.intake import intake_pull
from efh.casework.services.log import queue_viewed
from efh.casework.services.screening import (
    NothingToScreen,
    ScreeningTaken,
    StaleEdit,
    screening_decide,
    screening_release,
    screening_save,
    screening_take,
    screening_take_over,
)
from efh.casework.tool import ANSWERS, forbidden_levels
from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.policies import CHANGE, VIEW
from efh.people.policy import labels_for

ROUTE_HINTS = {
    Route.NFA: "Close at the front door; say where the family was signposted",
    Route.EARLY_HELP: "Refer to early help; no case is opened",
    Route.ASSESSMENT: "Opens a case (or joins the open one) for a child and family assessment",
    Route.STRATEGY: "Opens a case and schedules a strategy discussion within 2 working days",
    Route.PANEL: "Opens a case and puts the child on the panel's list of referrals",
    Route.CONTEXT_CASE: "Opens a case to work with the child's context (peer group, place, school)",
    Route.NRM: "Opens a case; record the referral on it once submitted",
}


@login_required
@require_GET
def queue(request: AuthenticatedRequest) -> HttpResponse:
    require_screener(request.user)
    intake_pull()
    page_param = request.GET.get("page", "1")
    page = queue_page(page=int(page_param) if page_param.isdigit() else 1)
    ids = [c.person_id for c in page.children]
    queue_viewed(actor=request.user, person_ids=ids, page=page.page, request=request)
    return render(
        request,
        "casework/frontdoor/queue.html",
        {
            "page": page,
            "labels": {pid: label.text for pid, label in labels_for(request.user, ids).items()},
            "at": now(),
            "end_of_today": calendar().end_of(calendar().local_date(now())) + timedelta(seconds=1),
        },
    )


@login_required
@require_POST
def take(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    require_screener(request.user, person_id=person_id, request=request, detail={"step": "take"})
    try:
        screening = screening_take(actor=request.user, person_id=person_id, request=request)
    except (ScreeningTaken, NothingToScreen) as refused:
        messages.error(request, str(refused))
        return redirect("casework:queue")
    return redirect("casework:screening", pk=screening.pk)


def _questions(screening: Screening, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    sections = []
    for section in screening.tool.definition["sections"]:
        rows = []
        for q in section["questions"]:
            code = q["code"]
            given = screening.answers.get(code) or {}
            offered = screening.prefilled.get(code)
            answer = given.get("answer") if given else (offered or {}).get("answer", "")
            rows.append(
                {
                    "code": code,
                    "text": q["text"],
                    "hint": q.get("hint", ""),
                    "answer": answer,
                    "note": given.get("note", ""),
                    "offered": offered,
                    "error": (errors.get(f"answer-{code}") or [""])[0],
                }
            )
        sections.append({**section, "rows": rows})
    return sections


def _present(
    sections: list[dict[str, Any]],
) -> tuple[list[tuple[str, list[dict[str, Any]]]], int]:
    """The questions answered yes, by section, and how many are not known."""
    present, unknown = [], 0
    for section in sections:
        rows = []
        for row in section["rows"]:
            if row["answer"] == "yes":
                offered = row["offered"] or {}
                source = offered.get("source", "") if offered.get("answer") == "yes" else ""
                rows.append({"text": row["text"], "note": row["note"], "source": source})
            elif row["answer"] == "unknown":
                unknown += 1
        if rows:
            present.append((section["title"], rows))
    return present, unknown


def _error_list(errors: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary, in the page's order. Many unanswered questions
    make one line (each question still shows its own message), so the other problems show."""
    unanswered = [name for name in errors if name.startswith("answer-")]
    anchors: list[tuple[str, str]] = []
    if len(unanswered) > 3:
        anchors.append(
            (
                f"{unanswered[0]}-yes",
                f"Answer every question: {len(unanswered)} have no answer yet "
                "(yes, no or not known)",
            )
        )
    for name, messages_ in errors.items():
        if name.startswith("answer-"):
            if len(unanswered) <= 3:
                anchors.extend((f"{name}-yes", m) for m in messages_)
            continue
        anchor = {"routes": "routes-" + Route.values[0], "level": "level-0"}.get(name, name)
        anchors.extend((anchor, m) for m in messages_)
    return anchors


def _page(
    request: AuthenticatedRequest,
    screening: Screening,
    *,
    errors: dict[str, list[str]] | None = None,
    stale: str = "",
    lead_agency_id: int | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    at = now()
    cal = calendar()
    age = child_age(screening.person_id, cal.local_date(at))
    definition = screening.tool.definition
    open_case = open_case_of(screening.person_id)
    rules = forbidden_levels(definition, age=age, answers=screening.answers)
    forbidden = {r.level for r in rules}
    label = labels_for(request.user, [screening.person_id])[screening.person_id]
    items = screening_items(screening)
    sections = _questions(screening, errors)
    present, unknown = _present(sections)
    return render(
        request,
        "casework/frontdoor/screening.html",
        {
            "screening": screening,
            "decided": screening.state == ScreeningState.DECIDED,
            "mine": screening.taken_by_id == request.user.pk,
            "can_take_over": can_screen(request.user),
            "child_name": label.text,
            "person_id": screening.person_id,
            "age": age,
            "items": items,
            "due_at": min((i.item.due_at for i in items), default=None),
            "sections": sections,
            "present": present,
            "unknown": unknown,
            "answers": ANSWERS,
            "levels": definition["levels"],
            "level_labels": {lv["code"]: lv["label"] for lv in definition["levels"]},
            "rules": rules,
            "forbidden": forbidden,
            "routes": [(r.value, r.label, ROUTE_HINTS[r]) for r in Route],
            "route_labels": dict(Route.choices),
            "case_routes": sorted(CASE_ROUTES),
            "open_case": open_case,
            "agencies": lead_agencies(),
            "lead_agency_id": lead_agency_id,
            "errors": errors,
            "error_list": _error_list(errors),
            "stale": stale,
            "at": at,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def screening(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    policy = ScreeningPolicy()
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    found = policy.access(
        request.user, pk, action=CHANGE if request.method == "POST" else VIEW, request=request
    )
    found = screening_for_page(found.pk)
    if request.method == "GET":
        return _page(request, found)
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        if action == "take_over":
            screening_take_over(actor=request.user, screening=found, request=request)
            messages.success(
                request, "You have taken over this screening; the answers so far are kept."
            )
            return redirect("casework:screening", pk=found.pk)
        if action == "release":
            screening_release(actor=request.user, screening=found, request=request)
            messages.success(request, "The child is back in the queue for another screener.")
            return redirect("casework:queue")
        draft = draft_from_post(found.tool.definition, request.POST)
        revision = revision_from_post(request.POST)
        if action == "decide":
            try:
                decided = screening_decide(
                    actor=request.user,
                    screening=found,
                    draft=draft,
                    revision=revision,
                    request=request,
                )
            except ValidationError as error:
                saved = getattr(error, "screening", found)
                return _page(
                    request,
                    saved,
                    errors=error.message_dict,
                    lead_agency_id=draft.lead_agency_id,
                    status=400,
                )
            messages.success(request, "Screened: the route is decided.")
            return redirect("casework:screening", pk=decided.pk)
        saved = screening_save(
            actor=request.user, screening=found, draft=draft, revision=revision, request=request
        )
    except StaleEdit as stale:
        if wants_json:
            return JsonResponse({"error": str(stale)}, status=409)
        found.refresh_from_db()
        return _page(request, found, stale=str(stale), status=409)
    except (ScreeningTaken, NothingToScreen) as refused:
        if wants_json:
            return JsonResponse({"error": str(refused)}, status=409)
        messages.error(request, str(refused))
        return redirect("casework:screening", pk=found.pk)
    if wants_json:
        return JsonResponse(
            {"revision": saved.revision, "saved_at": f"{localtime(saved.updated_at):%H:%M}"}
        )
    messages.success(request, "Saved. You can come back to this screening from the queue.")
    return redirect(reverse("casework:screening", kwargs={"pk": saved.pk}))
