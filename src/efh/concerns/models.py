"""Events (concerns, incidents, arrests, ...), the people involved in them and their roles, the
configurable harm taxonomy, and missing episodes with return home interviews.

Victim and suspect are roles a person record plays in an event; there is no list of people by
type."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F, Q

from efh.concerns.rhi import RhiMeasures, rhi_measures
from efh.core.models import RawRowField, SourcedModel


class HarmType(models.Model):
    """A harm in the partnership's taxonomy; seeded with the exchange-format codes."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    CONCERN = "concern", "Concern"
    INCIDENT = "incident", "Incident"
    ARREST = "arrest", "Arrest"
    STOP_SEARCH = "stop_search", "Stop and search"
    EXCLUSION = "exclusion", "School exclusion"
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    REFERRAL = "referral", "Referral"
    INTELLIGENCE = "intelligence", "Intelligence"


class Event(SourcedModel):
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()
    harm_types = models.ManyToManyField(HarmType, blank=True, related_name="events")
    location = models.ForeignKey(
        "contexts.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    organisation = models.ForeignKey(
        "contexts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Columns added after the exchange format: a database default, so that loading agency rows
    # (which never carry them) by COPY needs no change.
    postcode = models.CharField(max_length=8, blank=True, default="", db_default="")
    summary = models.TextField(blank=True)
    child_words = models.TextField(
        blank=True, default="", db_default="", help_text="The child's own words, as said"
    )
    recorded_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Who recorded it on the platform (imported records name their source instead)",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="event_source_key"),
            models.CheckConstraint(
                condition=Q(recorded_at__gte=F("occurred_at")), name="event_recorded_after_occurred"
            ),
            models.CheckConstraint(
                condition=Q(location__isnull=True) | Q(organisation__isnull=True),
                name="event_one_place",
            ),
        ]
        indexes = [
            models.Index(fields=["occurred_at"]),
            # The latest concerns and referrals an agency raised (the home page's "concerns you
            # raised"): without it, every one of the agency's events is sorted to find ten.
            models.Index(
                F("recorded_at").desc(),
                F("id").desc(),
                condition=Q(kind__in=["concern", "referral"]),
                name="event_concerns_latest",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source}/{self.source_id}"


class Role(models.TextChoices):
    SUBJECT = "subject", "Subject"
    VICTIM = "victim", "Victim"
    SUSPECT = "suspect", "Suspect"
    WITNESS = "witness", "Witness"
    ASSOCIATE = "associate", "Associate"


class EventPerson(models.Model):
    """A person record's role in an event."""

    # Indexed by the unique (event, record, role) constraint, which starts with it.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="people", db_index=False
    )
    record = models.ForeignKey(
        "people.PersonRecord", on_delete=models.PROTECT, related_name="event_roles"
    )
    role = models.CharField(max_length=10, choices=Role.choices)
    source = models.CharField(max_length=32)
    # Provenance: see core.models.SourcedModel.delivery. None for roles recorded on the platform
    # (a concern recorded in the browser), like their event.
    delivery = models.ForeignKey(
        "core.Delivery",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    line = models.PositiveIntegerField(null=True, blank=True)
    raw = RawRowField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "record", "role"], name="eventperson_key")
        ]

    def __str__(self) -> str:
        return f"{self.role} in event {self.event_id}"


class MissingFrom(models.TextChoices):
    HOME = "home", "Home"
    CARE = "care", "Care"
    EDUCATION = "education", "Education"


