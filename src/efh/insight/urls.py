from django.urls import path

from efh.insight import views, views_runs

app_name = "insight"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("peer-groups/", views.peer_groups, name="peer-groups"),
    path("peer-groups/<str:code>/", views.peer_group, name="peer-group"),
    path("adults/", views.adults, name="adults"),
    path("adults/<str:code>/", views.adult, name="adult"),
    path("missing-together/", views.co_missing, name="co-missing"),
    path("missing-together/<str:code>/", views.co_missing_group, name="co-missing-group"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("hotspots/", views.hotspots, name="hotspots"),
    path("trends/", views.trends, name="trends"),
    path("refreshes/", views_runs.refresh_runs, name="refresh-runs"),
    path("refreshes/start/", views_runs.refresh_start, name="refresh-start"),
]
