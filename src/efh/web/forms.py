"""Forms, and the renderer that gives every Django form GOV.UK Design System markup.

A form that sets ``default_renderer = GovukFormRenderer`` (or inherits :class:`GovukFormMixin`)
renders each field with ``{{ form.field.as_field_group }}`` as a GOV.UK form group: label, hint,
error message and the input with its ``govuk-*`` classes, ``aria-describedby`` and
``aria-invalid``. Pair it with ``web/includes/error_summary.html`` at the top of the page.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
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


_DATE_PARTS = re.compile(r"^\s*(\d{1,2})[\s/.-]+(\d{1,2})[\s/.-]+(\d{4})\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


class DayField(forms.CharField):
    """A date typed as GOV.UK asks for it (``27 3 2026``, ``27/3/2026``) or as ``2026-03-27``.

    One text box rather than the three-box date input, because a filter is typed quickly and
    often, and the browser's own date picker is not accessible enough (GOV.UK advice)."""

    def __init__(self, *, what: str, **kwargs: Any) -> None:
        self.what = what
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "For example, 27 3 2026")
        super().__init__(**kwargs)
        self.widget.attrs.update({"class": "govuk-input govuk-input--width-10"})

    def clean(self, value: Any) -> date | None:  # type: ignore[override]
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        day = month = year = 0
        if match := _DATE_PARTS.match(text):
            day, month, year = (int(g) for g in match.groups())
        elif match := _ISO_DATE.match(text):
            year, month, day = (int(g) for g in match.groups())
        else:
            raise forms.ValidationError(f"Enter {self.what} as a date, like 27 3 2026")
        try:
            return date(year, month, day)
        except ValueError:
            raise forms.ValidationError(f"{self.what.capitalize()} must be a real date") from None


class GovukRadios(forms.RadioSelect):
    """Radios whose first input carries the field's own id (the GOV.UK convention), so that the
    error summary's link to the field lands on the first radio; the others are ``<id>-2``..."""

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        if not id_ or index is None or str(index) == "0":
            return id_
        return f"{id_}-{int(index) + 1}"


def add_service_errors(
    form: forms.Form, error: ValidationError, places: dict[str, str] | None = None
) -> None:
    """Put a service's ValidationError on the form: each field's message on that field (or on
    the field named in ``places``), anything else at the top."""
    places = places or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        name = places.get(name, name)
        target = name if name in form.fields else None
        for message in messages:
            if target is None or target not in form.errors:
                form.add_error(target, message)
