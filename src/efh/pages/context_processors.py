"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from efh.core.access import Capability

# (label, url name, capabilities any one of which shows it): the service navigation, shown by
# what the user may do.
NAVIGATION: list[tuple[str, str, tuple[Capability, ...]]] = [
    ("Search people", "people:search", (Capability.CASEWORK,)),
    ("Record a concern", "concerns:concern-new", (Capability.RECORD,)),
    ("Front door", "casework:queue", (Capability.SCREEN,)),
    ("Cases", "casework:case-list", (Capability.CASEWORK,)),
    ("Panel referrals", "casework:panel-referrals", (Capability.PARTNERSHIP_WIDE,)),
    ("Record links", "people:link-review", (Capability.LINK_REVIEW,)),
    ("Intelligence", "insight:overview", (Capability.INTELLIGENCE, Capability.PSEUDONYMISED)),
    ("Access log", "audit:index", (Capability.AUDIT,)),
    ("Screening tool", "casework:tool", (Capability.ADMINISTER,)),
]


def service(request: HttpRequest) -> dict[str, Any]:
    """The service's and the partnership's names, for the header, titles and footer, and the
    navigation the signed-in user may use (``current`` marks the section they are in), and
    ``can.<capability>`` for templates that offer what a role allows."""
    nav = []
    can: dict[str, bool] = {}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        can = {c.value: user.can(c) for c in Capability}
        for label, name, capabilities in NAVIGATION:
            if any(user.can(c) for c in capabilities):
                url = reverse(name)
                nav.append({"label": label, "url": url, "current": request.path.startswith(url)})
    return {
        "service_name": settings.SERVICE_NAME,
        "partnership_name": settings.PARTNERSHIP_NAME,
        "navigation": nav,
        "can": can,
    }
