"""The front door's intake: every new event of kind ``concern`` or ``referral`` (recorded on the
platform or imported) becomes one :class:`QueueItem` per child it is about, due by the end of
the next working day after it arrived.

Intake is a pull, not a signal: :func:`intake_pull` looks at the events above the
:class:`IntakeMark` (one indexed range scan) and moves the mark, so it is cheap to call on every
view of the queue and after every import, and it is safe to call twice (the unique
``(event, person)`` constraint and ``ignore_conflicts`` make a second pull a no-op). A concern
recorded in the browser is in the queue the first time a screener looks.

``settings.FRONT_DOOR_FROM`` (an ISO date) keeps years of imported history out of the queue: an
older event is passed over, and the mark still moves past it.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from efh.casework.models import IntakeMark, QueueItem
from efh.concerns.models import Event, EventKind, EventPerson, Role
from efh.core.calendar import Calendar
from efh.core.clock import now

INTAKE_KINDS = (EventKind.CONCERN, EventKind.REFERRAL)
# The roles that make an event "about" a child for the front door: not a suspect, witness or
# associate (PRACTICE.md: a child posing risk is screened as a child at risk only when an event
# says they are at risk).
CHILD_ROLES = (Role.SUBJECT, Role.VICTIM)
BATCH = 5000


def front_door_from() -> datetime | None:
    value = getattr(settings, "FRONT_DOOR_FROM", "")
    if not value:
        return None
    day = date.fromisoformat(value)
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))


def _mark() -> IntakeMark:
    mark = IntakeMark.objects.select_for_update().order_by("pk").first()
    if mark is None:
        mark = IntakeMark.objects.create(last_event_id=0)
    return mark


@transaction.atomic
def intake_pull(*, calendar: Calendar | None = None) -> int:
    """Take every event above the mark into the queue; the number of items made."""
    mark = _mark()
    top = Event.objects.aggregate(top=Max("pk"))["top"] or 0
    if top <= mark.last_event_id:
        return 0
    cal = calendar or Calendar()
    since = front_door_from()
    made = 0
    start = mark.last_event_id
    while start < top:
        end = min(start + BATCH, top)
        roles = EventPerson.objects.filter(
            event_id__gt=start,
            event_id__lte=end,
            event__kind__in=INTAKE_KINDS,
            role__in=CHILD_ROLES,
            record__is_child=True,
        )
        if since is not None:
            roles = roles.filter(event__occurred_at__gte=since)
        rows = roles.values_list(
            "event_id", "record__person_id", "event__recorded_at", "event__delivery__received_at"
        ).distinct()
        items: dict[tuple[int, int], QueueItem] = {}
        for event_id, person_id, recorded_at, received_at in rows:
            # An imported event arrives with its delivery; one recorded here, when recorded.
            arrived = max(recorded_at, received_at) if received_at else recorded_at
            items.setdefault(
                (event_id, person_id),
                QueueItem(
                    event_id=event_id,
                    person_id=person_id,
                    arrived_at=arrived,
                    due_at=cal.due_end_of_working_day(arrived, 1),
                ),
            )
        QueueItem.objects.bulk_create(items.values(), ignore_conflicts=True, batch_size=2000)
        made += len(items)
        start = end
    mark.last_event_id = top
    mark.updated_at = now()
    mark.save(update_fields=["last_event_id", "updated_at"])
    return made
