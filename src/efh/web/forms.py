"""Forms, and the renderer that gives every Django form GOV.UK Design System markup.

A form that sets ``default_renderer = GovukFormRenderer`` (or inherits :class:`GovukFormMixin`)
renders each field with ``{{ form.field.as_field_group }}`` as a GOV.UK form group: label, hint,
error message and the input with its ``govuk-*`` classes, ``aria-describedby`` and
``aria-invalid``. Pair it with ``web/includes/error_summary.html`` at the top of the page.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.forms.boundfield import BoundField
from django.forms.renderers import BaseRenderer, DjangoTemplates

# Widget class name -> GOV.UK class of the input.
_WIDGET_CLASSES = {
    "TextInput": "govuk-input",
    "EmailInput": "govuk-input",
    "NumberInput": "govuk-input",
    "URLInput": "govuk-input",
    "PasswordInput": "govuk-input govuk-password-input__input govuk-js-password-input-input",
    "Textarea": "govuk-textarea",
    "Select": "govuk-select",
}
_ERROR_CLASSES = {
    "govuk-input": "govuk-input--error",
    "govuk-textarea": "govuk-textarea--error",
    "govuk-select": "govuk-select--error",
}


class GovukBoundField(BoundField):
    """Adds the GOV.UK error modifier class to an input whose field has errors."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: Any = None) -> dict[str, Any]:
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if self.errors:
            classes = str(attrs.get("class") or widget.attrs.get("class") or "").split()
            classes += [_ERROR_CLASSES[c] for c in classes if c in _ERROR_CLASSES]
            attrs["class"] = " ".join(classes)
        return attrs


class GovukFormRenderer(DjangoTemplates):
    field_template_name = "web/forms/field.html"
    bound_field_class = GovukBoundField


class GovukFormMixin:
    """Gives a form's widgets their GOV.UK classes and renders fields as GOV.UK form groups."""

    default_renderer: BaseRenderer | type[BaseRenderer] | None = GovukFormRenderer
    # The error summary and inline messages do the job of the browser's own validation bubbles,
    # which are neither accessible nor in the GOV.UK style (and would block the server's).
    use_required_attribute = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # type: ignore[attr-defined]
            css = _WIDGET_CLASSES.get(type(field.widget).__name__)
            if css and "class" not in field.widget.attrs:
                field.widget.attrs["class"] = css
            # GOV.UK advises against moving focus on page load.
            field.widget.attrs.pop("autofocus", None)


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
