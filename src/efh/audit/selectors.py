"""Reads for the auditors' screens: the access log filtered, about a person or by a user, and
the break-glass accesses to review. Every read is the auditor's only (``Capability.AUDIT``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from efh.accounts.models import User
from efh.audit.policy import require_auditor
from efh.core.models import AccessLogEntry, AccessLogHead, ObjectType, Source
from efh.people.models import BreakGlassAccess, PersonRecord


@dataclass(frozen=True)
class LogFilter:
    """What an auditor narrowed a list of access-log entries to (all optional)."""

    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    break_glass_only: bool = False
    date_from: date | None = None
    date_to: date | None = None

    def as_detail(self) -> dict[str, Any]:
        """The filter as written to the access log (only what was set)."""
        values = {
            "username": self.username,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "break_glass_only": self.break_glass_only,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


def _require_auditor(actor: User) -> None:
    require_auditor(actor)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _filtered(entries: QuerySet[AccessLogEntry], filters: LogFilter) -> QuerySet[AccessLogEntry]:
    if filters.username:
        entries = entries.filter(username__iexact=filters.username.strip())
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.object_type:
        entries = entries.filter(object_type=filters.object_type.strip())
    if filters.object_id:
        entries = entries.filter(object_id=filters.object_id.strip())
    if filters.break_glass_only:
        entries = entries.filter(break_glass=True)
    if filters.date_from:
        entries = entries.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:  # the whole of that day
        entries = entries.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return entries


def access_log_entries(
    *, actor: User, filters: LogFilter | None = None
) -> QuerySet[AccessLogEntry]:
    """Entries of the whole log, newest first, narrowed by ``filters``."""
    _require_auditor(actor)
    return _filtered(AccessLogEntry.objects.all(), filters or LogFilter()).order_by("-seq")


def access_log_head(*, actor: User) -> AccessLogHead | None:
    """The newest entry's number and hash, as the chain records it."""
    _require_auditor(actor)
    return AccessLogHead.objects.filter(pk=1).first()


SEARCH_OBJECT_TYPE = "person_search"


def _searches_returning(person_id: int, vendor: str = "") -> Q:
    """Searches whose results (or results shown only as 'a record exists') include the person.

    PostgreSQL answers with JSON containment (``@>``); SQLite, which Django gives no
    containment lookup, with its JSON1 ``json_each`` over the same two lists."""
    searches = Q(object_type=SEARCH_OBJECT_TYPE)
    vendor = vendor or connection.vendor
    if vendor == "postgresql":
        return searches & (
            Q(detail__results__contains=[person_id]) | Q(detail__restricted__contains=[person_id])
        )
    table = AccessLogEntry._meta.db_table
    if vendor == "sqlite":
        sql = (
            f"SELECT e.id FROM {table} e, json_each(e.detail, '$.results') r "  # noqa: S608
            "WHERE e.object_type = %s AND r.value = %s "
            f"UNION SELECT e.id FROM {table} e, json_each(e.detail, '$.restricted') r "
            "WHERE e.object_type = %s AND r.value = %s"
        )
        params = (SEARCH_OBJECT_TYPE, person_id, SEARCH_OBJECT_TYPE, person_id)
        # Fixed SQL with bound parameters: nothing typed by a user reaches the statement.
        return searches & Q(pk__in=RawSQL(sql, params))  # noqa: S611
    # Any other database: read the searches' id lists in Python (slow, but correct).
    ids = [
        row["pk"]
        for row in AccessLogEntry.objects.filter(searches).values("pk", "detail").iterator()
        if person_id in (row["detail"] or {}).get("results", [])
        or person_id in (row["detail"] or {}).get("restricted", [])
    ]
    return Q(pk__in=ids)


