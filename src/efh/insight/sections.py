"""What the intelligence picture contributes to a person's record: on a full record, what was
derived about the person (naming only people the user may open); on a pseudonymised record, for
analysts, the codes of the current candidates the person is in."""

from __future__ import annotations

from dataclasses import dataclass

from efh.core.access import Capability
from efh.insight.models import Candidate
from efh.insight.selectors import DerivedIntelligence, derived_codes_for, derived_for_record
from efh.people.record import PSEUDONYMISED, RecordContext, record_sections
from efh.web.sections import Section


@dataclass
class DerivedCodes:
    codes: list[Candidate]


def derived(ctx: RecordContext) -> DerivedIntelligence | None:
    found = derived_for_record(ctx.user, ctx.person_id)
    return found if found.any else None


def derived_codes(ctx: RecordContext) -> DerivedCodes | None:
    if not ctx.user.can(Capability.INTELLIGENCE):
        return None
    return DerivedCodes(derived_codes_for(ctx.user, ctx.person_id))


record_sections.register(
    Section("derived", derived, template="insight/record_derived.html", slot="lead")
)
record_sections.register(
    Section(
        "derived_codes",
        derived_codes,
        template="insight/record_derived_codes.html",
        slot="lead",
        levels=(PSEUDONYMISED,),
    )
)
