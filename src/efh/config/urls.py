from django.urls import include, path

urlpatterns = [
    path("", include("efh.web.urls")),
]
