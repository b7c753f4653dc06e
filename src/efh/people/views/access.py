"""The need-to-know screens: breaking the glass, and recording an information-sharing decision.

Both go through the permission policy and the people services, which write the access log:
the break-glass form shows nothing of the record (only how many agencies know the person), and
the sharing form is open only to someone who may open the record and record on it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from efh.accounts.models import User
from efh.people.forms import BreakGlassForm, SharingForm
from efh.people.models import Person, SharingDecision
from efh.people.policy import (
    PersonAccess,
    View,
    access_person,
    can_break_glass,
    can_share,
    grounds_for,
    known_to,
    labels_for,
    now,
)
from efh.people.services import break_glass_open, sharing_decision_record
from efh.web.forms import add_service_errors


class SignedInRequest(HttpRequest):
    user: User


def _duration(minutes: int) -> str:
    """``2 hours``, ``90 minutes``, ``1 hour``."""
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Ask for the reason, then open the record for ``EFH_BREAK_GLASS_MINUTES``.

    Only roles with ``Capability.BREAK_GLASS``; someone who may already open the record is sent
    straight to it, so no needless access is flagged for review."""
    if not can_break_glass(request.user):
        raise PermissionDenied("Your role cannot break the glass")
    if not Person.objects.filter(pk=person_id).exists():
        raise Http404("No such person")
    if grounds_for(request.user, person_id):
        return redirect("people:record", person_id=person_id)
    form = BreakGlassForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            break_glass_open(
                actor=request.user,
                person_id=person_id,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("people:record", person_id=person_id)
    return render(
        request,
        "people/break_glass.html",
        {
            "form": form,
            "person_id": person_id,
            "known_to": known_to([person_id])[person_id],
            "duration": _duration(settings.EFH_BREAK_GLASS_MINUTES),
        },
    )


def _in_force(person_id: int) -> QuerySet[SharingDecision]:
    """The person's sharing decisions in force now (not withdrawn, not expired).

    Read here, after ``access_person`` has authorised and logged the page, because the people
    app's selectors belong to another part of the work; it is the same condition as the
    policy's ``_shared`` ground."""
    at = now()
    return (
        SharingDecision.objects.filter(person_id=person_id, withdrawn_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=at))
        .select_related("to_agency", "to_user", "shared_by", "from_agency")
        .order_by("-decided_at", "-pk")
    )


def _share_access(request: SignedInRequest, person_id: int, **detail: Any) -> PersonAccess:
    """Fetch, authorise and log the person for the sharing page (403 without grounds)."""
    if not can_share(request.user):
        raise PermissionDenied("Your role cannot share records")
    access = access_person(
        request.user,
        person_id,
        request=request,
        fields=["given_name", "family_name", "date_of_birth", "sharing_decisions"],
        detail={"screen": "share", **detail},
        views=(View.FULL,),
    )
    return access


@login_required
@require_http_methods(["GET", "POST"])
def share(request: SignedInRequest, person_id: int) -> HttpResponse:
    """Record an information-sharing decision; list the decisions in force.

    A successful POST is logged by the service and redirected (POST/redirect/GET) to this page
    with ``?shared=<id>``, which confirms who can now open the record."""
    if not can_share(request.user):
        raise PermissionDenied("Your role cannot share records")
    form = SharingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not Person.objects.filter(pk=person_id).exists():
            raise Http404("No such person")
        if not grounds_for(request.user, person_id):
            _share_access(request, person_id)  # logs the refusal and raises NeedToKnow
        if form.is_valid():
            data = form.cleaned_data
            try:
                decision = sharing_decision_record(
                    actor=request.user,
                    person_id=person_id,
                    to_agency=data["to_agency"],
                    to_user=data["to_user"],
                    scope=data["scope"],
                    purpose=data["purpose"],
                    lawful_basis=data["lawful_basis"],
                    condition=data["condition"],
                    consent_obtained=data["consent_obtained"],
                    consent_override_reason=data["consent_override_reason"],
                    expires_at=data["expires_at"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error, SharingForm.SERVICE_PLACES)
            else:
                url = reverse("people:share", kwargs={"person_id": person_id})
                return redirect(f"{url}?shared={decision.pk}")
    shared_id = request.GET.get("shared", "")
    confirmation = None
    if request.method == "GET" and shared_id.isdigit():
        access = _share_access(request, person_id, confirmation=int(shared_id))
        confirmation = _in_force(person_id).filter(pk=int(shared_id)).first()
    else:
        access = _share_access(request, person_id)
    label = labels_for(request.user, [person_id])[person_id]
    return render(
        request,
        "people/share.html",
        {
            "form": form,
            "access": access,
            "person_id": person_id,
            "name": label.text,
            "decisions": list(_in_force(person_id)),
            "confirmation": confirmation,
            "recipient_can_open": _recipient_can_open(confirmation),
        },
        status=400 if form.errors else 200,
    )


def _recipient_can_open(decision: SharingDecision | None) -> bool | None:
    """Whether the named recipient of a decision can now open the record (asked of the policy,
    so the confirmation never claims more than the policy grants)."""
    if decision is None or decision.to_user is None:
        return None
    return bool(grounds_for(decision.to_user, decision.person_id))
