"""Provenance shared by every app: sending systems, deliveries, and records as received.

Every record that came from an agency carries ``source``, ``source_id``, the ``delivery`` that
last changed it, the line it was on and the row exactly as received (:class:`SourcedModel`).
When a corrected record replaces it, the version it replaces moves to :class:`RecordVersion`, so
a record's whole history is kept and a link between records can always be undone.
"""

from __future__ import annotations

from django.db import models


class RawRowField(models.TextField):
    """A row exactly as received: a JSON object of column -> text, in the file's column order.

    Kept as text rather than ``jsonb`` so that nothing (key order, spacing) is normalised and
    PostgreSQL need not parse every row on import; ``json.loads`` reads it back.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault(
            "help_text", "the row exactly as received (JSON), unknown columns included"
        )
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


class Source(models.Model):
    """A sending system (``police``, ``education``, ...), configured per partnership."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="sources"
    )

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @staticmethod
    def platform_code(agency_code: str) -> str:
        """The code of the source for what an agency's staff record on the platform itself."""
        return f"efh-{agency_code}"[:32]


class Delivery(models.Model):
    """One folder of exchange-format files, imported all-or-nothing."""

    fingerprint = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the files")
    path = models.CharField(max_length=500)
    received_at = models.DateTimeField(auto_now_add=True)
    files = models.JSONField(default=dict, help_text="file name -> rows received")
    counts = models.JSONField(default=dict, help_text="kind -> {new, changed, unchanged}")

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"delivery {self.pk} ({self.path})"


class RecordKind(models.TextChoices):
    PERSON = "person"
    ORGANISATION = "organisation"
    LOCATION = "location"
    EVENT = "event"
    EVENT_PERSON = "event_person"
    ASSOCIATION = "association"
    MISSING_EPISODE = "missing_episode"


