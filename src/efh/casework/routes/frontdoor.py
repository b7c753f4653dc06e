"""The front door: the screening queue, taking a child from it, and the screening page."""

from django.urls import URLPattern, path

from efh.casework.views import frontdoor

urlpatterns: list[URLPattern] = [
    path("front-door/", frontdoor.queue, name="queue"),
    path("front-door/children/<int:person_id>/take/", frontdoor.take, name="take"),
    path("front-door/screenings/<int:pk>/", frontdoor.screening, name="screening"),
]
