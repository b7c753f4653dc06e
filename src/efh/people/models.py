"""Persons (children and adults) and the source records that describe them.

A :class:`Person` is the linked entity: it holds no personal details of its own. Each agency's
record of someone is a :class:`PersonRecord`, kept as received (see ``core.RecordVersion``) and
pointed at one person. Linking or unlinking records only moves that pointer, so a link can always
be undone. Aliases, addresses and statuses hang off the record that reported them.
"""

from __future__ import annotations

from django.db import models

from efh.core.models import SourcedModel


class Person(models.Model):
    """One real individual as far as linkage can tell: the records pointing here."""

    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"person {self.pk}"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other"
    UNKNOWN = "U", "Unknown"


class Ethnicity(models.TextChoices):
    """ONS 2021 ethnic groups (19 categories)."""

    A1 = "A1", "Asian: Indian"
    A2 = "A2", "Asian: Pakistani"
    A3 = "A3", "Asian: Bangladeshi"
    A4 = "A4", "Asian: Chinese"
    A5 = "A5", "Asian: any other Asian background"
    B1 = "B1", "Black: African"
    B2 = "B2", "Black: Caribbean"
    B3 = "B3", "Black: any other Black background"
    M1 = "M1", "Mixed: White and Asian"
    M2 = "M2", "Mixed: White and Black African"
    M3 = "M3", "Mixed: White and Black Caribbean"
    M4 = "M4", "Mixed: any other mixed background"
    W1 = "W1", "White: English, Welsh, Scottish, Northern Irish or British"
    W2 = "W2", "White: Irish"
    W3 = "W3", "White: Gypsy or Irish Traveller"
    W4 = "W4", "White: Roma"
    W5 = "W5", "White: any other White background"
    O1 = "O1", "Other: Arab"
    O2 = "O2", "Other: any other ethnic group"


class PersonRecord(SourcedModel):
    """One sending system's record of a person, with the details as that system holds them."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    given_name = models.CharField(max_length=200)
    family_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=2, choices=Ethnicity.choices, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    pnc_id = models.CharField(max_length=16, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_child = models.BooleanField(
        null=True, help_text="As sent, or derived from date of birth at recording"
    )
    school = models.ForeignKey(
        "contexts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="personrecord_source_key")
        ]
        # Partial indexes: most records carry only some of the strong identifiers.
        indexes = [
            models.Index(
                fields=["nhs_number"], condition=~models.Q(nhs_number=""), name="record_nhs_number"
            ),
            models.Index(fields=["upn"], condition=~models.Q(upn=""), name="record_upn"),
            models.Index(fields=["pnc_id"], condition=~models.Q(pnc_id=""), name="record_pnc_id"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.source_id}"


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias, nickname or street name"


class Alias(models.Model):
    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=AliasKind.choices, default=AliasKind.ALIAS)

    class Meta:
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(fields=["record", "name"], name="alias_unique_per_record")
        ]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """An address a record gave, from when it was first reported until a later one replaced it."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="addresses")
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="address_valid_period",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address, self.postcode) if p)


class StatusKind(models.TextChoices):
    LOOKED_AFTER = "looked_after", "Looked after"
    SEND = "send", "Special educational needs or disability"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"


class Status(models.Model):
    """A status a record reported (``Y``), from its date until a record says it ended (``N``)."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(max_length=24, choices=StatusKind.choices)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "statuses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended__isnull=True) | models.Q(ended__gte=models.F("started")),
                name="status_valid_period",
            ),
            models.UniqueConstraint(
                fields=["record", "kind"],
                condition=models.Q(ended__isnull=True),
                name="status_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
