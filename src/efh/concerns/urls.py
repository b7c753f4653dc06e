from django.urls import path

from efh.concerns.views import concern, missing

app_name = "concerns"

urlpatterns = [
    path("concerns/new/", concern.placeholder, name="concern-new"),
    path("concerns/<int:event_id>/recorded/", concern.placeholder, name="concern-recorded"),
    path("missing/new/", missing.placeholder, name="missing-new"),
    path("missing/<int:pk>/", missing.placeholder, name="missing"),
    path("missing/<int:pk>/interview/", missing.placeholder, name="missing-interview"),
    path("people/<int:person_id>/philomena/", missing.placeholder, name="philomena"),
]
