"""One answer, everywhere, to a user with no need to know: the need-to-know page (403).

``people.policy.access_person`` raises :class:`~efh.people.policy.NeedToKnow` (having logged
the refused attempt); any view may let it propagate and the user sees how many agencies know the
person and, where their role allows, how to break the glass, never who the person is.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from efh.people.policy import NeedToKnow


def need_to_know_response(request: HttpRequest, refused: NeedToKnow) -> HttpResponse:
    return render(
        request,
        "people/need_to_know.html",
        {
            "person_id": refused.person_id,
            "known_to": refused.known_to,
            "can_break_glass": refused.can_break_glass,
        },
        status=403,
    )


class NeedToKnowMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NeedToKnow):
            return need_to_know_response(request, exception)
        return None