def access_log_about_person(
    *, actor: User, person_id: int, filters: LogFilter | None = None
) -> QuerySet[AccessLogEntry]:
    """Every entry about one person, newest first: views of their record, searches that
    returned them, and entries on things of theirs that name them (``detail.person``), such as
    sharing decisions, involvements and break-glass reviews."""
    _require_auditor(actor)
    about = (
        Q(object_type=ObjectType.PERSON, object_id=str(person_id))
        | _searches_returning(person_id)
        | Q(detail__person=person_id)
        | Q(detail__person=str(person_id))
    )
    entries = AccessLogEntry.objects.filter(about)
    return _filtered(entries, filters or LogFilter()).order_by("-seq")


def access_log_by_user(
    *, actor: User, user_id: int, filters: LogFilter | None = None
) -> QuerySet[AccessLogEntry]:
    """Every entry made by one account (as it was when the entry was written), newest first."""
    _require_auditor(actor)
    entries = AccessLogEntry.objects.filter(user_id_at_time=user_id)
    return _filtered(entries, filters or LogFilter()).order_by("-seq")


@dataclass(frozen=True)
class AuditedPerson:
    """Who a person is, for an auditor: each agency's name and date of birth for them."""

    person_id: int
    records: list[dict[str, Any]]

    @property
    def name(self) -> str:
        if not self.records:
            return f"Person {self.person_id}"
        first = self.records[0]
        return f"{first['given_name']} {first['family_name']}".strip() or f"Person {self.person_id}"

    @property
    def date_of_birth(self) -> date | None:
        return next((r["date_of_birth"] for r in self.records if r["date_of_birth"]), None)


def audited_people(*, actor: User, person_ids: list[int]) -> dict[int, AuditedPerson]:
    """Names and dates of birth of people, so an auditor knows whom an entry is about.

    Auditors may see this much for audit (and their view is logged by the caller); nothing
    else of the record."""

    _require_auditor(actor)
    agencies = {
        code: (name or code) for code, name in Source.objects.values_list("code", "agency__name")
    }
    found: dict[int, list[dict[str, Any]]] = {pid: [] for pid in person_ids}
    rows = (
        PersonRecord.objects.filter(person_id__in=person_ids)
        .order_by("person_id", "-recorded_at", "pk")
        .values("person_id", "given_name", "family_name", "date_of_birth", "source")
    )
    for row in rows:
        found[row["person_id"]].append(
            {**row, "agency": agencies.get(row["source"], row["source"])}
        )
    return {pid: AuditedPerson(pid, records) for pid, records in found.items()}


def break_glass_awaiting_review(*, actor: User) -> QuerySet[BreakGlassAccess]:
    """Break-glass accesses nobody has reviewed yet, oldest first (the longest wait first)."""

    _require_auditor(actor)
    return (
        BreakGlassAccess.objects.filter(reviewed_at__isnull=True)
        .select_related("user__role", "user__agency")
        .order_by("opened_at", "pk")
    )


def break_glass_reviewed(*, actor: User) -> QuerySet[BreakGlassAccess]:
    """Reviewed break-glass accesses, the most recently reviewed first."""

    _require_auditor(actor)
    return (
        BreakGlassAccess.objects.filter(reviewed_at__isnull=False)
        .select_related("user__role", "user__agency", "reviewed_by")
        .order_by("-reviewed_at", "-pk")
    )


def break_glass_access(*, actor: User, access_id: int) -> BreakGlassAccess | None:

    _require_auditor(actor)
    return (
        BreakGlassAccess.objects.select_related("user__role", "user__agency", "reviewed_by")
        .filter(pk=access_id)
        .first()
    )


def break_glass_window(*, actor: User, access: BreakGlassAccess) -> QuerySet[AccessLogEntry]:
    """What the user who broke the glass did while the record was open to them (the entry that
    opened it excluded), oldest first: what the reviewer weighs the reason against."""
    _require_auditor(actor)
    return (
        AccessLogEntry.objects.filter(
            user_id_at_time=access.user_id,
            at__gte=access.opened_at,
            at__lte=access.expires_at,
        )
        .exclude(seq=access.log_seq)
        .order_by("seq")
    )
