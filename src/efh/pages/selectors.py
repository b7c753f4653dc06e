"""Reads for the web app's own pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from efh.accounts.models import User
from efh.casework.policy import can_manage, can_screen, can_work_case
from efh.casework.selectors import worklists
from efh.casework.selectors.queue import queue_counts
from efh.concerns.policy import can_record
from efh.concerns.selectors.concern import person_labels
from efh.core.clock import now
from efh.core.models import Delivery
from efh.people.policy import agency_source_codes


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


@dataclass
class HomeWork:
    """What the home page lists as the user's work (``casework.selectors.worklists``), with the
    label the user may see for each child named."""

    queue: Any = None
    """``(waiting, overdue)`` for the front door, else None."""
    my_children: list[Any] = field(default_factory=list)
    my_children_count: int = 0
    actions: list[Any] = field(default_factory=list)
    reviews: list[Any] = field(default_factory=list)
    team: Any = None
    raised: list[Any] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    today: date | None = None

    @property
    def person_ids(self) -> list[int]:
        ids = {c.person_id for c in self.my_children}
        ids |= {a.case.person_id for a in self.actions}
        ids |= {p.case.person_id for p in self.reviews}
        if self.team is not None:
            ids |= {c.person_id for c in self.team.overdue_cases}
            ids |= {r.case.person_id for r in self.team.approvals}
        for raised in self.raised:
            ids |= {c.person_id for c in raised.outcome.children}
        return sorted(ids)

    @property
    def any(self) -> bool:
        return bool(
            self.queue is not None
            or self.my_children
            or self.actions
            or self.reviews
            or self.team is not None
            or self.raised
        )


def home_work(*, user: User) -> HomeWork:
    """The signed-in user's work, by what their role does."""
    today = timezone.localdate(now())
    work = HomeWork(today=today)
    if can_screen(user):
        work.queue = queue_counts()
    if can_work_case(user):
        work.my_children = worklists.my_children(user, limit=10)
        work.my_children_count = worklists.my_children_count(user)
        work.actions = worklists.my_actions(user, limit=10)
        work.reviews = worklists.my_reviews_due(user, today)
    if can_manage(user):
        work.team = worklists.team_view(user, today, limit=10)
    if can_record(user):
        work.raised = worklists.concerns_raised(user, agency_source_codes(user))
    work.labels = person_labels(user=user, person_ids=work.person_ids)
    return work
