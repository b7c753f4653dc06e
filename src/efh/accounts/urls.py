from django.urls import path

from efh.accounts import views

app_name = "accounts"

urlpatterns = [
    path("two-factor/", views.placeholder, name="two-factor"),
    path("two-factor/verify/", views.placeholder, name="two-factor-verify"),
    path("session/extend/", views.placeholder, name="session-extend"),
]
