"""Sign-in with lockout, and the two-factor code forms."""

from __future__ import annotations

import math
import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from efh.web.forms import GovukFormMixin


def lockout_message() -> str:
    return (
        f"Your account is locked after {settings.EFH_LOCKOUT_FAILURES} failed attempts. "
        f"Try again in {settings.EFH_LOCKOUT_MINUTES} minutes or ask your administrator to "
        "unlock it."
    )


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Django's sign-in form with GOV.UK wording.

    One message for an unknown username, a wrong password and a deactivated account, so the
    form never tells anyone whether an account exists.
    """

    error_messages = {
        "invalid_login": "Enter a correct username and password",
        "inactive": "Enter a correct username and password",
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        username, password = self.fields["username"], self.fields["password"]
        username.error_messages["required"] = "Enter your username"
        password.error_messages["required"] = "Enter your password"
        username.widget.attrs.update(
            {"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}
        )
        password.widget.attrs.update(
            {"autocomplete": "current-password", "autocapitalize": "none", "spellcheck": "false"}
        )

    def confirm_login_allowed(self, user: Any) -> None:
        # ModelBackend already refuses inactive users; keep the same message if another backend
        # lets one through.
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["invalid_login"], code="invalid_login")


class LockableSignInForm(SignInForm):
    """The sign-in form, saying so when django-axes has locked the username.

    Axes refuses a locked username before the password is checked and flags the request
    (``request.axes_locked_out``), also on the attempt that reaches the limit. The lock is by
    username whether or not the account exists, so the message gives nothing away either.
    """

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(lockout_message(), code="locked_out") from None
            raise


_CODE = re.compile(r"^\d{6}$")


class TwoFactorCodeForm(GovukFormMixin, forms.Form):
    """A 6-digit code from the user's authenticator app, checked against ``device``.

    django-otp throttles a device after a wrong code (1, 2, 4, 8... seconds); a code tried
    while throttled is refused unchecked, with how long to wait.
    """

    code = forms.CharField(
        label="Code from your authenticator app",
        help_text="The 6-digit code changes every 30 seconds.",
        max_length=20,
    )

    def __init__(self, *args: Any, device: TOTPDevice, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.device = device
        code = self.fields["code"]
        code.error_messages["required"] = "Enter the 6-digit code from your authenticator app"
        code.error_messages["max_length"] = "The code must be 6 digits"
        code.widget.attrs.update(
            {
                "class": "govuk-input govuk-input--width-5",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "spellcheck": "false",
            }
        )

    def clean_code(self) -> str:
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not _CODE.match(code):
            raise forms.ValidationError("The code must be 6 digits", code="format")
        allowed, throttle = self.device.verify_is_allowed()
        if not allowed:
            raise forms.ValidationError(_wait_message(throttle), code="throttled")
        if not self.device.verify_token(code):
            raise forms.ValidationError(
                "The code is not correct: enter the code your authenticator app shows now",
                code="wrong",
            )
        return code


def _wait_message(throttle: dict[str, Any] | None) -> str:
    until = (throttle or {}).get("locked_until")
    seconds = 1
    if until is not None:
        seconds = max(1, math.ceil((until - timezone.now()).total_seconds()))
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes: wait {seconds} {unit}, then enter the code your app shows"
