"""The 72-hour return home interview standard: the one definition every page shows.

Statutory guidance (DfE, *Children who run away or go missing from home or care*, 2014) asks
for a return home interview to be **offered** within 72 hours of a child's return, and the
partnership also counts whether it was **held** within 72 hours. These are two measures, and an
interview offered at 48 hours and held at 100 hours meets the first and not the second. Every
page (the child's record and its chronology, the episode page, the Philomena profile) shows
both, each labelled, from :func:`rhi_measures`; nothing else decides whether 72 hours were met.

Pure: no database, no Django beyond the date formatting of a deadline, so that the boundaries
are tested exactly.

- **Offered within 72 hours.** The offer is ``rhi_offered_at``, or, where only the interview
  itself is recorded, the time it was held (it cannot have been offered later). Offered by the
  deadline (72 hours exactly included): met; offered later: not met, with the hours it took.
  Not offered: due until the deadline, overdue after it; a child who declined an offer whose
  time is not recorded shows that.
- **Held within 72 hours.** Held by the deadline: met; held later: not met, with the hours.
  Not held: due until the deadline, overdue after it, unless the child declined.
- A child still missing has no interview due under either measure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

RHI_STANDARD = timedelta(hours=72)
"""An interview within 72 hours of the child's return (offered, and held)."""


class RhiStatus(StrEnum):
    STILL_MISSING = "still_missing"
    MET = "met"
    NOT_MET = "not_met"
    DUE = "due"
    OVERDUE = "overdue"
    DECLINED = "declined"


COLOURS = {
    RhiStatus.MET: "green",
    RhiStatus.NOT_MET: "red",
    RhiStatus.OVERDUE: "red",
    RhiStatus.DUE: "yellow",
    RhiStatus.DECLINED: "grey",
    RhiStatus.STILL_MISSING: "orange",
}


def _when(value: datetime) -> str:
    from efh.web.templatetags.govuk import govuk_datetime

    return govuk_datetime(value)


def _hours(start: datetime, end: datetime) -> int:
    return math.ceil((end - start).total_seconds() / 3600)


@dataclass(frozen=True)
class RhiMeasure:
    """One measure's result: "Offered within 72 hours: Met", say."""

    label: str  # "Offered within 72 hours" or "Held within 72 hours"
    status: RhiStatus
    text: str
    deadline: datetime | None = None
    hours: int | None = None

    @property
    def colour(self) -> str:
        """The GOV.UK tag modifier (``green``, ``red``, ...)."""
        return COLOURS[self.status]

    @property
    def tag_class(self) -> str:
        return f"govuk-tag--{self.colour}"

    @property
    def sentence(self) -> str:
        return f"{self.label}: {self.text}"


@dataclass(frozen=True)
class RhiMeasures:
    """Both measures for one episode, and what the record page's flags need."""

    offered: RhiMeasure
    held: RhiMeasure
    due_at: datetime | None

    @property
    def measures(self) -> list[RhiMeasure]:
        return [self.offered, self.held]

    @property
    def open(self) -> bool:
        """An interview is still to happen (the child has returned, none held or declined), or
        the child is still missing."""
        return self.held.status in {RhiStatus.DUE, RhiStatus.OVERDUE, RhiStatus.STILL_MISSING}

    @property
    def overdue(self) -> bool:
        """72 hours have passed since the return and no interview has been held or declined."""
        return self.held.status == RhiStatus.OVERDUE

    @property
    def text(self) -> str:
        """Both measures in one sentence (for lists and plain-text use)."""
        if self.held.status == RhiStatus.STILL_MISSING:
            return self.held.text
        return f"{self.offered.sentence}. {self.held.sentence}"

    @property
    def colour(self) -> str:
        """One colour for the pair: the worse of the two."""
        order = ["red", "orange", "yellow", "grey", "green"]
        return min((self.offered.colour, self.held.colour), key=order.index)


OFFERED = "Offered within 72 hours"
HELD = "Held within 72 hours"
STILL_MISSING_TEXT = "Still missing: no interview due yet"


def rhi_offered(
    *,
    returned_at: datetime | None,
    offered_at: datetime | None,
    completed_at: datetime | None,
    declined: bool = False,
    now: datetime,
) -> RhiMeasure:
    """Whether the interview was offered within 72 hours of the return."""
    if returned_at is None:
        return RhiMeasure(OFFERED, RhiStatus.STILL_MISSING, STILL_MISSING_TEXT)
    deadline = returned_at + RHI_STANDARD
    offer = offered_at or completed_at
    if offer is not None:
        if offer <= deadline:
            return RhiMeasure(OFFERED, RhiStatus.MET, "Met", deadline)
        hours = _hours(returned_at, offer)
        return RhiMeasure(OFFERED, RhiStatus.NOT_MET, f"Not met ({hours} hours)", deadline, hours)
    if declined:
        return RhiMeasure(
            OFFERED, RhiStatus.DECLINED, "Declined; when it was offered is not recorded", deadline
        )
    if now <= deadline:
        return RhiMeasure(OFFERED, RhiStatus.DUE, f"Due by {_when(deadline)}", deadline)
    return RhiMeasure(OFFERED, RhiStatus.OVERDUE, "Overdue: not offered", deadline)


def rhi_held(
    *,
    returned_at: datetime | None,
    completed_at: datetime | None,
    declined: bool = False,
    now: datetime,
) -> RhiMeasure:
    """Whether the interview was held within 72 hours of the return."""
    if returned_at is None:
        return RhiMeasure(HELD, RhiStatus.STILL_MISSING, STILL_MISSING_TEXT)
    deadline = returned_at + RHI_STANDARD
    if completed_at is not None:
        if completed_at <= deadline:
            return RhiMeasure(HELD, RhiStatus.MET, "Met", deadline)
        hours = _hours(returned_at, completed_at)
        return RhiMeasure(HELD, RhiStatus.NOT_MET, f"Not met ({hours} hours)", deadline, hours)
    if declined:
        return RhiMeasure(HELD, RhiStatus.DECLINED, "Declined by the child", deadline)
    if now <= deadline:
        return RhiMeasure(HELD, RhiStatus.DUE, f"Due by {_when(deadline)}", deadline)
    return RhiMeasure(HELD, RhiStatus.OVERDUE, "Overdue: not held", deadline)


def rhi_measures(
    *,
    returned_at: datetime | None,
    offered_at: datetime | None,
    completed_at: datetime | None,
    declined: bool = False,
    now: datetime,
) -> RhiMeasures:
    """Both measures of one episode's return home interview."""
    return RhiMeasures(
        offered=rhi_offered(
            returned_at=returned_at,
            offered_at=offered_at,
            completed_at=completed_at,
            declined=declined,
            now=now,
        ),
        held=rhi_held(
            returned_at=returned_at, completed_at=completed_at, declined=declined, now=now
        ),
        due_at=returned_at + RHI_STANDARD if returned_at is not None else None,
    )
