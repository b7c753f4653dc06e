"""Provenance shared by every app: sending systems, deliveries, and records as received.

Every record that came from an agency carries ``source``, ``source_id`` and the ``delivery`` that
last changed it (:class:`SourcedModel`); the exact row as received, with every earlier version,
is kept in :class:`RecordVersion`, so a corrected record keeps its history and a link between
records can always be undone.
"""

from __future__ import annotations

from django.db import models


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
    """A row exactly as an agency sent it: one per new or changed record per delivery."""

    kind = models.CharField(max_length=20, choices=RecordKind.choices)
    source = models.CharField(max_length=32, help_text="a configured Source code")
    key = models.CharField(max_length=300, help_text="source_id, or the row's natural key")
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="versions")
    line = models.PositiveIntegerField()
    row_hash = models.CharField(max_length=32)
    raw = models.JSONField(help_text="column -> value as received, unknown columns included")

    class Meta:
        indexes = [models.Index(fields=["kind", "source", "key"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.source}/{self.key} in delivery {self.delivery_id}"


class SourcedModel(models.Model):
    """Base for every record received from a sending system."""

    # The source code is kept as text, exactly as the exchange format names it; the importer
    # accepts only codes configured as a Source.
    source = models.CharField(max_length=32)
    source_id = models.CharField(max_length=64)
    delivery = models.ForeignKey(Delivery, on_delete=models.PROTECT, related_name="+")
    row_hash = models.CharField(max_length=32)

    class Meta:
        abstract = True
