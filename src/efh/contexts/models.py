"""The contexts of children's lives: places, organisations, peer groups, online spaces, and the
typed, dated, sourced associations between people and them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from efh.core.models import SourcedModel


class Ward(models.Model):
    """An electoral ward of the partnership's area, with a representative point."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=100)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class LocationKind(models.TextChoices):
    PARK = "park", "Park"
    ESTATE = "estate", "Estate"
    TRANSPORT_HUB = "transport_hub", "Transport hub"
    SHOP = "shop", "Shop"
    TAKEAWAY = "takeaway", "Takeaway"
    STREET = "street", "Street"
    ADDRESS = "address", "Address"
    OTHER = "other", "Other"


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", "School"
    ALTERNATIVE_PROVISION = "alternative_provision", "Alternative provision"
    BUSINESS = "business", "Business"
    LICENSED_PREMISES = "licensed_premises", "Licensed premises"
    HOTEL = "hotel", "Hotel"
    TAXI_OPERATOR = "taxi_operator", "Taxi operator"
    YOUTH_CLUB = "youth_club", "Youth club"
    OTHER = "other", "Other"


class Place(SourcedModel):
    name = models.CharField(max_length=300)
    latitude = models.FloatField(null=True, blank=True, help_text="WGS84")
    longitude = models.FloatField(null=True, blank=True, help_text="WGS84")
    postcode = models.CharField(max_length=8, blank=True)
    ward = models.ForeignKey(
        Ward, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


class Location(Place):
    kind = models.CharField(max_length=20, choices=LocationKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="location_source_key")
        ]


class Organisation(Place):
    kind = models.CharField(max_length=24, choices=OrganisationKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="organisation_source_key")
        ]


class PeerGroup(models.Model):
    """A group of young people, as named by a source (or, later, proposed by analysis)."""

    source = models.CharField(max_length=32, blank=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "name"], name="peergroup_key")]

    def __str__(self) -> str:
        return self.name


class OnlineSpace(models.Model):
    """A platform, channel, chat group or account where harm happens or is organised."""

    name = models.CharField(max_length=200)
    platform = models.CharField(max_length=100)
    handle = models.CharField(max_length=300, blank=True, help_text="URL, channel or account name")
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.platform})"


class OtherKind(models.TextChoices):
    PERSON = "person", "Person"
    LOCATION = "location", "Location"
    ORGANISATION = "organisation", "Organisation"
    GROUP = "group", "Peer group"


class AssociationKind(models.TextChoices):
    FRIEND = "friend", "Friend"
    ASSOCIATE = "associate", "Associate"
    SIBLING = "sibling", "Sibling"
    PARTNER = "partner", "Partner"
    SUSPECTED_EXPLOITER = "suspected_exploiter", "Suspected exploiter"
    MEMBER_OF = "member_of", "Member of"
    FREQUENTS = "frequents", "Frequents"
    ATTENDS = "attends", "Attends"
    FOUND_AT = "found_at", "Found at"
    LIVES_AT = "lives_at", "Lives at"


class SourceEvaluation(models.TextChoices):
    """3x5x2 source evaluation."""

    RELIABLE = "1", "1: reliable"
    UNTESTED = "2", "2: untested"
    NOT_RELIABLE = "3", "3: not reliable"


class IntelligenceEvaluation(models.TextChoices):
    """3x5x2 intelligence assessment."""

    KNOWN_DIRECTLY = "A", "A: known directly to the source"
    KNOWN_INDIRECTLY_CORROBORATED = "B", "B: known indirectly, corroborated"
    KNOWN_INDIRECTLY = "C", "C: known indirectly"
    NOT_KNOWN = "D", "D: not known"
    SUSPECTED_FALSE = "E", "E: suspected to be false"


class HandlingCode(models.TextChoices):
    """3x5x2 handling code."""

    LAWFUL_SHARING = "P", "P: lawful sharing permitted"
    CONDITIONS = "C", "C: lawful sharing permitted with conditions"


class Association(SourcedModel):
    """A typed, dated, sourced, graded edge from a person record to another entity."""

    record = models.ForeignKey(
        "people.PersonRecord", on_delete=models.PROTECT, related_name="associations"
    )
    other_kind = models.CharField(max_length=12, choices=OtherKind.choices)
    other_record = models.ForeignKey(
        "people.PersonRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.PROTECT, related_name="associations"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="associations"
    )
    group = models.ForeignKey(
        PeerGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="associations"
    )
    kind = models.CharField(max_length=20, choices=AssociationKind.choices)
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices, blank=True)
    intelligence_evaluation = models.CharField(
        max_length=1, choices=IntelligenceEvaluation.choices, blank=True
    )
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="association_source_key"),
            models.CheckConstraint(
                condition=(
                    Q(
                        other_kind="person",
                        other_record__isnull=False,
                        location__isnull=True,
                        organisation__isnull=True,
                        group__isnull=True,
                    )
                    | Q(
                        other_kind="location",
                        other_record__isnull=True,
                        location__isnull=False,
                        organisation__isnull=True,
                        group__isnull=True,
                    )
                    | Q(
                        other_kind="organisation",
                        other_record__isnull=True,
                        location__isnull=True,
                        organisation__isnull=False,
                        group__isnull=True,
                    )
                    | Q(
                        other_kind="group",
                        other_record__isnull=True,
                        location__isnull=True,
                        organisation__isnull=True,
                        group__isnull=False,
                    )
                ),
                name="association_one_target_of_its_kind",
            ),
            models.CheckConstraint(
                condition=Q(first_seen__isnull=True)
                | Q(last_seen__isnull=True)
                | Q(last_seen__gte=models.F("first_seen")),
                name="association_seen_period",
            ),
            models.CheckConstraint(
                condition=Q(source_evaluation__in=["", "1", "2", "3"])
                & Q(intelligence_evaluation__in=["", "A", "B", "C", "D", "E"])
                & Q(handling_code__in=["", "P", "C"]),
                name="association_grading_3x5x2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.source}/{self.source_id})"
