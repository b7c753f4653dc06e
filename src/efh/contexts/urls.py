from django.urls import path

from efh.contexts import views

app_name = "places"

urlpatterns = [
    path("locations/<int:pk>/", views.location, name="location"),
    path("organisations/<int:pk>/", views.organisation, name="organisation"),
]
