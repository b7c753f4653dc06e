"""Sign in, sign out and the home page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from efh.accounts.forms import LockableSignInForm, lockout_message
from efh.accounts.models import User
from efh.concerns.selectors.concern import drafts_for
from efh.core.models import AccessAction
from efh.core.services import access_log_record
from efh.web import selectors

# Shown on the sign-in page after the timeout warning ran out (session-timeout.js).
TIMED_OUT_MESSAGE = (
    "We signed you out because you did not do anything for {duration}. "
    "We do this to keep children’s information secure."  # noqa: RUF001
)


class AuthenticatedRequest(HttpRequest):
    """The request a ``login_required`` view gets: its user is signed in."""

    user: User


class SignInView(auth_views.LoginView):
    """Django's sign-in, refused while django-axes has the username locked out."""

    template_name = "web/sign_in.html"
    form_class = LockableSignInForm
    redirect_authenticated_user = True


def sign_in_locked_out(
    request: HttpRequest, original_response: HttpResponse | None, credentials: Any = None
) -> HttpResponse:
    """django-axes' lockout response (``AXES_LOCKOUT_CALLABLE``).

    The sign-in page has already been rendered with the lockout error (LockableSignInForm), so
    it is kept, as 429 Too Many Requests; anywhere else, the message alone.
    """
    if original_response is None:
        return HttpResponse(lockout_message(), status=429, content_type="text/plain")
    original_response.status_code = 429
    return original_response


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5 refuses GET); then back to the sign-in page (LOGOUT_REDIRECT_URL).

    The timeout warning posts ``reason=timeout`` when time runs out, and the sign-in page then
    says why the user was signed out.
    """

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        if request.POST.get("reason") == "timeout":
            duration = _duration(request.session.get_expiry_age())
            messages.info(request, TIMED_OUT_MESSAGE.format(duration=duration))
        return response


def _duration(seconds: int) -> str:
    """``30 minutes``, ``1 minute``; seconds only for the very short sessions tests use."""
    if seconds < 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = round(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    drafts = drafts_for(user=request.user)
    named = sorted({d.person_id for d in drafts if d.person_id and d.about})
    if named:  # the list names the people the drafts are about: a view of personal data
        access_log_record(
            actor=request.user,
            action=AccessAction.VIEW,
            object_type="concern_drafts",
            fields=["names"],
            detail={"people": named},
            request=request,
        )
    return render(
        request,
        "web/home.html",
        {"deliveries": selectors.latest_deliveries(user=request.user), "concern_drafts": drafts},
    )
