"""Missing episodes, return home interviews and the child's Philomena profile.

Every screen opens the child first with ``people.policy.access_person``, which decides whether
the user may, and writes the access-log entry; a refusal gets a 403 page that says only what
anyone may be told (how many agencies know the child). Pseudonymised access (analysts) is
refused here: these pages are about a named child. Recording needs the record capability.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from efh.accounts.http import AuthenticatedRequest
from efh.concerns.forms.missing import InterviewForm, MissingEpisodeForm, PhilomenaForm
from efh.concerns.models import MissingEpisode, PhilomenaProfile
from efh.concerns.policy import can_record
from efh.concerns.selectors import missing as selectors
from efh.concerns.services import missing as services
from efh.core import clock
from efh.core.models import ObjectType
from efh.people.policy import (
    NeedToKnow,
    NotPermitted,
    PersonAccess,
    View,
    access_person,
    labels_for,
)

EPISODE_FIELDS = [
    "missing_from",
    "went_missing_at",
    "reported_at",
    "returned_at",
    "found",
    "missing_with",
    "circumstances",
    "return_home_interview",
]
PROFILE_FIELDS = [
    "description",
    "photo",
    "friends_and_associates",
    "addresses",
    "places_frequented",
    "phones",
    "social_media",
    "transport",
    "other",
]


class Refused(Exception):
    """Why a screen is refused: rendered as the 403 page."""

    def __init__(self, **context: Any) -> None:
        super().__init__("refused")
        self.context = context


def _open_child(
    request: AuthenticatedRequest,
    person_id: int,
    *,
    fields: list[str],
    detail: dict[str, Any],
    record: bool = False,
    object_type: str = "person",
) -> PersonAccess:
    """Open the child for this screen (logged by the policy), or raise :class:`Refused`."""
    if record and not can_record(request.user):
        raise Refused(reason="record")
    try:
        access = access_person(
            request.user,
            person_id,
            request=request,
            fields=fields,
            detail=detail,
            object_type=object_type,
            views=(View.FULL,),
        )
    except NotPermitted as refusal:
        reason = "pseudonymised" if refusal.view == View.PSEUDONYMISED else "scope"
        raise Refused(reason=reason) from None
    except NeedToKnow as refusal:
        raise Refused(
            reason="need_to_know",
            known_to=refusal.known_to,
            can_break_glass=refusal.can_break_glass,
            person_id=person_id,
        ) from None
    return access


def _refused(request: AuthenticatedRequest, refusal: Refused) -> HttpResponse:
    return render(request, "concerns/missing_refused.html", refusal.context, status=403)


def _child_context(request: AuthenticatedRequest, person_id: int) -> dict[str, Any]:
    label = labels_for(request.user, [person_id])[person_id]
    return {
        "person_id": person_id,
        "child_name": label.text,
        "can_record": can_record(request.user),
    }


def _person_param(request: AuthenticatedRequest) -> int:
    value = request.GET.get("person", "")
    if not value.isdigit():
        raise Http404("Record a missing episode from the child's record")
    return int(value)


def _apply_service_errors(form: Any, error: ValidationError) -> None:
    """Put the service's errors (whole sentences) on the form's fields, or at its top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


