from django.urls import path

from efh.people.views import access, linking, record, search

app_name = "people"

urlpatterns = [
    path("search/", search.search, name="search"),
    path("<int:person_id>/", record.record, name="record"),
    path("<int:person_id>/break-glass/", access.break_glass, name="break-glass"),
    path("<int:person_id>/share/", access.share, name="share"),
    path("links/review/", linking.link_review, name="link-review"),
    path("links/review/<int:pk>/", linking.link_pair, name="link-pair"),
    path("links/merges/", linking.merges, name="merges"),
    path("links/merges/<int:pk>/undo/", linking.merge_undo, name="merge-undo"),
    path("links/merge/", linking.merge_persons, name="merge-persons"),
    path("links/runs/", linking.link_runs, name="link-runs"),
]
