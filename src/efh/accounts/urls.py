from django.urls import path

from efh.accounts import views

app_name = "accounts"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign-out"),
    path("account/two-factor/", views.two_factor, name="two-factor"),
    path("account/two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("account/session/extend/", views.session_extend, name="session-extend"),
]
