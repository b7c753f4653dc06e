"""The child's case: its page (state, who leads it, what is due, the plan, actions, reviews,
strategy discussions, NRM referrals, closure), its moves, allocation, the plan, actions, reviews
and closure or step-down with approval; the list of cases; the panel's list of referrals.

Each view opens the case through ``casework.policy.CasePolicy`` (which checks the child's record
may be opened, and logs the view or the refusal); the services log every change."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from efh.accounts.http import AuthenticatedRequest
from efh.casework.forms.case import (
    MAX_GOAL_ROWS,
    ActionForm,
    AllocationForm,
    ClosureDecisionForm,
    ClosureForm,
    MoveForm,
    ReviewForm,
    goals_from_post,
    open_item_reasons_from_post,
)
from efh.casework.models import Case, CaseState, ClosureKind
from efh.casework.policy import (
    CasePolicy,
    can_see_panel_referrals,
    can_work_case,
    manages,
    require_manager_of,
)
from efh.casework.selectors.case import (
    action_on_case,
    agency_workers,
    case_list,
    case_page,
    case_people,
    latest_version,
    open_items,
    panel_referrals,
    pending_closure,
    plan_on_case,
    users_by_pk,
)
from efh.casework.selectors.record import STATE_COLOURS
from efh.casework.services.case import StaleEdit, case_allocate, case_move
from efh.casework.services.closure import closure_decide, closure_request
from efh.casework.services.log import case_list_viewed
from efh.casework.services.panel import panel_refer
from efh.casework.services.plan import (
    action_add,
    action_complete,
    plan_save,
    plan_types,
    review_record,
)
from efh.casework.services.strategy import strategy_discussion_schedule
from efh.casework.states import MOVES, MoveRefused
from efh.core.calendar import calendar
from efh.core.clock import now
from efh.core.policies import CHANGE, VIEW
from efh.people.policy import labels_for
from efh.web.forms import add_service_errors


def open_case(request: AuthenticatedRequest, pk: int, *, change: bool = False) -> Case:
    return CasePolicy().access(request.user, pk, action=CHANGE if change else VIEW, request=request)


def posted(request: AuthenticatedRequest) -> Any:
    """The POST data for a form, or None on GET (an empty POST still binds: it is invalid)."""
    return request.POST if request.method == "POST" else None


def _name(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def _workers(case: Case) -> list[tuple[int, str]]:
    """Who a manager may allocate: the lead agency's people."""
    return [(u.pk, _name(u)) for u in agency_workers(case.lead_agency_id)]


def _owners(request: AuthenticatedRequest, case: Case) -> list[tuple[int, str]]:
    """Who an action may be given to from the list: the case's own people."""
    return [(u.pk, _name(u)) for u in case_people(case, also=request.user)]


def case_context(request: AuthenticatedRequest, case: Case, **extra: Any) -> dict[str, Any]:
    label = labels_for(request.user, [case.person_id])[case.person_id]
    today = calendar().local_date(now())
    return {
        "case": case,
        "child_name": label.text,
        "person_id": case.person_id,
        "today": today,
        "colour": STATE_COLOURS.get(case.state, "grey"),
        "can_change": can_work_case(request.user),
        "is_manager": manages(request.user, case),
        "move_labels": {"open": "Opened", **{a: m.label for a, m in MOVES.items()}},
        "state_labels": dict(CaseState.choices),
        **extra,
    }


def _page(
    request: AuthenticatedRequest, case: Case, status: int = 200, **extra: Any
) -> HttpResponse:
    ctx = case_context(request, case, **extra)
    page = case_page(case, ctx["today"])
    moves = [m for m in page.moves if not m.manager_only and m.action not in _SEPARATE_MOVES]
    ctx.update(
        {
            "page": page,
            "moves": moves,
            "move_form": extra.get("move_form") or MoveForm(initial={"revision": case.revision}),
            "action_form": extra.get("action_form") or ActionForm(workers=_owners(request, case)),
            "plan_types": plan_types(),
        }
    )
    return render(request, "casework/case/case.html", ctx, status=status)


# Moves with a page of their own (closure and step-down need more than a reason).
_SEPARATE_MOVES = {"request_closure", "request_step_down", "make_plan", "hold_review"}


