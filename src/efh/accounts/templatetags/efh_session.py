"""``{% session_timeout_warning %}``: the timeout warning dialog, with the session's timings."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()


@register.inclusion_tag("accounts/session_timeout.html", takes_context=True)
def session_timeout_warning(context: template.Context) -> dict[str, Any]:
    session_seconds = int(settings.SESSION_COOKIE_AGE)
    return {
        "session_seconds": session_seconds,
        "warning_seconds": min(int(settings.EFH_SESSION_WARNING_SECONDS), session_seconds),
        "csrf_token": context.get("csrf_token", ""),
        "script_url": static("session-timeout.js"),
    }
