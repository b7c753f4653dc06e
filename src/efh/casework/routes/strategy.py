"""Strategy discussions (and the conference a section 47 enquiry makes due) on a case."""

from django.urls import URLPattern, path

from efh.casework.views import strategy

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/strategy/<int:sd_id>/", strategy.strategy, name="case-strategy"),
]
