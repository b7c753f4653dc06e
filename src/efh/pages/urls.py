from django.urls import path

from efh.pages import views

app_name = "pages"

urlpatterns = [
    path("", views.home, name="home"),
]
