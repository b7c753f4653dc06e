from django.urls import path

from efh.core import views

app_name = "audit"

urlpatterns = [
    path("", views.placeholder, name="index"),
    path("people/<int:person_id>/", views.placeholder, name="person"),
    path("users/<int:user_id>/", views.placeholder, name="user"),
    path("break-glass/", views.placeholder, name="break-glass"),
    path("break-glass/<int:pk>/", views.placeholder, name="break-glass-review"),
]