@login_required
@require_http_methods(["GET", "POST"])
def episode_new(request: AuthenticatedRequest) -> HttpResponse:
    person_id = _person_param(request)
    try:
        _open_child(
            request,
            person_id,
            fields=["name"],
            detail={"screen": "record missing episode"},
            record=True,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    candidates = selectors.companion_candidates(request.user, person_id)
    labels = labels_for(request.user, candidates)
    form_kwargs: dict[str, Any] = {
        "person_id": person_id,
        "candidates": [(pid, labels[pid].text) for pid in candidates],
        "can_open": lambda ids: selectors.openable_person_ids(request.user, ids),
    }
    if request.method == "POST":
        form = MissingEpisodeForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                episode = services.missing_episode_record(
                    actor=request.user,
                    person_id=person_id,
                    missing_from=data["missing_from"],
                    went_missing_at=data["went_missing_at"],
                    reported_at=data["reported_at"],
                    returned_at=data["returned_at"],
                    found=data["found"],
                    missing_with=form.companions(),
                    circumstances=data["circumstances"],
                    request=request,
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                return redirect("concerns:missing", pk=episode.pk)
    else:
        form = MissingEpisodeForm(**form_kwargs)
    return render(
        request,
        "concerns/missing_form.html",
        {**_child_context(request, person_id), "form": form},
    )


def _episode_child(episode_id: int) -> int:
    person_id = selectors.episode_person_id(episode_id)
    if person_id is None:
        raise Http404("No such missing episode")
    return person_id


def _episode_context(
    request: AuthenticatedRequest, episode: MissingEpisode, person_id: int
) -> dict[str, Any]:
    companions = selectors.missing_with_person_ids(episode)
    labels = labels_for(request.user, companions)
    original = episode.original_values()
    return {
        **_child_context(request, person_id),
        "episode": episode,
        "imported": not episode.is_platform_entry,
        "companions": [labels[pid] for pid in companions],
        "rhi": episode.rhi(now=clock.now()),
        "addenda": selectors.episode_addenda(episode),
        "child_said": original["rhi_child_said"],
        "next_steps": original["rhi_next_steps"],
    }


@login_required
@require_http_methods(["GET"])
def episode(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person_id = _episode_child(pk)
    try:
        _open_child(
            request,
            person_id,
            fields=EPISODE_FIELDS,
            detail={"missing_episode": pk},
        )
    except Refused as refusal:
        return _refused(request, refusal)
    found = selectors.episode_get(pk)
    return render(
        request, "concerns/missing_episode.html", _episode_context(request, found, person_id)
    )


def _interview_initial(episode: MissingEpisode) -> dict[str, Any]:
    """The form as the episode stands now (other agencies' addenda included)."""
    current = episode.current_values()
    return {
        "row_hash": selectors.episode_version(episode),
        "returned_at": current["returned_at"],
        "rhi_offered_at": current["rhi_offered_at"],
        "rhi_completed_at": current["rhi_completed_at"],
        "rhi_declined": bool(current["rhi_declined"]),
        "rhi_by": current["rhi_by"],
        "child_said": current["rhi_child_said"],
        "next_steps": current["rhi_next_steps"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def interview(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    person_id = _episode_child(pk)
    try:
        _open_child(
            request,
            person_id,
            fields=EPISODE_FIELDS,
            detail={"missing_episode": pk, "screen": "return home interview"},
            record=True,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    found = selectors.episode_get(pk)
    addendum = not services.edits_in_place(request.user, found)
    form_kwargs: dict[str, Any] = {"went_missing_at": found.went_missing_at, "addendum": addendum}
    stale: MissingEpisode | None = None
    if request.method == "POST":
        form = InterviewForm(request.POST, **form_kwargs)
        if request.POST.get("row_hash", "") != selectors.episode_version(found):
            # Changed since the form was loaded: say so first, whatever else is wrong.
            stale, form = found, _stale_interview_form(request, found, form_kwargs)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.missing_episode_interview_record(
                    actor=request.user,
                    episode_id=pk,
                    expected_row_hash=data["row_hash"],
                    returned_at=data["returned_at"],
                    rhi_offered_at=data["rhi_offered_at"],
                    rhi_completed_at=data["rhi_completed_at"],
                    rhi_declined=data["rhi_declined"],
                    rhi_by=data["rhi_by"],
                    child_said=data["child_said"],
                    next_steps=data["next_steps"],
                    reason=data.get("reason", ""),
                    request=request,
                )
            except services.StaleEdit:
                stale = selectors.episode_get(pk)
                form = _stale_interview_form(request, stale, form_kwargs)
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                return redirect("concerns:missing", pk=pk)
        addendum = form_kwargs["addendum"]
    else:
        form = InterviewForm(initial=_interview_initial(found), **form_kwargs)
    context = _episode_context(request, stale or found, person_id)
    context.update({"form": form, "stale": stale is not None, "addendum": addendum})
    return render(request, "concerns/missing_interview.html", context)


def _stale_interview_form(
    request: AuthenticatedRequest, current: MissingEpisode, form_kwargs: dict[str, Any]
) -> InterviewForm:
    """The interview form after someone else's change (which may make this user's change an
    addendum now: another agency has added to the episode)."""
    form_kwargs["addendum"] = not services.edits_in_place(request.user, current)
    return _stale_form(
        InterviewForm,
        request.POST,
        "row_hash",
        selectors.episode_version(current),
        "Someone else changed this episode after you opened it. Nothing was saved. "
        "Check their version below, change your answers if you need to, and save again.",
        **form_kwargs,
    )


def _stale_form(
    form_class: Any, data: QueryDict, name: str, current: Any, message: str, **kwargs: Any
) -> Any:
    """The form as the user typed it, carrying the stored version's marker (so saving again
    is a decision made having seen the other version) and the stale-edit message."""
    fresh = data.copy()
    fresh[name] = str(current)
    form = form_class(fresh, **kwargs)
    form.full_clean()
    form.add_error(None, message)
    return form


def _profile_context(
    request: AuthenticatedRequest, person_id: int, profile: PhilomenaProfile | None
) -> dict[str, Any]:
    now = clock.now()
    episodes = selectors.episodes_of(person_id)
    return {
        **_child_context(request, person_id),
        "profile": profile,
        "readiness": selectors.profile_readiness(profile),
        "sections": selectors.profile_sections(profile),
        "episodes": [(e, e.rhi(now=now)) for e in episodes[:10]],
        "episode_count": len(episodes),
        "still_missing": any(e.returned_at is None for e in episodes),
    }


@login_required
@require_http_methods(["GET"])
def philomena(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    try:
        _open_child(
            request,
            person_id,
            fields=PROFILE_FIELDS,
            detail={"screen": "philomena profile"},
            object_type=ObjectType.PHILOMENA_PROFILE,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    profile = selectors.profile_get(person_id)
    return render(
        request, "concerns/philomena_profile.html", _profile_context(request, person_id, profile)
    )


@login_required
@require_http_methods(["GET"])
def philomena_print(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    """The profile laid out to print and hand to the police when the child next goes missing."""
    try:
        _open_child(
            request,
            person_id,
            fields=[*PROFILE_FIELDS, "record_addresses"],
            detail={"screen": "philomena profile, printable"},
            object_type=ObjectType.PHILOMENA_PROFILE,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    profile = selectors.profile_get(person_id)
    context = _profile_context(request, person_id, profile)
    context["record_addresses"] = selectors.last_known_addresses(person_id)
    context["printed_at"] = clock.now()
    return render(request, "concerns/philomena_print.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def philomena_edit(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    try:
        _open_child(
            request,
            person_id,
            fields=PROFILE_FIELDS,
            detail={"screen": "edit philomena profile"},
            record=True,
            object_type=ObjectType.PHILOMENA_PROFILE,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    profile = selectors.profile_get(person_id)
    has_photo = bool(profile and profile.photo)
    stale: PhilomenaProfile | None = None
    if request.method == "POST":
        form = PhilomenaForm(request.POST, request.FILES, has_photo=has_photo)
        if form.is_valid():
            try:
                services.philomena_profile_save(
                    actor=request.user,
                    person_id=person_id,
                    expected_revision=form.cleaned_data["revision"] or 0,
                    texts=form.texts(),
                    photo=form.cleaned_data["photo"],
                    remove_photo=form.cleaned_data.get("remove_photo", False),
                    request=request,
                )
            except services.StaleEdit as conflict:
                stale = conflict.current
                form = _stale_form(
                    PhilomenaForm,
                    request.POST,
                    "revision",
                    conflict.current.revision if conflict.current else 0,
                    "Someone else changed this profile after you opened it. Nothing was saved. "
                    "Check their version below, change your answers if you need to, and save "
                    "again (choose the photo again if you were adding one).",
                    has_photo=bool(conflict.current and conflict.current.photo),
                )
            except ValidationError as error:
                _apply_service_errors(form, error)
            else:
                return redirect("concerns:philomena", person_id=person_id)
    else:
        initial: dict[str, Any] = {"revision": profile.revision if profile else 0}
        if profile is not None:
            initial.update({name: getattr(profile, name) for name in services.PROFILE_TEXT_FIELDS})
        form = PhilomenaForm(initial=initial, has_photo=has_photo)
    context = _profile_context(request, person_id, stale or profile)
    context.update({"form": form, "stale": stale})
    return render(request, "concerns/philomena_form.html", context)


@login_required
@require_http_methods(["GET"])
def philomena_photo(request: AuthenticatedRequest, person_id: int) -> HttpResponse:
    """The child's photo, served only to those who may open the child, each view logged."""
    try:
        _open_child(
            request,
            person_id,
            fields=["photo"],
            detail={"screen": "philomena photo"},
            object_type=ObjectType.PHILOMENA_PROFILE,
        )
    except Refused as refusal:
        return _refused(request, refusal)
    profile = selectors.profile_get(person_id)
    if profile is None or not profile.photo:
        raise Http404("No photo")
    response = HttpResponse(bytes(profile.photo), content_type=profile.photo_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="photo"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
