"""NRM referrals on a case."""

from django.urls import URLPattern, path

from efh.casework.views import strategy

urlpatterns: list[URLPattern] = [
    path("cases/<int:pk>/nrm/new/", strategy.nrm_new, name="case-nrm-new"),
    path("cases/<int:pk>/nrm/<int:nrm_id>/", strategy.nrm, name="case-nrm"),
]
