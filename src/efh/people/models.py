"""Persons (children and adults) and the source records that describe them.

A :class:`Person` is the linked entity: it holds no personal details of its own. Each agency's
record of someone is a :class:`PersonRecord`, kept as received (see ``core.RecordVersion``) and
pointed at one person. Linking or unlinking records only moves that pointer, so a link can always
be undone. Aliases, addresses and statuses hang off the record that reported them.
"""

from __future__ import annotations

from django.db import models

from efh.core.models import SourcedModel


class Person(models.Model):
    """One real individual as far as linkage can tell: the records pointing here.

    A person merged into another keeps its row, with ``merged_into`` set and no records, so that
    old links to it lead to the survivor and an unmerge can bring it back exactly.
    """

    created_at = models.DateTimeField(auto_now_add=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"person {self.pk}"


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other"
    UNKNOWN = "U", "Unknown"


class Ethnicity(models.TextChoices):
    """ONS 2021 ethnic groups (19 categories)."""

    A1 = "A1", "Asian: Indian"
    A2 = "A2", "Asian: Pakistani"
    A3 = "A3", "Asian: Bangladeshi"
    A4 = "A4", "Asian: Chinese"
    A5 = "A5", "Asian: any other Asian background"
    B1 = "B1", "Black: African"
    B2 = "B2", "Black: Caribbean"
    B3 = "B3", "Black: any other Black background"
    M1 = "M1", "Mixed: White and Asian"
    M2 = "M2", "Mixed: White and Black African"
    M3 = "M3", "Mixed: White and Black Caribbean"
    M4 = "M4", "Mixed: any other mixed background"
    W1 = "W1", "White: English, Welsh, Scottish, Northern Irish or British"
    W2 = "W2", "White: Irish"
    W3 = "W3", "White: Gypsy or Irish Traveller"
    W4 = "W4", "White: Roma"
    W5 = "W5", "White: any other White background"
    O1 = "O1", "Other: Arab"
    O2 = "O2", "Other: any other ethnic group"


class PersonRecord(SourcedModel):
    """One sending system's record of a person, with the details as that system holds them."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="records")
    given_name = models.CharField(max_length=200)
    family_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=2, choices=Ethnicity.choices, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    pnc_id = models.CharField(max_length=16, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_child = models.BooleanField(
        null=True, help_text="As sent, or derived from date of birth at recording"
    )
    school = models.ForeignKey(
        "contexts.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_id"], name="personrecord_source_key")
        ]
        # Partial indexes: most records carry only some of the strong identifiers.
        indexes = [
            models.Index(
                fields=["nhs_number"], condition=~models.Q(nhs_number=""), name="record_nhs_number"
            ),
            models.Index(fields=["upn"], condition=~models.Q(upn=""), name="record_upn"),
            models.Index(fields=["pnc_id"], condition=~models.Q(pnc_id=""), name="record_pnc_id"),
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.source_id}"


class AliasKind(models.TextChoices):
    ALIAS = "alias", "Alias, nickname or street name"


class Alias(models.Model):
    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=AliasKind.choices, default=AliasKind.ALIAS)

    class Meta:
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(fields=["record", "name"], name="alias_unique_per_record")
        ]

    def __str__(self) -> str:
        return self.name


class Address(models.Model):
    """An address a record gave, from when it was first reported until a later one replaced it."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="addresses")
    address = models.CharField(max_length=500, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    valid_from = models.DateTimeField()
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "addresses"
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="address_valid_period",
            )
        ]

    def __str__(self) -> str:
        return ", ".join(p for p in (self.address, self.postcode) if p)


class StatusKind(models.TextChoices):
    LOOKED_AFTER = "looked_after", "Looked after"
    SEND = "send", "Special educational needs or disability"
    CHILD_PROTECTION_PLAN = "child_protection_plan", "Child protection plan"
    CHILD_IN_NEED = "child_in_need", "Child in need"


