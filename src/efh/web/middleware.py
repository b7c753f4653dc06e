"""Response headers every page gets.

``NoStoreMiddleware``: pages and exports hold personal data, so no browser, proxy or shared
computer keeps a copy of them (``Cache-Control: no-store``, and ``Pragma: no-cache`` for old HTTP/1.0
caches). It sits below WhiteNoise, which answers static files itself with their long cache, so
those keep it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Added to whatever a view set, and no-store overrides any max-age beside it.
        patch_cache_control(response, no_store=True)
        response.headers.setdefault("Pragma", "no-cache")
        return response
