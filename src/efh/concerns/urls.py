from django.urls import path

from efh.concerns.views import concern, missing

app_name = "concerns"

urlpatterns = [
    path("concerns/new/", concern.concern_new, name="concern-new"),
    path("concerns/<int:event_id>/recorded/", concern.concern_recorded, name="concern-recorded"),
    path("concerns/drafts/autosave/", concern.concern_autosave, name="concern-autosave"),
    path(
        "concerns/drafts/<int:draft_id>/delete/",
        concern.concern_draft_discard,
        name="concern-draft-delete",
    ),
    path("missing/new/", missing.episode_new, name="missing-new"),
    path("missing/<int:pk>/", missing.episode, name="missing"),
    path("missing/<int:pk>/interview/", missing.interview, name="missing-interview"),
    path("people/<int:person_id>/philomena/", missing.philomena, name="philomena"),
    path("people/<int:person_id>/philomena/edit/", missing.philomena_edit, name="philomena-edit"),
    path(
        "people/<int:person_id>/philomena/print/", missing.philomena_print, name="philomena-print"
    ),
    path(
        "people/<int:person_id>/philomena/photo/", missing.philomena_photo, name="philomena-photo"
    ),
]
