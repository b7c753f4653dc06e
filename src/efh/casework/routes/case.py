"""The child's case: its page, moves, allocation, plan, actions, reviews and closure; the list of
cases; the panel's list of referrals."""

from django.urls import URLPattern, path

from efh.casework.views import case

urlpatterns: list[URLPattern] = [
    path("cases/", case.cases, name="case-list"),
    path("cases/<int:pk>/", case.case, name="case"),
    path("cases/<int:pk>/move/", case.move, name="case-move"),
    path("cases/<int:pk>/allocation/", case.allocate, name="case-allocate"),
    path("cases/<int:pk>/plan/", case.plan, name="case-plan"),
    path("cases/<int:pk>/actions/", case.action_new, name="case-action-new"),
    path("cases/<int:pk>/actions/<int:action_id>/done/", case.action_done, name="case-action-done"),
    path("cases/<int:pk>/plans/<int:plan_id>/review/", case.review, name="case-review"),
    path("cases/<int:pk>/closure/", case.closure, name="case-closure"),
    path("cases/<int:pk>/closure/decision/", case.closure_decision, name="case-closure-decision"),
    path("panel/referrals/", case.panel_list, name="panel-referrals"),
]
