"""Who may see what of the concerns app's records.

``recorded_by_agency`` extends the people app's need to know (``people.extensions``): an agency
that recorded an event about a person, or a missing episode of theirs, has recorded about them.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from efh.concerns.models import EventPerson, MissingEpisode


def recorded_by_agency(codes: list[str]) -> Q:
    """True of a ``Person`` where one of these sources recorded an event about them or one of
    their missing episodes."""
    return Q(
        Exists(EventPerson.objects.filter(record__person=OuterRef("pk"), event__source__in=codes))
    ) | Q(Exists(MissingEpisode.objects.filter(record__person=OuterRef("pk"), source__in=codes)))
