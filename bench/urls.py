"""The product's URLs plus ``bench/floor/``: a bare Django view, the floor of every figure."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    """The least a Django page costs here: the same server, middleware and session cookie."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("efh.config.urls")),
]
