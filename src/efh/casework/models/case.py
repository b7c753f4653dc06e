"""The child's case: who leads it and who is allocated (with history), its state and every move
between states, actions, and closure or step-down requests with their approval."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CaseState(models.TextChoices):
    OPEN = "open", "Open"
    ASSESSMENT = "assessment", "Assessment"
    STRATEGY = "strategy", "Strategy discussion"
    PANEL = "panel", "Panel (MACE)"
    PLAN = "plan", "Plan"
    REVIEW = "review", "Under review"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    STEP_DOWN_REQUESTED = "step_down_requested", "Step-down requested"
    CLOSED = "closed", "Closed"


class Case(models.Model):
    """One child's case. Moves only along ``casework.states.TRANSITIONS``; every move is a
    :class:`Transition`."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=20, choices=CaseState.choices, default=CaseState.OPEN)
    lead_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    lead_practitioner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_worker = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    harm_types = models.ManyToManyField("concerns.HarmType", blank=True, related_name="+")
    level = models.CharField(max_length=20, blank=True, help_text="Current level of concern")
    level_reason = models.TextField(blank=True)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_as = models.CharField(
        max_length=12, blank=True, help_text="closure or step_down, once closed"
    )
    next_due_on = models.DateField(
        null=True, blank=True, help_text="The soonest thing due on the case (for worklists)"
    )
    next_due_what = models.CharField(max_length=120, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=~Q(state="closed"), name="case_one_open_per_person"
            ),
            models.CheckConstraint(
                condition=Q(state="closed", closed_at__isnull=False) | ~Q(state="closed"),
                name="case_closed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["allocated_worker", "state"]),
            models.Index(fields=["lead_agency", "state"]),
            models.Index(fields=["person", "state"]),
            models.Index(fields=["state", "next_due_on"]),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.state != CaseState.CLOSED


class Transition(models.Model):
    """One move of a case between states: who, when, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_state} to {self.to_state}"


class Allocation(models.Model):
    """Who led and who was allocated, from when to when: the history of a case's allocation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allocations")
    lead_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    lead_practitioner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    allocated_worker = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"Allocation of case {self.case_id} from {self.started_at:%d %b %Y}"


class Action(models.Model):
    """Something someone will do for the child, by a date: from a plan, a strategy discussion or
    the case itself."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    plan = models.ForeignKey(
        "casework.Plan", null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    goal = models.CharField(max_length=300, blank=True, help_text="The plan's goal it serves")
    what = models.TextField()
    owner = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField(
        max_length=200, blank=True, help_text="Who does it, where not a user (the family, say)"
    )
    due_on = models.DateField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["due_on", "pk"]
        indexes = [
            models.Index(
                fields=["owner", "due_on"],
                condition=Q(completed_at__isnull=True),
                name="action_open_by_owner",
            ),
            models.Index(fields=["case", "completed_at"]),
        ]

    def __str__(self) -> str:
        return self.what[:60]


class ClosureKind(models.TextChoices):
    CLOSURE = "closure", "Closure"
    STEP_DOWN = "step_down", "Step-down"


class ClosureStatus(models.TextChoices):
    PENDING = "pending", "Awaiting approval"
    APPROVED = "approved", "Approved"
    RETURNED = "returned", "Returned with comments"


class ClosureRequest(models.Model):
    """A request to close or step down a case, and a manager's decision on it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="closure_requests")
    kind = models.CharField(max_length=10, choices=ClosureKind.choices)
    reason = models.TextField()
    step_down_to = models.CharField(
        max_length=200, blank=True, help_text="Who holds the child after a step-down"
    )
    open_item_reasons = models.JSONField(
        default=dict,
        blank=True,
        help_text='"action:<id>" or "nrm:<id>" -> why it may stay open at closure',
    )
    from_state = models.CharField(max_length=20, help_text="Where a returned request goes back")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.PENDING
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="pending"), name="closure_one_pending_per_case"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request for case {self.case_id}"
