from django.urls import path

from efh.people.views import access, record, search

app_name = "people"

urlpatterns = [
    path("search/", search.placeholder, name="search"),
    path("<int:person_id>/", record.placeholder, name="record"),
    path("<int:person_id>/break-glass/", access.placeholder, name="break-glass"),
    path("<int:person_id>/share/", access.placeholder, name="share"),
]
