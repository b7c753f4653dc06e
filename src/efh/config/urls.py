from django.urls import include, path

urlpatterns = [
    path("", include("efh.pages.urls")),
    path("", include("efh.accounts.urls")),
    path("people/links/", include("efh.ingest.urls")),
    path("people/", include("efh.people.urls")),
    path("places/", include("efh.contexts.urls")),
    path("", include("efh.concerns.urls")),
    path("", include("efh.casework.urls")),
    path("audit/", include("efh.audit.urls")),
    path("intelligence/", include("efh.insight.urls")),
]

# 403 and 404: Django's views with templates/403.html and 404.html (efh.web).
handler500 = "efh.web.errors.server_error"
