"""Helpers every list page uses: GOV.UK pagination links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page
from django.http import HttpRequest


def page_range(page: Page[Any]) -> list[int | str]:
    """The page numbers to link to, with ellipses (GOV.UK pagination)."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1))


def query_without_page(request: HttpRequest) -> str:
    """The query string less the page number, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
