"""Plans (a safety plan, by default) with every version kept, and reviews."""

from __future__ import annotations

from django.db import models


class Plan(models.Model):
    """A case's plan of one type; its content is the latest :class:`PlanVersion`."""

    case = models.ForeignKey("casework.Case", on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(max_length=30, help_text="A code of settings.CASEWORK_PLAN_TYPES")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    review_weeks = models.PositiveSmallIntegerField(help_text="Weeks between reviews")
    next_review_due = models.DateField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["next_review_due"])]

    def __str__(self) -> str:
        return f"{self.kind} plan of case {self.case_id}"


class PlanVersion(models.Model):
    """One version of a plan, as it was saved: goals, the child's and the family's words."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    goals = models.JSONField(
        default=list, help_text='[{"goal": what we want to change, "happen": what will happen}]'
    )
    child_words = models.TextField(blank=True)
    family_words = models.TextField(blank=True)
    saved_at = models.DateTimeField()
    saved_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="planversion_number")
        ]

    def __str__(self) -> str:
        return f"Version {self.number} of plan {self.plan_id}"


class ReviewOutcome(models.TextChoices):
    CONTINUE = "continue", "Continue the plan"
    STEP_UP = "step_up", "Step up"
    STEP_DOWN = "step_down", "Step down"
    CLOSE = "close", "Close"


class Review(models.Model):
    """A review of a plan, held on a date against the date it was due."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    held_on = models.DateField()
    outcome = models.CharField(max_length=10, choices=ReviewOutcome.choices)
    what_changed = models.TextField()
    child_words = models.TextField(blank=True)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Review of plan {self.plan_id} held {self.held_on:%d %b %Y}"
