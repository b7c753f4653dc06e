"""Sign in, sign out and the home page."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from efh.accounts.models import User
from efh.web import selectors
from efh.web.forms import SignInForm


class AuthenticatedRequest(HttpRequest):
    """The request a ``login_required`` view gets: its user is signed in."""

    user: User


class SignInView(auth_views.LoginView):
    template_name = "web/sign_in.html"
    form_class = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django 5 refuses GET); then back to the sign-in page (LOGOUT_REDIRECT_URL)."""


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {"deliveries": selectors.latest_deliveries(user=request.user)},
    )
