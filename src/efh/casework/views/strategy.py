"""Recording a strategy discussion held (and the initial child protection conference a section
47 enquiry makes due); NRM referrals and their decisions. Each opens the case through
``casework.policy.CasePolicy``; the services check and log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from efh.accounts.http import AuthenticatedRequest
from efh.casework.forms.case import IcpcForm, NrmForm, NrmStepForm, StrategyForm, yes_no
from efh.casework.selectors.case import agencies, nrm_on_case, strategy_on_case
from efh.casework.services.nrm import nrm_record, nrm_step
from efh.casework.services.strategy import (
    icpc_record,
    parse_attendees,
    strategy_discussion_record,
)
from efh.casework.views.case import case_context, open_case, posted
from efh.web.forms import add_service_errors


@login_required
@require_http_methods(["GET", "POST"])
def strategy(request: AuthenticatedRequest, pk: int, sd_id: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    sd = strategy_on_case(found, sd_id)
    if sd is None:
        raise Http404("No such strategy discussion on this case")
    held = sd.held_on is not None
    form = StrategyForm(
        None if held else posted(request),
        initial={"attendees": "\n".join(f"{a['name']}, {a['agency']}" for a in sd.attendees)},
    )
    icpc = IcpcForm(posted(request) if held else None)
    if request.method == "POST":
        try:
            if not held and form.is_valid():
                d = form.cleaned_data
                strategy_discussion_record(
                    actor=request.user,
                    discussion=sd,
                    held_on=d["held_on"],
                    attendees=parse_attendees(d["attendees"]),
                    information_shared=d["information_shared"],
                    section_47=yes_no(d["section_47"]),
                    section_47_joint=yes_no(d["section_47_joint"]),
                    other_actions=d["other_actions"],
                    request=request,
                )
                messages.success(request, "The strategy discussion is recorded.")
                return redirect("casework:case", pk=found.pk)
            if held and icpc.is_valid():
                icpc_record(
                    actor=request.user,
                    discussion=sd,
                    held_on=icpc.cleaned_data["icpc_held_on"],
                    outcome=icpc.cleaned_data["icpc_outcome"],
                    request=request,
                )
                messages.success(request, "The initial child protection conference is recorded.")
                return redirect("casework:case", pk=found.pk)
        except ValidationError as error:
            add_service_errors(icpc if held else form, error)
    errors = bool(form.errors or icpc.errors)
    return render(
        request,
        "casework/case/strategy.html",
        case_context(request, found, sd=sd, form=form, icpc=icpc, held=held),
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def nrm_new(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    choices = agencies()
    form = NrmForm(posted(request), agencies=[(a.pk, a.name) for a in choices])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            nrm_record(
                actor=request.user,
                case=found,
                first_responder=next((a for a in choices if a.pk == d["first_responder"]), None),
                submitted_on=d["submitted_on"],
                devolved=yes_no(d["devolved"]),
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "The NRM referral is recorded.")
            return redirect("casework:case", pk=found.pk)
    return render(
        request,
        "casework/case/nrm_new.html",
        case_context(request, found, form=form),
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def nrm(request: AuthenticatedRequest, pk: int, nrm_id: int) -> HttpResponse:
    found = open_case(request, pk, change=True)
    referral = nrm_on_case(found, nrm_id)
    if referral is None:
        raise Http404("No such NRM referral on this case")
    form = NrmStepForm(posted(request))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            nrm_step(
                actor=request.user,
                referral=referral,
                step=d["step"],
                decided_on=d["decided_on"],
                positive=yes_no(d["positive"]),
                text=d["text"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error, places={"step": "step"})
        else:
            messages.success(request, "The NRM referral is updated.")
            return redirect("casework:case", pk=found.pk)
    return render(
        request,
        "casework/case/nrm.html",
        case_context(request, found, form=form, referral=referral),
        status=400 if form.errors else 200,
    )
