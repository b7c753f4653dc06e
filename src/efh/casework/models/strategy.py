"""Strategy discussions, and the initial child protection conference a section 47 enquiry
makes due."""

from __future__ import annotations

from django.db import models


class StrategyDiscussion(models.Model):
    case = models.ForeignKey(
        "casework.Case", on_delete=models.CASCADE, related_name="strategy_discussions"
    )
    due_on = models.DateField(help_text="Within 2 working days of the route decision")
    held_on = models.DateField(null=True, blank=True)
    attendees = models.JSONField(default=list, blank=True, help_text='[{"name", "agency"}]')
    information_shared = models.TextField(blank=True)
    section_47 = models.BooleanField(null=True, help_text="A section 47 enquiry: yes or no")
    section_47_joint = models.BooleanField(
        null=True, help_text="Joint (police and social care) rather than single agency"
    )
    other_actions = models.TextField(blank=True)
    icpc_due_on = models.DateField(
        null=True, blank=True, help_text="15 working days after the discussion, if section 47"
    )
    icpc_held_on = models.DateField(null=True, blank=True)
    icpc_outcome = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"Strategy discussion for case {self.case_id}"
