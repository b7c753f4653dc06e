"""National Referral Mechanism referrals for a child thought to be trafficked."""

from __future__ import annotations

from django.db import models


class NrmState(models.TextChoices):
    AWAITING_RG = "awaiting_rg", "Awaiting reasonable grounds"
    AWAITING_CG = "awaiting_cg", "Awaiting conclusive grounds"
    CONCLUDED = "concluded", "Concluded"
    NEGATIVE_RG = "negative_rg", "Negative reasonable grounds"
    RECONSIDERATION = "reconsideration", "Reconsideration requested"


class NrmReferral(models.Model):
    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="nrm")
    first_responder = models.ForeignKey(
        "accounts.Agency", on_delete=models.PROTECT, related_name="+"
    )
    submitted_on = models.DateField()
    devolved = models.BooleanField(
        help_text="Decided by the partnership under devolved child decision-making"
    )
    state = models.CharField(max_length=16, choices=NrmState.choices, default=NrmState.AWAITING_RG)
    rg_due_on = models.DateField(
        help_text="45 days after referral if devolved, else 5 working days"
    )
    rg_decided_on = models.DateField(null=True, blank=True)
    rg_positive = models.BooleanField(null=True)
    cg_earliest_on = models.DateField(
        null=True, blank=True, help_text="Not before 30 days after reasonable grounds"
    )
    cg_decided_on = models.DateField(null=True, blank=True)
    cg_positive = models.BooleanField(null=True)
    outcome = models.TextField(blank=True)
    reconsideration_requested_on = models.DateField(null=True, blank=True)
    reconsideration_outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["submitted_on", "pk"]
        indexes = [models.Index(fields=["state", "rg_due_on"])]

    def __str__(self) -> str:
        return f"NRM referral {self.pk} for case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.state not in (NrmState.CONCLUDED, NrmState.NEGATIVE_RG)
