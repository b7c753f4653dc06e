from django.urls import path

from efh.people.views import access, record, search

app_name = "people"

urlpatterns = [
    path("search/", search.search, name="search"),
    path("<int:person_id>/", record.record, name="record"),
    path("<int:person_id>/break-glass/", access.break_glass, name="break-glass"),
    path("<int:person_id>/share/", access.share, name="share"),
]
