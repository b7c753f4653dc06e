"""Filters that format values the GOV.UK way (see the GOV.UK style guide on dates and numbers)."""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def govuk_datetime(value: datetime | None) -> str:
    """``29 November 2025 at 8:05am`` in the site's time zone; midday and midnight by name."""
    if value is None:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    if value.hour == 12 and value.minute == 0:
        time = "midday"
    elif value.hour == 0 and value.minute == 0:
        time = "midnight"
    else:
        time = f"{value.hour % 12 or 12}:{value.minute:02d}{'am' if value.hour < 12 else 'pm'}"
    return f"{value.day} {value:%B %Y} at {time}"


@register.filter
def govuk_date(value: date | datetime | None) -> str:
    """``29 November 2025`` (a datetime in the site's time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return f"{value.day} {value:%B %Y}"


@register.filter
def thousands(value: int | None) -> str:
    """``12,345``."""
    if value is None:
        return ""
    return f"{value:,}"


@register.filter
def get(mapping: dict[object, object] | None, key: object) -> object:
    """``{{ labels|get:person_id }}``: a value of a dict by key ("" when absent)."""
    return (mapping or {}).get(key, "")
