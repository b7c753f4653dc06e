"""Reads for the web app's own pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from efh.accounts.models import User
from efh.core.models import Delivery


@dataclass(frozen=True)
class DeliverySummary:
    received_at: datetime
    files: int
    rows: int


def latest_deliveries(*, user: User, limit: int = 5) -> list[DeliverySummary]:
    """The most recent data deliveries, newest first, with how many rows each brought.

    Deliveries hold counts, never personal data, so every signed-in user may see them; ``user``
    is taken now so the access policy can narrow this later without changing callers.
    """
    deliveries = Delivery.objects.order_by("-received_at", "-pk").only("received_at", "files")
    return [
        DeliverySummary(
            received_at=delivery.received_at,
            files=len(delivery.files or {}),
            rows=_total_rows(delivery.files),
        )
        for delivery in deliveries[:limit]
    ]


def _total_rows(files: object) -> int:
    """Sum of ``file name -> rows received``, ignoring anything that is not a count."""
    if not isinstance(files, dict):
        return 0
    return sum(
        rows for rows in files.values() if isinstance(rows, int) and not isinstance(rows, bool)
    )
