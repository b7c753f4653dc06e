"""What the people app contributes to a person's own record page (``people/record.py``):
the open statuses as flags, the pseudonymised facts, sharing the record, who is involved and
what is shared, identity with every source record, statuses, and (for link reviewers) merges."""

from __future__ import annotations

from django.urls import reverse

from efh.core.access import Capability
from efh.people.record import (
    FULL,
    PSEUDONYMISED,
    SHARED_CHRONOLOGY,
    Action,
    Fact,
    Flag,
    RecordContext,
    record_sections,
)
from efh.people.selectors.linking import MergeRow, merge_history
from efh.people.selectors.record import (
    Identity,
    NextSteps,
    age_band,
    next_steps,
    open_status_labels,
)
from efh.web.sections import Section


def status_flags(ctx: RecordContext) -> list[Flag] | None:
    return [Flag(label, "blue") for label in open_status_labels(ctx.identity)] or None


def pseudonymised_facts(ctx: RecordContext) -> list[Fact]:
    """Age band, sex and ethnicity: each as the newest record that holds it says."""
    ident = ctx.identity
    sex = next((r for r in ident.records if r.sex), None)
    ethnicity = next((r for r in ident.records if r.ethnicity), None)
    return [
        Fact("Age band", age_band(ident.date_of_birth, ctx.at.date())),
        Fact("Sex", sex.get_sex_display() if sex else "Not known"),
        Fact("Ethnicity", ethnicity.get_ethnicity_display() if ethnicity else "Not known"),
    ]


def share_action(ctx: RecordContext) -> list[Action] | None:
    if not ctx.user.can(Capability.RECORD):
        return None
    return [Action("Share this record", reverse("people:share", args=[ctx.person_id]))]


def involvements_and_sharing(ctx: RecordContext) -> NextSteps:
    return next_steps(ctx.person_id, ctx.at)


def identity_section(ctx: RecordContext) -> Identity:
    return ctx.identity


def merges(ctx: RecordContext) -> list[MergeRow] | None:
    if not ctx.user.can(Capability.LINK_REVIEW):
        return None
    return merge_history(ctx.person_id)


record_sections.register(
    Section("status_flags", status_flags, slot="flags", order=10, fields=("flags",))
)
record_sections.register(
    Section(
        "pseudonymised_facts",
        pseudonymised_facts,
        slot="facts",
        order=10,
        levels=(PSEUDONYMISED,),
        fields=("pseudonym", "age_band", "sex", "ethnicity"),
    )
)
record_sections.register(Section("share", share_action, slot="actions", order=20))
record_sections.register(
    Section(
        "people_next",
        involvements_and_sharing,
        template="people/record/next.html",
        slot="next",
        order=20,
        fields=("next_steps",),
    )
)
record_sections.register(
    Section(
        "identity",
        identity_section,
        template="people/record/identity.html",
        order=10,
        title="Identity and source records",
        levels=(FULL, SHARED_CHRONOLOGY),
        fields=("identity", "source_records", "aliases"),
    )
)
record_sections.register(
    Section(
        "addresses",
        identity_section,
        template="people/record/addresses.html",
        order=15,
        title="Addresses over time",
        fields=("addresses",),
    )
)
record_sections.register(
    Section(
        "statuses",
        identity_section,
        template="people/record/statuses.html",
        order=20,
        title="Statuses",
        fields=("statuses",),
    )
)
record_sections.register(
    Section("merges", merges, template="people/merge_history.html", slot="end", fields=("merges",))
)