class MissingEpisode(SourcedModel):
    record = models.ForeignKey(
        "people.PersonRecord", on_delete=models.PROTECT, related_name="missing_episodes"
    )
    missing_from = models.CharField(max_length=10, choices=MissingFrom.choices)
    went_missing_at = models.DateTimeField()
    reported_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    found_location = models.ForeignKey(
        "contexts.Location", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    found_organisation = models.ForeignKey(
        "contexts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    found_latitude = models.FloatField(null=True, blank=True)
    found_longitude = models.FloatField(null=True, blank=True)
    found_description = models.CharField(
        max_length=300,
        blank=True,
        default="",
        db_default="",
        help_text="Where they were found, as described (a place or a postcode)",
    )
    circumstances = models.TextField(
        blank=True, default="", db_default="", help_text="How they went missing; what is known"
    )
    rhi_offered_at = models.DateTimeField(
        null=True, blank=True, help_text="Return home interview offered"
    )
    rhi_completed_at = models.DateTimeField(
        null=True, blank=True, help_text="Return home interview completed"
    )
    rhi_declined = models.BooleanField(
        default=False, db_default=False, help_text="The child declined the interview"
    )
    rhi_by = models.CharField(
        max_length=200, blank=True, default="", db_default="", help_text="Who held the interview"
    )
    rhi_summary = models.TextField(
        blank=True, default="", db_default="", help_text="What the child said; what happens next"
    )
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    missing_with: models.ManyToManyField = models.ManyToManyField(
        "people.PersonRecord", through="MissingWith", related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="missing_source_key"),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | Q(returned_at__gte=F("went_missing_at")),
                name="missing_return_after_leaving",
            ),
            models.CheckConstraint(
                condition=Q(reported_at__isnull=True) | Q(reported_at__gte=F("went_missing_at")),
                name="missing_report_after_leaving",
            ),
            models.CheckConstraint(
                condition=Q(rhi_completed_at__isnull=True)
                | Q(rhi_offered_at__isnull=True)
                | Q(rhi_completed_at__gte=F("rhi_offered_at")),
                name="missing_rhi_completed_after_offer",
            ),
        ]

    def __str__(self) -> str:
        return f"missing episode {self.source}/{self.source_id}"

    @property
    def is_platform_entry(self) -> bool:
        """Recorded in the browser (``raw`` is what was submitted), not imported."""
        return self.delivery_id is None and self.source.startswith("efh-")

    def original_values(self) -> dict[str, Any]:
        """The correctable fields as this episode's own agency recorded them."""
        values: dict[str, Any] = {name: getattr(self, name) for name in TIMED_FIELDS}
        values["rhi_declined"] = self.rhi_declined
        values["rhi_by"] = self.rhi_by
        submitted = _submitted(self.raw) if self.is_platform_entry else {}
        said = submitted.get("rhi_child_said")
        values["rhi_child_said"] = self.rhi_summary if said is None else str(said)
        values["rhi_next_steps"] = str(submitted.get("rhi_next_steps", ""))
        return values

    def current_values(self) -> dict[str, Any]:
        """The correctable fields after every other agency's addendum, in the order they were
        added: the latest entry to state a field gives its value (the original stays as it was,
        and is shown beside them). Reads ``addenda`` through any prefetch."""
        return self._overlay(self.original_values())

    def _overlay(self, values: dict[str, Any]) -> dict[str, Any]:
        if self.pk is None:
            return values
        for addendum in sorted(self.addenda.all(), key=lambda a: (a.recorded_at, a.pk)):
            for name in addendum.fields:
                if name in values:
                    values[name] = getattr(addendum, name)
        return values

    def rhi(self, *, now: datetime) -> RhiMeasures:
        """Both 72-hour measures (:mod:`efh.concerns.rhi`), on the values after any addenda
        (reads no ``raw``, so it costs nothing on a page that deferred it)."""
        values = self._overlay(
            {
                "returned_at": self.returned_at,
                "rhi_offered_at": self.rhi_offered_at,
                "rhi_completed_at": self.rhi_completed_at,
                "rhi_declined": self.rhi_declined,
            }
        )
        return rhi_measures(
            returned_at=values["returned_at"],
            offered_at=values["rhi_offered_at"],
            completed_at=values["rhi_completed_at"],
            declined=bool(values["rhi_declined"]),
            now=now,
        )


TIMED_FIELDS = ("returned_at", "rhi_offered_at", "rhi_completed_at")
CORRECTABLE_FIELDS = (
    *TIMED_FIELDS,
    "rhi_declined",
    "rhi_by",
    "rhi_child_said",
    "rhi_next_steps",
)
"""What another agency may add to or correct on an episode (the return and the interview)."""


def _submitted(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class MissingEpisodeAddendum(SourcedModel):
    """An agency's own entry on a missing episode it does not own (imported from another
    system, or recorded by another agency): a correction or an addition, kept beside the
    original, which is never edited in place.

    It comes from the recording agency's platform source like any platform entry, and states
    only the fields in ``fields`` (the rest are not part of it); who added it, when and why are
    ``recorded_by``, ``recorded_at`` and ``reason``."""

    episode = models.ForeignKey(MissingEpisode, on_delete=models.PROTECT, related_name="addenda")
    fields = models.JSONField(default=list, help_text="the episode's fields this entry states")
    returned_at = models.DateTimeField(null=True, blank=True)
    rhi_offered_at = models.DateTimeField(null=True, blank=True)
    rhi_completed_at = models.DateTimeField(null=True, blank=True)
    rhi_declined = models.BooleanField(null=True, blank=True)
    rhi_by = models.CharField(max_length=200, blank=True, default="")
    rhi_child_said = models.TextField(blank=True, default="")
    rhi_next_steps = models.TextField(blank=True, default="")
    reason = models.TextField(help_text="Why the entry was added")
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="addendum_source_key")
        ]
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return f"addendum {self.source}/{self.source_id} to episode {self.episode_id}"


class MissingWith(models.Model):
    episode = models.ForeignKey(
        MissingEpisode, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    record = models.ForeignKey("people.PersonRecord", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["episode", "record"], name="missingwith_key")
        ]

    def __str__(self) -> str:
        return f"record {self.record_id} missing with episode {self.episode_id}"


class PhilomenaProfile(models.Model):
    """The Philomena protocol's profile of a child, kept ready for the next missing episode.

    ``revision`` goes up with every save, so an edit made from an older copy is detected and
    shown rather than silently overwriting someone else's change.
    """

    person = models.OneToOneField(
        "people.Person", on_delete=models.PROTECT, related_name="philomena_profile"
    )
    description = models.TextField(blank=True, help_text="Height, build, hair, clothing, marks")
    photo = models.BinaryField(null=True, blank=True, editable=True)
    photo_type = models.CharField(max_length=40, blank=True)
    friends_and_associates = models.TextField(blank=True)
    addresses = models.TextField(blank=True, help_text="Addresses linked to the child")
    places_frequented = models.TextField(blank=True)
    phones = models.TextField(blank=True)
    social_media = models.TextField(blank=True)
    transport = models.TextField(blank=True, help_text="Routes, bus numbers, bikes, taxis")
    other = models.TextField(blank=True)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Philomena profile of person {self.person_id}"


class ConcernDraft(models.Model):
    """A half-written concern, saved as it is typed so that a time-out never loses it."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    data = models.JSONField(default=dict, help_text="the form's fields as typed")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"concern draft {self.pk} by user {self.user_id}"