class RecordVersion(models.Model):
    """An earlier version of a record, as received, kept when a corrected version replaced it."""

    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    record_id = models.BigIntegerField(help_text="id of the record in its kind's table")
    source = models.CharField(max_length=32, help_text="a configured Source code")
    key = models.CharField(max_length=300, help_text="source_id, or the row's natural key")
    delivery = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, related_name="versions", help_text="that brought it"
    )
    line = models.PositiveIntegerField()
    row_hash = models.CharField(max_length=32)
    raw = RawRowField()
    superseded_by = models.ForeignKey(
        Delivery, on_delete=models.PROTECT, related_name="superseded", help_text="that replaced it"
    )

    class Meta:
        indexes = [models.Index(fields=["kind", "record_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.source}/{self.key} in delivery {self.delivery_id}"


class SourcedModel(models.Model):
    """Base for every record received from a sending system."""

    # The source code is kept as text, exactly as the exchange format names it; the importer
    # accepts only codes configured as a Source.
    source = models.CharField(max_length=32)
    source_id = models.CharField(max_length=64)
    # Provenance, not a relationship anything is looked up by: neither indexed nor checked by
    # a database trigger (a deferred check per row was a third of a borough's import time).
    # The importer only ever writes the id of the delivery it has just created, and Django's
    # PROTECT still refuses to delete a delivery that records came from.
    # Records entered on the platform itself (a concern recorded in the browser) come from the
    # agency's platform source (``efh-<agency>``) with no delivery or line; ``raw`` then holds
    # what was submitted, and ``row_hash`` changes with every edit, so a stale edit is caught.
    delivery = models.ForeignKey(
        Delivery,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    line = models.PositiveIntegerField(
        null=True, blank=True, help_text="line of the delivery's file the row began on"
    )
    row_hash = models.CharField(max_length=32, help_text="hash of the row's normalised values")
    raw = RawRowField()

    class Meta:
        abstract = True


class AccessAction(models.TextChoices):
    VIEW = "view", "Viewed"
    REFUSED = "refused", "Refused"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    UPDATE = "update", "Changed"
    EXPORT = "export", "Exported"
    IMPORT = "import", "Imported"
    ADMIN = "admin", "Administered"


class ObjectType(models.TextChoices):
    """What an access-log entry is about: one name for each kind of thing, in every app, so an
    auditor filters on one word (``core.services.access_log_record`` refuses any other)."""

    PERSON = "person", "Person's record"
    PERSON_SEARCH = "person_search", "Search for people"
    SHARING_DECISION = "sharing_decision", "Information-sharing decision"
    BREAK_GLASS_ACCESS = "break_glass_access", "Break-glass access"
    INVOLVEMENT = "involvement", "Involvement"
    MERGE = "merge", "Merge of records"
    REVIEW_PAIR = "review_pair", "Pair of records to review"
    LINK_REVIEW_QUEUE = "link_review_queue", "Record-link review queue"
    LINK_DECISION = "link_decision", "Record-link decision"
    LINK_RUN = "link_run", "Link run"
    EVENT = "event", "Event or concern"
    CONCERN_DRAFT = "concern_draft", "Concern draft"
    MISSING_EPISODE = "missing_episode", "Missing episode"
    PHILOMENA_PROFILE = "philomena_profile", "Philomena profile"
    LOCATION = "location", "Place"
    ORGANISATION = "organisation", "Organisation"
    CANDIDATE = "candidate", "Derived candidate"
    HOTSPOT = "hotspot", "Hotspot"
    PERSON_CONNECTIONS = "person_connections", "A person's connections"
    INTELLIGENCE_REFRESH = "intelligence_refresh", "Intelligence refresh"
    EXPORT = "export", "Export"
    DELIVERY = "delivery", "Data delivery"
    SOURCE = "source", "Source (sending system)"
    ROLE = "role", "Role"
    ACCESS_LOG = "access_log", "Access log"
    SCREENING_QUEUE = "screening_queue", "Screening queue"
    SCREENING = "screening", "Screening"
    SCREENING_TOOL = "screening_tool", "Screening tool"
    CASE = "case", "Case"
    CASE_LIST = "case_list", "List of cases"
    PLAN = "plan", "Plan"
    REVIEW = "review", "Review"
    STRATEGY_DISCUSSION = "strategy_discussion", "Strategy discussion"
    NRM_REFERRAL = "nrm_referral", "NRM referral"
    PANEL_REFERRAL = "panel_referral", "Referral to the panel"
    ACTION = "action", "Action"
    CLOSURE_REQUEST = "closure_request", "Closure or step-down request"
    CLOSURE_DAY = "closure_day", "Closure day (working-day calendar)"
    PANEL = "panel", "Panel (its configuration and members)"
    MEETING = "meeting", "Panel meeting"


class AppendOnlyError(RuntimeError):
    """The access log is never changed or deleted from."""


class AccessLogEntry(models.Model):
    """One view or change of personal data: who, role, agency, when, what, why, from where.

    Append-only and hash-chained: each entry's ``hash`` covers its own content and the previous
    entry's hash, and ``seq`` numbers entries without gaps, so ``efh audit verify`` finds any
    entry altered, deleted or inserted directly in the database (see ``core.selectors``). Who
    acted is copied as text, so the entry never changes when an account does.
    """

    seq = models.PositiveBigIntegerField(unique=True)
    at = models.DateTimeField()
    user_id_at_time = models.BigIntegerField(null=True, blank=True)
    username = models.CharField(max_length=150)
    role = models.CharField(max_length=100, blank=True)
    agency = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=AccessAction.choices)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=100, blank=True)
    fields = models.JSONField(default=list, blank=True, help_text="fields seen or changed")
    detail = models.JSONField(default=dict, blank=True, help_text="e.g. search terms")
    reason = models.TextField(blank=True)
    break_glass = models.BooleanField(default=False)
    origin = models.CharField(max_length=100, blank=True, help_text="IP address or 'command line'")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        verbose_name_plural = "access log entries"
        # On PostgreSQL, migration 0004 adds GIN indexes for "which searches showed this person"
        # and an index on ``detail.person`` (see core.selectors.access_log_about_person).
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["user_id_at_time", "at"], name="accesslog_user_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.username} {self.action} {self.object_type} {self.object_id}"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self._state.adding:
            raise AppendOnlyError("access log entries are never changed")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("access log entries are never deleted")


class AccessLogHead(models.Model):
    """The newest entry's number and hash, kept beside the chain so that removing entries from
    its end is found too. ``efh audit verify`` prints it for recording outside the database."""

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"access log head #{self.seq}"


class ClosureDay(models.Model):
    """A day the partnership's services are closed (beyond England and Wales bank holidays): no
    working day for any due date (``core.calendar``). Set with ``efh closure-days``."""

    day = models.DateField(unique=True)
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%d %B %Y}: {self.name}"