class Status(models.Model):
    """A status a record reported (``Y``), from its date until a record says it ended (``N``)."""

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="statuses")
    kind = models.CharField(max_length=24, choices=StatusKind.choices)
    started = models.DateTimeField()
    ended = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "statuses"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended__isnull=True) | models.Q(ended__gte=models.F("started")),
                name="status_valid_period",
            ),
            models.UniqueConstraint(
                fields=["record", "kind"],
                condition=models.Q(ended__isnull=True),
                name="status_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


# --- Need to know: the standing grounds on which a practitioner opens a record ---------------


class InvolvementKind(models.TextChoices):
    ALLOCATED = "allocated", "Allocated worker"
    LEAD = "lead", "Lead professional"
    INVOLVED = "involved", "Involved practitioner"


class Involvement(models.Model):
    """A practitioner's involvement with, or allocation to, a person: a ground to open the record
    while it lasts."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="involvements")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="involvements")
    kind = models.CharField(max_length=10, choices=InvolvementKind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["user", "person"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True)
                | models.Q(ended_at__gte=models.F("started_at")),
                name="involvement_valid_period",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: user {self.user_id}, person {self.person_id}"


class LawfulBasis(models.TextChoices):
    """UK GDPR Article 6(1)."""

    CONSENT = "6_1_a", "Article 6(1)(a): consent"
    LEGAL_OBLIGATION = "6_1_c", "Article 6(1)(c): legal obligation"
    VITAL_INTERESTS = "6_1_d", "Article 6(1)(d): vital interests"
    PUBLIC_TASK = "6_1_e", "Article 6(1)(e): public task"
    LEGITIMATE_INTERESTS = "6_1_f", "Article 6(1)(f): legitimate interests"


class SpecialCategoryCondition(models.TextChoices):
    """The Article 9 condition for special category data, where the record holds any."""

    SAFEGUARDING = (
        "dpa_s1_p18",
        "DPA 2018 Schedule 1 paragraph 18: safeguarding of children and individuals at risk",
    )
    EXPLICIT_CONSENT = "9_2_a", "Article 9(2)(a): explicit consent"
    NONE = "none", "No special category data is shared"


class SharingScope(models.TextChoices):
    WHOLE_RECORD = "record", "The whole multi-agency record"
    CHRONOLOGY = "chronology", "Identity and chronology"


class SharingDecision(models.Model):
    """Who shared a person's record with whom, what, why, and on what lawful basis.

    Recorded as DfE's information-sharing advice (2024) asks: protection comes before privacy;
    consent is recorded where it is the basis, and the reason for not seeking it where it is not.
    A decision in force is a ground for the receiving agency (or one person) to open the record.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="sharing_decisions")
    shared_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    from_agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records_shared_with",
    )
    to_user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records_shared_with",
    )
    scope = models.CharField(max_length=12, choices=SharingScope.choices)
    purpose = models.TextField(help_text="Why it is shared")
    lawful_basis = models.CharField(max_length=6, choices=LawfulBasis.choices)
    condition = models.CharField(max_length=12, choices=SpecialCategoryCondition.choices)
    consent_obtained = models.BooleanField(null=True, blank=True)
    consent_override_reason = models.TextField(
        blank=True, help_text="Why consent was not sought or was overridden"
    )
    decided_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["to_agency", "person"]),
            models.Index(fields=["to_user", "person"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(to_agency__isnull=False) & models.Q(to_user__isnull=True))
                | (models.Q(to_agency__isnull=True) & models.Q(to_user__isnull=False)),
                name="sharing_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"sharing decision {self.pk} on person {self.person_id}"


class BreakGlassDecision(models.TextChoices):
    JUSTIFIED = "justified", "Justified"
    NOT_JUSTIFIED = "not_justified", "Not justified: raise with the user's manager"
    REFERRED = "referred", "Referred to the data protection officer"


class BreakGlassAccess(models.Model):
    """A record opened without a standing need to know, with the reason given; it stays open to
    that user for a short while, and waits for an auditor's review."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="break_glass")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    opened_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    log_seq = models.PositiveBigIntegerField(help_text="the access-log entry that recorded it")
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=16, choices=BreakGlassDecision.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "break-glass accesses"
        indexes = [
            models.Index(fields=["user", "person", "expires_at"]),
            models.Index(
                fields=["opened_at"],
                condition=models.Q(reviewed_at__isnull=True),
                name="breakglass_awaiting_review",
            ),
        ]

    def __str__(self) -> str:
        return f"break glass by user {self.user_id} on person {self.person_id}"


# --- Search index: the names, postcodes and identifiers people are searched by ----------------


class SearchKind(models.TextChoices):
    GIVEN = "given", "Given name"
    FAMILY = "family", "Family name"
    ALIAS = "alias", "Alias, nickname or street name"
    POSTCODE = "postcode", "Postcode"
    NHS = "nhs", "NHS number"
    UPN = "upn", "Unique pupil number"
    PNC = "pnc", "PNC id"


NAME_KINDS = (SearchKind.GIVEN, SearchKind.FAMILY, SearchKind.ALIAS)


class SearchName(models.Model):
    """One searchable key of a person record: a word of a name or alias, a postcode or an
    identifier, normalised (see ``people.search_index``), with the record's date of birth and
    child flag copied beside it so that a search touches this one table and its indexes.

    Derived data: ``efh search_index`` rebuilds it from the records, the importer refreshes the
    records it touched, and saving a record, alias or address refreshes that record's rows. It
    points at the record, not the person, so linking or unlinking records (which moves only
    ``PersonRecord.person``) never leaves it stale. On PostgreSQL the migration adds a trigram
    (``pg_trgm``) GIN index on ``text`` for typo-tolerant matching.
    """

    record = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=8, choices=SearchKind.choices)
    text = models.CharField(max_length=200, help_text="normalised: see search_index.normalise")
    metaphone = models.CharField(max_length=32, blank=True)
    nysiis = models.CharField(max_length=32, blank=True)
    anagram = models.CharField(
        max_length=64, blank=True, help_text="the letters sorted: equal for transposed letters"
    )
    date_of_birth = models.DateField(null=True, blank=True)
    is_child = models.BooleanField(null=True)

    class Meta:
        indexes = [
            # Equality and, on PostgreSQL whatever the collation, prefixes (``LIKE 'jo%'``);
            # SQLite ignores the operator class.
            models.Index(
                fields=["text"], name="searchname_text", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["metaphone"], condition=~models.Q(metaphone=""), name="searchname_metaphone"
            ),
            models.Index(
                fields=["nysiis"], condition=~models.Q(nysiis=""), name="searchname_nysiis"
            ),
            models.Index(
                fields=["anagram"], condition=~models.Q(anagram=""), name="searchname_anagram"
            ),
            models.Index(fields=["date_of_birth"], name="searchname_dob"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.text}"


# --- Identity linkage: runs, the clerical review queue, decisions, merges ---------------------


class LinkRunKind(models.TextChoices):
    FULL = "full", "All records"
    INCREMENTAL = "incremental", "New and changed records"


class LinkRunStatus(models.TextChoices):
    QUEUED = "queued", "Queued: waiting for the task worker"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed: nothing was changed"
    INTERRUPTED = "interrupted", "Interrupted: nothing was changed"


class LinkRun(models.Model):
    """One run of ``efh link``: its progress while it runs, its figures when done. A run started
    from the web is ``queued`` (with its task's id) until the task worker takes it.

    Links are written in one transaction at the end, so a run that fails or is killed leaves every
    link as it was. A run whose heartbeat stopped without finishing is shown as interrupted.
    """

    kind = models.CharField(max_length=12, choices=LinkRunKind.choices)
    status = models.CharField(
        max_length=12, choices=LinkRunStatus.choices, default=LinkRunStatus.RUNNING
    )
    stage = models.CharField(max_length=200, blank=True, help_text="what it is doing now")
    stage_started_at = models.DateTimeField(null=True, blank=True, help_text="when it began")
    done = models.PositiveBigIntegerField(default=0)
    total = models.PositiveBigIntegerField(default=0)
    task_id = models.CharField(
        max_length=64, blank=True, help_text="its task on the task runner, if started from the web"
    )
    trained = models.BooleanField(default=False, help_text="the model was (re)trained in this run")
    started_by = models.CharField(max_length=150, help_text="the command or user that started it")
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    figures = models.JSONField(default=dict, blank=True, help_text="records, pairs, links, ...")
    message = models.TextField(blank=True, help_text="why it failed")
    host = models.CharField(max_length=255, blank=True, help_text="machine the run ran on")
    pid = models.PositiveIntegerField(null=True, blank=True, help_text="its process id there")
    max_record_id = models.BigIntegerField(
        null=True, blank=True, help_text="records up to this id were linked (successful runs)"
    )
    max_delivery_id = models.BigIntegerField(
        null=True, blank=True, help_text="deliveries up to this id were linked (successful runs)"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"link run {self.pk} ({self.status})"


class PairOrder(models.Model):
    """Abstract: a pair of person records, stored with the lower record id first."""

    record_a = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")
    record_b = models.ForeignKey(PersonRecord, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class HeldBack(models.TextChoices):
    """Why a pair whose weight is high enough was still not linked automatically (the model's
    reasons, ``efh.intelligence.linkage.HELD_BACK``, and the contradiction check's in
    ``efh.ingest.linking``; the labels finish the sentence "The match weight is
    high enough to link these records automatically, but ...")."""

    NAMES_ONLY = (
        "names_only",
        "nothing but names and sex agree: no date of birth, address, phone or identifier that "
        "both records hold matches, even in part",
    )
    GIVEN_NAMES_DIFFER = (
        "given_names_differ",
        "the given names differ and no identifier is shared (twins and siblings share "
        "everything else)",
    )
    TOO_LITTLE = (
        "too_little",
        "one of the records has too little to compare: no identifier, and not a family name "
        "with a date of birth, an address or a phone",
    )
    CONTRADICTS = (
        "contradicts",
        "joining them would put records whose dates of birth or identifiers contradict each "
        "other into one person",
    )


class ReviewPair(PairOrder):
    """A pair the model could not decide (its weight fell between the two thresholds, or above
    the upper one for a pair never linked automatically: ``held_back`` says why): on the clerical
    review queue until someone decides it, or until its two records are linked anyway.

    ``comparison`` holds, per field, the comparison level and its match weight as Splink computed
    them (see ``efh.intelligence.linkage.explain``), so the screen can say why in plain words.
    """

    match_weight = models.FloatField()
    match_probability = models.FloatField()
    comparison = models.JSONField(default=list)
    held_back = models.CharField(
        max_length=20,
        choices=HeldBack.choices,
        blank=True,
        help_text="why a pair at or above the upper threshold was not linked automatically",
    )
    run = models.ForeignKey(LinkRun, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="reviewpair_unique"),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")), name="reviewpair_ordered"
            ),
        ]
        indexes = [
            models.Index(
                fields=["-match_weight"],
                condition=models.Q(resolved_at__isnull=True),
                name="reviewpair_open",
            )
        ]

    def __str__(self) -> str:
        return f"review pair {self.record_a_id}/{self.record_b_id}"


class LinkDecisionKind(models.TextChoices):
    SAME = "same", "Same person"
    DIFFERENT = "different", "Different people"
    NOT_SURE = "not_sure", "Not sure"


class LinkDecision(PairOrder):
    """A person's decision on a pair of records. The pair is never asked again, and the model
    never links two records (or the people they belong to) that someone decided are different."""

    decision = models.CharField(max_length=10, choices=LinkDecisionKind.choices)
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record_a", "record_b"], name="linkdecision_unique"),
            models.CheckConstraint(
                condition=models.Q(record_a__lt=models.F("record_b")),
                name="linkdecision_ordered",
            ),
        ]
        indexes = [
            models.Index(
                fields=["record_b"],
                condition=models.Q(decision="different"),
                name="linkdecision_different_b",
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} on {self.record_a_id}/{self.record_b_id}"


class Merge(models.Model):
    """The ``absorbed`` person's records (and what hung off the person) moved to ``survivor``.

    It stores exactly what moved, so an unmerge puts it all back: ``records`` are the record ids,
    ``moved`` the person-level rows by kind (``{"involvement": [ids], ...}``). Made by a link run
    (``run``) or by a person (``decided_by``); ``evidence_a``/``evidence_b`` is the pair of
    records whose match led to it.
    """

    survivor = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_in")
    absorbed = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="merges_out")
    records = models.JSONField(default=list)
    moved = models.JSONField(default=dict, blank=True)
    evidence_a = models.ForeignKey(
        PersonRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    evidence_b = models.ForeignKey(
        PersonRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    match_weight = models.FloatField(null=True, blank=True)
    run = models.ForeignKey(LinkRun, null=True, blank=True, on_delete=models.SET_NULL)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    merged_at = models.DateTimeField()
    unmerged_at = models.DateTimeField(null=True, blank=True)
    unmerged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unmerge_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"merge of person {self.absorbed_id} into {self.survivor_id}"
