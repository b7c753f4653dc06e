"""What happened to a concern: the referrer's answer (issue 12: people "know what will be done
in response").

The practitioner who recorded a concern, and their agency, see whether the front door has
screened it, the route it decided, and the case's lead practitioner to contact. They see this
even when they may not open the child's whole record: it is what the referrer needs to know, and
no more (no level of concern, no screening answers, no plan)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from efh.casework.models import CaseState, QueueItem, Route, ScreeningState


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    agency: str


@dataclass(frozen=True)
class ChildOutcome:
    """One child of a concern: where the front door has got to with them."""

    person_id: int
    status: str
    """waiting, being_screened or screened"""
    due_at: datetime | None = None
    screened_at: datetime | None = None
    routes: tuple[str, ...] = ()
    signposting: str = ""
    case_state: str = ""
    contact: Contact | None = None

    @property
    def status_label(self) -> str:
        return {
            "waiting": "Waiting to be screened",
            "being_screened": "Being screened",
            "screened": "Screened",
        }[self.status]

    @property
    def tag_colour(self) -> str:
        return {"waiting": "grey", "being_screened": "blue", "screened": "green"}[self.status]


@dataclass
class ConcernOutcome:
    event_id: int
    children: list[ChildOutcome] = field(default_factory=list)

    @property
    def status(self) -> str:
        """The concern's own status: screened only once every child is."""
        statuses = {c.status for c in self.children} or {"waiting"}
        for status in ("waiting", "being_screened"):
            if status in statuses:
                return status
        return "screened"


def _contact(user: object, agency: object) -> Contact | None:
    if user is None:
        return None
    name = user.get_full_name() or user.get_username()  # type: ignore[attr-defined]
    return Contact(name, getattr(user, "email", ""), str(agency) if agency else "")


def concern_outcomes(event_ids: Iterable[int]) -> dict[int, ConcernOutcome]:
    """The outcome of each event (a concern not yet taken into the queue is waiting). One
    query, whatever the number of events."""
    ids = list(event_ids)
    outcomes = {pk: ConcernOutcome(pk) for pk in ids}
    if not ids:
        return outcomes
    route_labels = dict(Route.choices)
    state_labels = dict(CaseState.choices)
    items = (
        QueueItem.objects.filter(event_id__in=ids)
        .select_related(
            "screening",
            "screening__case",
            "screening__case__lead_agency",
            "screening__case__lead_practitioner",
        )
        .order_by("event_id", "person_id")
    )
    for item in items:
        screening = item.screening
        if screening is None:
            child = ChildOutcome(item.person_id, "waiting", due_at=item.due_at)
        elif screening.state == ScreeningState.IN_PROGRESS:
            child = ChildOutcome(item.person_id, "being_screened", due_at=item.due_at)
        else:
            case = screening.case
            child = ChildOutcome(
                item.person_id,
                "screened",
                due_at=item.due_at,
                screened_at=screening.decided_at,
                routes=tuple(route_labels.get(r, r) for r in screening.routes),
                signposting=screening.signposting,
                case_state=state_labels.get(case.state, case.state) if case else "",
                contact=_contact(case.lead_practitioner, case.lead_agency) if case else None,
            )
        outcomes[item.event_id].children.append(child)
    return outcomes
