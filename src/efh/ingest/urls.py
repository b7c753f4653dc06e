from django.urls import path

from efh.ingest import views

app_name = "ingest"

# Under /people/links/ (config/urls.py), beside the link runs page it starts a run from.
urlpatterns = [
    path("runs/start/", views.link_run_start, name="link-run-start"),
]
