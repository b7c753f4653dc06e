"""What ``efh refresh`` derives, with its reasons and inputs.

- ``RefreshRun``: one run, its progress, the snapshot it read (``as_of``, counts) and figures.
- ``Candidate``: a derived peer group, co-missing cluster or adult linked to many children. It is
  a candidate for professional review, never a list: it carries its reasons, the run that last
  derived it, and a review (confirmed or dismissed, with a reason, by whom). Its ``code`` is
  stable across refreshes: each run's groups take the code of the previous run's group they best
  overlap (``efh.intelligence.network.match_groups``).
- ``CandidateMember``: the people in a candidate as the latest run derived it.
- ``CandidateReview``: each confirm or dismiss, with the members at the time (append-only).
- ``Hotspot`` and ``TrendTable``: a run's hotspots and trend tables (aggregates).

No person gets a score: the adults' order is a documented rule over visible counts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RefreshStatus(models.TextChoices):
    QUEUED = "queued", "Queued: waiting for the task worker"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed: nothing was changed"
    INTERRUPTED = "interrupted", "Interrupted: nothing was changed"


class RefreshRun(models.Model):
    """One run of ``efh refresh``. Results are written in one transaction at the end, so a run
    that fails or is killed leaves the previous picture as it was. A run started from the web
    is ``queued`` (with its task's id) until the task worker takes it."""

    status = models.CharField(
        max_length=12, choices=RefreshStatus.choices, default=RefreshStatus.RUNNING
    )
    stage = models.CharField(max_length=200, blank=True)
    stage_started_at = models.DateTimeField(null=True, blank=True)
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    task_id = models.CharField(max_length=64, blank=True, help_text="its task, if from the web")
    started_by = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateTimeField(null=True, blank=True, help_text="the moment the snapshot shows")
    parameters = models.JSONField(default=dict, blank=True, help_text="window, seed, ...")
    inputs = models.JSONField(default=dict, blank=True, help_text="what the snapshot held")
    figures = models.JSONField(default=dict, blank=True, help_text="what it derived, timings")
    message = models.TextField(blank=True, help_text="why it failed")
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"refresh run {self.pk} ({self.status})"


class CandidateKind(models.TextChoices):
    PEER_GROUP = "peer_group", "Peer group"
    CO_MISSING = "co_missing", "Children missing together"
    ADULT = "adult", "Adult linked to several children"


CODE_PREFIX = {
    CandidateKind.PEER_GROUP: "PG",
    CandidateKind.CO_MISSING: "CM",
    CandidateKind.ADULT: "AD",
}


class ReviewStatus(models.TextChoices):
    CANDIDATE = "candidate", "Not yet reviewed"
    CONFIRMED = "confirmed", "Confirmed by a professional"
    DISMISSED = "dismissed", "Dismissed by a professional"


class Candidate(models.Model):
    kind = models.CharField(max_length=12, choices=CandidateKind.choices)
    code = models.CharField(max_length=16, unique=True, help_text="stable across refreshes")
    person = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="the adult, for an adult candidate",
    )
    current = models.BooleanField(default=True, help_text="derived by the latest refresh")
    first_run = models.ForeignKey(RefreshRun, on_delete=models.PROTECT, related_name="+")
    last_run = models.ForeignKey(RefreshRun, on_delete=models.PROTECT, related_name="+")
    rank = models.PositiveIntegerField(null=True, blank=True, help_text="order in its list")
    size = models.PositiveIntegerField(default=0, help_text="children in it or linked to it")
    summary = models.JSONField(
        default=dict, blank=True, help_text="places, harm types, trend, reasons, edges"
    )
    review_status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.CANDIDATE
    )

    class Meta:
        ordering = ["kind", "rank", "code"]
        indexes = [models.Index(fields=["kind", "current", "rank"])]

    def __str__(self) -> str:
        return self.code


class MemberRole(models.TextChoices):
    MEMBER = "member", "Member"
    DIRECT = "direct", "Linked directly"
    INDIRECT = "indirect", "Linked through one other person"


class CandidateMember(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate", "person"], name="one_membership")
        ]
        indexes = [models.Index(fields=["person"])]

    def __str__(self) -> str:
        return f"person {self.person_id} in {self.candidate_id}"


class ReviewDecision(models.TextChoices):
    CONFIRMED = "confirmed", "Confirm: professionals should look at this together"
    DISMISSED = "dismissed", "Dismiss: not a concern for professional review"


class CandidateReview(models.Model):
    candidate = models.ForeignKey(Candidate, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    reason = models.TextField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField()
    run = models.ForeignKey(RefreshRun, on_delete=models.PROTECT, related_name="+")
    members = models.JSONField(default=list, help_text="person ids in it when reviewed")

    class Meta:
        ordering = ["-reviewed_at"]

    def __str__(self) -> str:
        return f"{self.decision} candidate {self.candidate_id}"


class HotspotStatus(models.TextChoices):
    EMERGING = "emerging", "Emerging: hot in the latest period, not before"
    PERSISTENT = "persistent", "Persistent: hot in the latest period and before"
    PAST = "past", "Past: not hot in the latest period"


class Hotspot(models.Model):
    run = models.ForeignKey(RefreshRun, on_delete=models.CASCADE, related_name="hotspots")
    number = models.PositiveIntegerField()
    harm_type = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=HotspotStatus.choices)
    start = models.DateField()
    end = models.DateField()
    window_start = models.DateField()
    window_end = models.DateField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    radius_m = models.PositiveIntegerField()
    cells = models.JSONField(default=list)
    score = models.FloatField(help_text="the highest Getis-Ord Gi* z-score among its cells")
    p_value = models.FloatField(help_text="that cell's pseudo p-value (permutations)")
    events = models.PositiveIntegerField()
    event_ids = models.JSONField(default=list)
    episode_ids = models.JSONField(default=list)
    place_name = models.CharField(max_length=300, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    reasons = models.JSONField(default=list)

    class Meta:
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["run", "number"], name="hotspot_number")]

    def __str__(self) -> str:
        return f"hotspot {self.number} ({self.harm_type}) of run {self.run_id}"


class TrendTable(models.Model):
    run = models.ForeignKey(RefreshRun, on_delete=models.CASCADE, related_name="trends")
    name = models.CharField(max_length=40)
    rows = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "name"], name="one_trend_table")]

    def __str__(self) -> str:
        return f"{self.name} of run {self.run_id}"
