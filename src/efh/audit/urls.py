from django.urls import path

from efh.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.index, name="index"),
    path("people/<int:person_id>/", views.person, name="person"),
    path("users/<int:user_id>/", views.user, name="user"),
    path("break-glass/", views.break_glass, name="break-glass"),
    path("break-glass/<int:pk>/", views.break_glass_review_view, name="break-glass-review"),
]
