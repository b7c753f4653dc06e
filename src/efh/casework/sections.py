"""What the casework app contributes to a child's record: a flag for an open case, the link to
it, and the case itself (state, who leads it, the plan, reviews, open actions and the child's
voice). Shown only on the full record: whoever may open that may see the case (``policy``).
Registered at start-up (``web.sections.autodiscover``)."""

from __future__ import annotations

from django.urls import reverse

from efh.casework.models import CaseState
from efh.casework.selectors.record import STATE_COLOURS, RecordCasework, record_casework
from efh.people.record import Action, Flag, RecordContext, record_sections
from efh.web.sections import Section


def _casework(ctx: RecordContext) -> RecordCasework | None:
    return ctx.memo("casework", lambda: record_casework(ctx.person_id, ctx.at.date()))


def case_flags(ctx: RecordContext) -> list[Flag] | None:
    found = _casework(ctx)
    if found is None or not found.case.is_open:
        return None
    flags = [Flag(f"Open case: {found.case.get_state_display()}", "blue")]
    if found.review_overdue:
        flags.append(Flag("Plan review overdue", "red"))
    if found.case.state in (CaseState.CLOSURE_REQUESTED, CaseState.STEP_DOWN_REQUESTED):
        flags.append(Flag("Awaiting a manager's approval", "yellow"))
    return flags


def case_actions(ctx: RecordContext) -> list[Action]:
    found = _casework(ctx)
    if found is None:
        return []
    label = "Open the case" if found.case.is_open else "The closed case"
    return [Action(label, reverse("casework:case", args=[found.case.pk]), "secondary")]


def case_section(ctx: RecordContext) -> dict[str, object] | None:
    found = _casework(ctx)
    if found is None:
        return None
    return {"found": found, "colour": STATE_COLOURS.get(found.case.state, "grey")}


record_sections.register(
    Section("case_flags", case_flags, slot="flags", order=10, fields=("case_state",))
)
record_sections.register(Section("case_actions", case_actions, slot="actions", order=5))
record_sections.register(
    Section(
        "case",
        case_section,
        template="casework/record/case.html",
        order=15,
        title="Case",
        fields=("case", "plan", "reviews", "actions", "child_voice"),
    )
)
