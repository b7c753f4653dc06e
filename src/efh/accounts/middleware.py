"""The two-factor gate: a signed-in user who must use a code gives it before anything else.

Who must: anyone with a confirmed device (whether their role requires it or they chose it)
verifies once per session; anyone whose role requires it (``Role.requires_mfa``) and has no
device yet enrols first. Sign-out, static files, the two-factor pages themselves and the
session keep-alive stay reachable. Runs after django-otp's ``OTPMiddleware``, which says
whether this session has been verified.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect
from django_otp import user_has_device

ALLOWED_URL_NAMES = [
    "accounts:sign-out",
    "accounts:two-factor",
    "accounts:two-factor-verify",
    "accounts:session-extend",
]


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @cached_property
    def allowed_paths(self) -> frozenset[str]:
        return frozenset(reverse(name) for name in ALLOWED_URL_NAMES)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.gate(request) or self.get_response(request)

    def gate(self, request: HttpRequest) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():  # type: ignore[union-attr,attr-defined]
            return None
        if request.path in self.allowed_paths or request.path.startswith(settings.STATIC_URL):
            return None
        if user_has_device(user, confirmed=True):
            target = "accounts:two-factor-verify"
        elif getattr(user, "requires_mfa", False):
            target = "accounts:two-factor"
        else:
            return None
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