@login_required
@require_GET
def case(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    return _page(request, open_case(request, pk))


@login_required
@require_POST
def move(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    form = MoveForm(request.POST)
    if form.is_valid():
        action = form.cleaned_data["move"]
        try:
            if action not in MOVES or action in _SEPARATE_MOVES or MOVES[action].manager_only:
                raise MoveRefused("That step is taken from its own page, not here.")
            moved = case_move(
                actor=request.user,
                case=found,
                action=action,
                reason=form.cleaned_data["reason"],
                revision=form.cleaned_data["revision"],
                request=request,
            )
            if action == "start_strategy":
                strategy_discussion_schedule(actor=request.user, case=moved, request=request)
            elif action == "refer_to_panel":
                panel_refer(
                    actor=request.user,
                    case=moved,
                    reason=form.cleaned_data["reason"],
                    request=request,
                )
        except (MoveRefused, StaleEdit) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, f"Done: {MOVES[action].label.lower()}.")
            return redirect("casework:case", pk=found.pk)
    return _page(request, found, status=400, move_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def allocate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    require_manager_of(request.user, found, request)
    workers = _workers(found)
    form = AllocationForm(
        posted(request),
        workers=workers,
        initial={
            "lead_practitioner": found.lead_practitioner_id,
            "allocated_worker": found.allocated_worker_id,
            "revision": found.revision,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people = users_by_pk(
            [p for p in (data["lead_practitioner"], data["allocated_worker"]) if p]
        )
        try:
            case_allocate(
                actor=request.user,
                case=found,
                lead_agency=found.lead_agency,
                lead_practitioner=people.get(data["lead_practitioner"] or 0),
                allocated_worker=people.get(data["allocated_worker"] or 0),
                reason=data["reason"],
                revision=data["revision"],
                request=request,
            )
        except (StaleEdit, ValueError) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, "The allocation has changed.")
            return redirect("casework:case", pk=found.pk)
    return render(
        request,
        "casework/case/allocate.html",
        case_context(request, found, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The plan: a new one, or a new version of the current one (``?plan=<id>``)."""
    found = open_case(request, pk, change=True)
    plan_id = request.POST.get("plan") or request.GET.get("plan") or ""
    current = plan_on_case(found, int(plan_id)) if plan_id.isdigit() else None
    if plan_id and current is None:
        raise Http404("No such plan on this case")
    latest = latest_version(current) if current else None
    errors: dict[str, list[str]] = {}
    stale = ""
    types = plan_types()
    if request.method == "POST":
        goals = goals_from_post(request.POST)
        kind = request.POST.get("kind", "")
        seen = request.POST.get("version_seen", "")
        try:
            plan_save(
                actor=request.user,
                case=found,
                kind=current.kind if current else kind,
                goals=goals,
                child_words=request.POST.get("child_words", "")[:10000],
                family_words=request.POST.get("family_words", "")[:10000],
                plan=current,
                version_seen=int(seen) if seen.isdigit() else None,
                request=request,
            )
        except ValidationError as error:
            errors = error.message_dict
        except StaleEdit as refused:
            stale = str(refused)
        else:
            messages.success(request, "The plan is saved as a new version.")
            return redirect("casework:case", pk=found.pk)
        values: dict[str, Any] = {
            "kind": kind,
            "goals": goals,
            "child_words": request.POST.get("child_words", ""),
            "family_words": request.POST.get("family_words", ""),
        }
    else:
        values = {
            "kind": current.kind if current else "safety",
            "goals": list(latest.goals) if latest else [],
            "child_words": latest.child_words if latest else "",
            "family_words": latest.family_words if latest else "",
        }
    rows: list[dict[str, str]] = [dict(g) for g in values["goals"]]
    while len(rows) < min(len(values["goals"]) + 2, MAX_GOAL_ROWS) or len(rows) < 3:
        rows.append({"goal": "", "happen": ""})
    for i, row in enumerate(rows):
        row["goal_error"] = (errors.get(f"goal-{i}") or [""])[0]
        row["happen_error"] = (errors.get(f"happen-{i}") or [""])[0]
    error_list = [
        (name if name != "kind" else "kind-0", m) for name, ms in errors.items() for m in ms
    ]
    return render(
        request,
        "casework/case/plan.html",
        case_context(
            request,
            found,
            current=current,
            latest=latest,
            values=values,
            rows=rows[:MAX_GOAL_ROWS],
            types=[(code, name, weeks) for code, (name, weeks) in types.items()],
            errors=errors,
            error_list=error_list,
            stale=stale,
            version_seen=latest.number if latest else 0,
        ),
        status=409 if stale else 400 if errors else 200,
    )


@login_required
@require_POST
def action_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    form = ActionForm(request.POST, workers=_owners(request, found))
    if form.is_valid():
        data = form.cleaned_data
        owner = users_by_pk([data["owner"]]).get(data["owner"]) if data["owner"] else None
        try:
            action_add(
                actor=request.user,
                case=found,
                what=data["what"],
                due_on=data["due_on"],
                owner=owner,
                owner_name=data["owner_name"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The action is added.")
            return redirect("casework:case", pk=found.pk)
    return _page(request, found, status=400, action_form=form)


@login_required
@require_POST
def action_done(request: AuthenticatedRequest, pk: int, action_id: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    action = action_on_case(found, action_id)
    if action is None:
        raise Http404("No such action on this case")
    action_complete(actor=request.user, action=action, request=request)
    messages.success(request, "The action is marked done.")
    return redirect("casework:case", pk=found.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: AuthenticatedRequest, pk: int, plan_id: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    current = plan_on_case(found, plan_id)
    if current is None:
        raise Http404("No such plan on this case")
    form = ReviewForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review_record(
                actor=request.user,
                plan=current,
                held_on=data["held_on"],
                outcome=data["outcome"],
                what_changed=data["what_changed"],
                child_words=data["child_words"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The review is recorded.")
            return redirect("casework:case", pk=found.pk)
    return render(
        request,
        "casework/case/review.html",
        case_context(request, found, plan=current, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def closure(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Request closure or step-down (a reason for each item left open)."""
    found = open_case(request, pk, change=True)
    still_open = open_items(found)
    keys = [i.key for i in still_open]
    form = ClosureForm(
        posted(request),
        initial={"kind": request.GET.get("kind", ClosureKind.CLOSURE), "revision": found.revision},
    )
    reasons = open_item_reasons_from_post(request.POST, keys) if request.method == "POST" else {}
    item_errors: dict[str, str] = {}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closure_request(
                actor=request.user,
                case=found,
                kind=data["kind"],
                reason=data["reason"],
                step_down_to=data["step_down_to"],
                open_item_reasons=reasons,
                revision=data["revision"],
                request=request,
            )
        except ValidationError as error:
            for name, ms in error.message_dict.items():
                if name.startswith("open-"):
                    item_errors[name] = ms[0]
                else:
                    form.add_error(name if name in form.fields else None, ms)
        except (MoveRefused, StaleEdit) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request, "The request is sent to a manager of the lead agency for approval."
            )
            return redirect("casework:case", pk=found.pk)
    items = [
        {
            "key": i.key,
            "name": f"open-{i.key.replace(':', '-')}",
            "label": i.label,
            "value": reasons.get(i.key, ""),
            "error": item_errors.get(f"open-{i.key.replace(':', '-')}", ""),
        }
        for i in still_open
    ]
    return render(
        request,
        "casework/case/closure.html",
        case_context(request, found, form=form, items=items, item_errors=item_errors),
        status=400 if form.errors or item_errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def closure_decision(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = open_case(request, pk, change=request.method == "POST")
    require_manager_of(request.user, found, request)
    pending = pending_closure(found)
    if pending is None:
        messages.error(request, "No closure or step-down is waiting for approval on this case.")
        return redirect("casework:case", pk=found.pk)
    form = ClosureDecisionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            closure_decide(
                actor=request.user,
                closure=pending,
                approve=data["decision"] == "approve",
                comments=data["comments"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except MoveRefused as refused:
            form.add_error(None, str(refused))
        else:
            done = "approved" if data["decision"] == "approve" else "returned with your comments"
            messages.success(request, f"The {pending.get_kind_display().lower()} is {done}.")
            return redirect("casework:case", pk=found.pk)
    page = case_page(found, calendar().local_date(now()))
    labels = {i.key: i.label for i in page.open_items}
    left_open = [
        (labels.get(key, "an item since completed"), why)
        for key, why in pending.open_item_reasons.items()
    ]
    return render(
        request,
        "casework/case/closure_decision.html",
        case_context(request, found, form=form, pending=pending, page=page, left_open=left_open),
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def cases(request: AuthenticatedRequest) -> HttpResponse:
    policy = CasePolicy()
    visible = policy.instances_user_can_view(request.user)
    scope = request.GET.get("scope", "mine")
    if scope not in ("mine", "agency", "all"):
        scope = "mine"
    state = request.GET.get("state", "open")
    if state not in ("open", "closed", *CaseState.values):
        state = "open"
    page_param = request.GET.get("page", "1")
    found = case_list(
        visible,
        user=request.user,
        scope=scope,
        state=state,
        page=int(page_param) if page_param.isdigit() else 1,
    )
    ids = [c.person_id for c in found.cases]
    case_list_viewed(actor=request.user, person_ids=ids, scope=scope, request=request)
    return render(
        request,
        "casework/case/list.html",
        {
            "found": found,
            "scope": scope,
            "state": state,
            "states": [("open", "Open (every state but closed)"), *CaseState.choices],
            "labels": {pid: label.text for pid, label in labels_for(request.user, ids).items()},
            "today": calendar().local_date(now()),
            "colours": STATE_COLOURS,
        },
    )


@login_required
@require_GET
def panel_list(request: AuthenticatedRequest) -> HttpResponse:
    if not can_see_panel_referrals(request.user):
        raise PermissionDenied("The panel's list is for the front door and the panel")
    referrals = panel_referrals()
    ids = [r.case.person_id for r in referrals]
    case_list_viewed(actor=request.user, person_ids=ids, scope="panel", request=request)
    return render(
        request,
        "casework/case/panel_referrals.html",
        {
            "referrals": referrals,
            "labels": {pid: label.text for pid, label in labels_for(request.user, ids).items()},
        },
    )
