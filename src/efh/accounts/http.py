"""The request type of a signed-in page, for type checking views."""

from __future__ import annotations

from django.http import HttpRequest

from efh.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """The request a ``login_required`` view gets: its user is signed in."""

    user: User
