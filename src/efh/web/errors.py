"""The service's error pages (``handler500`` in efh.config.urls).

403 and 404 are Django's own views, rendering ``403.html`` and ``404.html`` (templates/) with the
request's context. The 500 page is rendered here without the request's context processors:
the database, the session or the signed-in user may be what failed. A form refused by the CSRF
check gets its own page (settings.CSRF_FAILURE_VIEW), not Django's.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def server_error(request: HttpRequest) -> HttpResponseServerError:
    context = {
        "service_name": settings.SERVICE_NAME,
        "partnership_name": settings.PARTNERSHIP_NAME,
        "front_door_contact": settings.EFH_FRONT_DOOR_CONTACT,
        # The nonce of base.html's inline script: set by CSPMiddleware, unless the failure came
        # before it.
        "CSP_NONCE": getattr(request, "csp_nonce", ""),
    }
    return HttpResponseServerError(loader.get_template("500.html").render(context))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form's CSRF token was missing or stale: what happened and what to do, never Django's
    reason (which names cookies and headers)."""
    return render(request, "403_csrf.html", status=403)
