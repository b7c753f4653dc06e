"""Referrals to the extra-familial harm panel (MACE): the front door's "route to panel" puts the
child's case on this list; the panel's meetings and agendas (a later issue) take from it."""

from __future__ import annotations

from django.db import models


class PanelReferralStatus(models.TextChoices):
    WAITING = "waiting", "Waiting to be listed"
    LISTED = "listed", "Listed for a meeting"
    WITHDRAWN = "withdrawn", "Withdrawn"


class PanelReferral(models.Model):
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="panel_referrals"
    )
    screening = models.ForeignKey(
        "casework.Screening", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    referred_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    referred_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=PanelReferralStatus.choices, default=PanelReferralStatus.WAITING
    )

    class Meta:
        ordering = ["referred_at", "pk"]
        indexes = [models.Index(fields=["status", "referred_at"])]

    def __str__(self) -> str:
        return f"Panel referral of case {self.case_id}"
