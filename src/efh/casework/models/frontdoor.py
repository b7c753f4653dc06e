"""The front door: the versioned screening tool, the queue of concerns and referrals to screen,
and screenings with their route decision."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class ScreeningTool(models.Model):
    """One version of the partnership's exploitation screening tool.

    ``definition`` is validated by ``casework.tool.validate_definition`` before it is stored:
    ``{"sections": [{"code", "title", "hint", "questions": [{"code", "text", "hint",
    "prefill"}]}], "levels": [{"code", "label"}], "rules": [{"code", "forbid", "when", "text"}]}``.
    A version is never changed once a screening has used it; editing makes the next version."""

    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    definition = models.JSONField()
    note = models.CharField(max_length=300, blank=True, help_text="What changed in this version")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.name}, version {self.version}"


class IntakeMark(models.Model):
    """How far the queue has taken events in: the highest event id looked at (one row)."""

    last_event_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Intake up to event {self.last_event_id}"


class ScreeningState(models.TextChoices):
    IN_PROGRESS = "in_progress", "Being screened"
    DECIDED = "decided", "Screened"


class Route(models.TextChoices):
    """What the front door decides for the child; one or more."""

    NFA = "nfa", "No further action, with signposting"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Child and family assessment"
    STRATEGY = "strategy", "Strategy discussion"
    PANEL = "panel", "Extra-familial harm panel (MACE)"
    CONTEXT_CASE = "context_case", "Context case"
    NRM = "nrm", "National Referral Mechanism referral"


# The routes that open a case (or join the child's open one).
CASE_ROUTES = frozenset(
    {Route.ASSESSMENT, Route.STRATEGY, Route.PANEL, Route.CONTEXT_CASE, Route.NRM}
)


class Screening(models.Model):
    """One child's screening at the front door: the tool's answers, the level of concern in the
    screener's words, and the route decision. Covers every queued item about the child."""

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    tool = models.ForeignKey(ScreeningTool, on_delete=models.PROTECT, related_name="screenings")
    state = models.CharField(
        max_length=12, choices=ScreeningState.choices, default=ScreeningState.IN_PROGRESS
    )
    taken_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()
    answers = models.JSONField(
        default=dict,
        blank=True,
        help_text='question code -> {"answer": "yes"|"no"|"unknown", "note", "source"}',
    )
    prefilled = models.JSONField(
        default=dict, blank=True, help_text="question code -> what the platform offered, and why"
    )
    child_words = models.TextField(blank=True, help_text="What the child says, in their words")
    danger_statement = models.TextField(blank=True)
    safety_goal = models.TextField(blank=True)
    level = models.CharField(max_length=20, blank=True, help_text="A code of the tool's levels")
    level_reason = models.TextField(blank=True)
    routes = models.JSONField(default=list, blank=True, help_text="Route codes")
    route_reason = models.TextField(blank=True)
    signposting = models.TextField(blank=True, help_text="Where the family was signposted")
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    case = models.ForeignKey(
        "casework.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="screenings"
    )
    revision = models.PositiveIntegerField(default=1, help_text="Raised by every save")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            # Two screeners taking the same child: the database lets one in.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state="in_progress"),
                name="screening_one_in_progress_per_person",
            ),
            models.CheckConstraint(
                condition=Q(state="in_progress")
                | (Q(decided_at__isnull=False) & Q(decided_by__isnull=False)),
                name="screening_decided_has_who_and_when",
            ),
        ]
        indexes = [models.Index(fields=["person", "state"]), models.Index(fields=["decided_at"])]

    def __str__(self) -> str:
        return f"Screening {self.pk} of person {self.person_id}"


class QueueItem(models.Model):
    """A concern or referral (an event) about one child, waiting for the front door or screened.

    Made by ``casework.services.intake`` for every new event of kind ``concern`` or ``referral``
    (recorded on the platform or imported), one per child the event is about."""

    event = models.ForeignKey("concerns.Event", on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    arrived_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The end of the next working day after arrival")
    screening = models.ForeignKey(
        Screening, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    screened_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "person"], name="queueitem_event_person")
        ]
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(screened_at__isnull=True), name="queue_open_due"
            ),
            models.Index(fields=["person", "screened_at"]),
        ]

    def __str__(self) -> str:
        return f"Event {self.event_id} about person {self.person_id}"
