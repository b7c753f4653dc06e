"""Partnership, agencies, roles and staff accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


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

    def __str__(self) -> str:
        return self.get_full_name() or self.username
