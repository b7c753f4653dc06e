"""Two-factor enrolment and verification, and keeping a session alive.

The gate that sends users here is ``efh.accounts.middleware.TwoFactorMiddleware``.
"""

from __future__ import annotations

from base64 import b32encode
from typing import Any
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from efh.accounts import services
from efh.accounts.forms import LockableSignInForm, TwoFactorCodeForm, lockout_message
from efh.accounts.http import AuthenticatedRequest


def _next_url(request: HttpRequest) -> str:
    """Where to go once two-factor is done: ``next`` when it is on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return str(settings.LOGIN_REDIRECT_URL)


def _qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// URL as an inline SVG QR code, named for assistive technology."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, dark="#0b0c0c")
    label = "QR code for your authenticator app (the key below is the same, as text)"
    # segno escapes nothing we pass here; the label is our own text.
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@login_required
def two_factor(request: AuthenticatedRequest) -> HttpResponse:
    """Set up an authenticator app: scan the QR code (or type the key), then confirm a code.

    A user who already has a confirmed device sees that it is on, and may turn it off unless
    their role requires it.
    """
    user = request.user
    if user_has_device(user, confirmed=True):
        if not user.is_verified():  # type: ignore[attr-defined]
            verify = reverse("accounts:two-factor-verify")
            return redirect(f"{verify}?{urlencode({'next': request.get_full_path()})}")
        if request.method == "POST" and request.POST.get("action") == "turn-off":
            # The page offers this only when the role does not require two-factor.
            if not user.requires_mfa:
                services.mfa_devices_remove(user=user)
                messages.success(request, "Two-factor authentication is turned off.")
            return redirect("accounts:two-factor")
        return render(request, "accounts/two_factor_on.html", {"required": user.requires_mfa})

    device = services.mfa_enrolment_device(user=user)
    form = TwoFactorCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        services.mfa_enrolment_confirm(user=user, device=device)
        otp_login(request, device)
        return render(request, "accounts/two_factor_done.html", {"next": _next_url(request)})
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device),
            "secret": _grouped(secret),
            "required": user.requires_mfa,
            "next": _next_url(request),
        },
    )


@never_cache
@login_required
def two_factor_verify(request: AuthenticatedRequest) -> HttpResponse:
    """After the password: the code from the user's authenticator app, once per session."""
    user = request.user
    if user.is_verified():  # type: ignore[attr-defined]
        return redirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-pk").first()
    if device is None:
        return redirect("accounts:two-factor")
    form = TwoFactorCodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        # A new session key now that the second factor is proven (as Django does at sign-in).
        request.session.cycle_key()
        return redirect(_next_url(request))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@never_cache
@require_POST
def session_extend(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in" from the timeout warning: touching the session restarts its clock.

    JSON, not a redirect, because only the warning's script calls it; 401 when the session has
    already gone, so the script sends the user to sign in again.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    request.session.modified = True
    return JsonResponse({"signed_in": True, "expires_in": request.session.get_expiry_age()})


# Shown on the sign-in page after the timeout warning ran out (session-timeout.js).
TIMED_OUT_MESSAGE = (
    "We signed you out because you did not do anything for {duration}. "
    "We do this to keep children’s information secure."  # noqa: RUF001
)


class SignInView(auth_views.LoginView):
    """Django's sign-in, refused while django-axes has the username locked out."""

    template_name = "accounts/sign_in.html"
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
