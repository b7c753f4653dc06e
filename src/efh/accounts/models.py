"""Partnership, agencies, roles and staff accounts."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models

from efh.core.access import Capability, capabilities_of


class Partnership(models.Model):
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.name


class Sector(models.TextChoices):
    POLICE = "police", "Police"
    EDUCATION = "education", "Education"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Children's social care"
    YOUTH_JUSTICE = "youth_justice", "Youth justice"
    COMMUNITY_SAFETY = "community_safety", "Community safety"
    VCS = "vcs", "Voluntary and community sector"
    PARTNERSHIP = "partnership", "Safeguarding partnership"


class Agency(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agencies")
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=20, choices=Sector.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Role(models.Model):
    """A configurable role; what each may see and do is set by the access policy."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    capabilities = models.JSONField(
        default=list, blank=True, help_text="names from efh.core.access.Capability"
    )
    requires_mfa = models.BooleanField(
        default=False, help_text="Holders must sign in with a one-time code as well"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    role = models.ForeignKey(
        Role, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extra_roles = models.ManyToManyField(
        Role,
        blank=True,
        related_name="+",
        help_text="Further roles held (an analyst who also does casework, say)",
    )

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> list[Role]:
        """Every role held: the main one first."""
        held = [self.role] if self.role_id else []
        if self.pk:
            held += [r for r in self.extra_roles.all() if r.pk != self.role_id]
        return [r for r in held if r is not None]

    @property
    def roles_label(self) -> str:
        return ", ".join(r.name for r in self.roles)

    @cached_property
    def capabilities(self) -> frozenset[Capability]:
        if not self.is_active:
            return frozenset()
        return capabilities_of(r.capabilities for r in self.roles)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def is_police(self) -> bool:
        """Police roles alone see intelligence with handling code C."""
        return self.agency is not None and self.agency.sector == Sector.POLICE

    @property
    def requires_mfa(self) -> bool:
        return any(r.requires_mfa for r in self.roles)
