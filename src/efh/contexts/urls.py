from django.urls import path

from efh.contexts import views

app_name = "places"

urlpatterns = [
    path("locations/<int:pk>/", views.placeholder, name="location"),
    path("organisations/<int:pk>/", views.placeholder, name="organisation"),
]
