"""A person's associations (other people, peer groups, places, schools and organisations), as
the association policy lets the user see them, and the ward of a postcode: what the contexts app
contributes to a person's record (``contexts/sections.py``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import F, Q, QuerySet

from efh.contexts.models import Association, Location, Organisation, OtherKind, Ward
from efh.contexts.policy import associations_visible_to
from efh.people.policy import Label
from efh.people.selectors.sources import Sources

if TYPE_CHECKING:
    from efh.accounts.models import User


@dataclass
class PersonLink:
    """Another person on this person's record, and every association that links them."""

    person_id: int
    label: Label | None
    is_child: bool | None
    associations: list[Association] = field(default_factory=list)

    @property
    def kinds(self) -> str:
        return ", ".join(sorted({a.get_kind_display() for a in self.associations}))


@dataclass
class Associations:
    children: list[PersonLink] = field(default_factory=list)
    adults: list[PersonLink] = field(default_factory=list)
    groups: list[Association] = field(default_factory=list)
    locations: list[Association] = field(default_factory=list)
    organisations: list[Association] = field(default_factory=list)

    @property
    def counts(self) -> list[tuple[str, int]]:
        return [
            ("Children", len(self.children)),
            ("Adults", len(self.adults)),
            ("Peer groups", len(self.groups)),
            ("Places", len(self.locations)),
            ("Schools and organisations", len(self.organisations)),
        ]

    @property
    def empty(self) -> bool:
        return not any(n for _, n in self.counts)

    @property
    def people_sections(self) -> list[tuple[str, list[PersonLink]]]:
        """Children and adults, never in one list."""
        return [("Children", self.children), ("Adults", self.adults)]

    @property
    def context_sections(self) -> list[tuple[str, list[Association], str]]:
        return [
            ("Peer groups", self.groups, "group"),
            ("Places", self.locations, "location"),
            ("Schools and organisations", self.organisations, "organisation"),
        ]


def person_associations(user: User, record_ids: Sequence[int]) -> QuerySet[Association]:
    """Associations from any of the person's records, and person associations to them, as the
    association policy lets this user see them (one query; two indexed lookups OR-ed)."""
    qs = (
        Association.objects.filter(Q(record_id__in=record_ids) | Q(other_record_id__in=record_ids))
        .defer("raw", "record__raw", "other_record__raw")
        .select_related("record", "other_record", "location", "organisation", "group")
        .order_by(F("last_seen").desc(nulls_last=True), "-pk")
    )
    return associations_visible_to(user, qs)


def group_associations(
    associations: Iterable[Association], record_ids: Sequence[int], sources: Sources
) -> tuple[Associations, set[int]]:
    """Sort associations into children, adults, groups, places and organisations; returns the
    ids of the other people, for labelling. Each association gets ``source_info``: whose it is.
    """
    mine = set(record_ids)
    out = Associations()
    links: dict[int, PersonLink] = {}
    for a in associations:
        setattr(a, "source_info", sources.info(a.source))  # noqa: B010 - a display annotation
        if a.other_kind == OtherKind.PERSON:
            other = a.other_record if a.record_id in mine else a.record
            if other is None or other.id in mine:
                continue
            link = links.get(other.person_id)
            if link is None:
                link = links[other.person_id] = PersonLink(other.person_id, None, other.is_child)
            link.associations.append(a)
        elif a.other_kind == OtherKind.GROUP:
            out.groups.append(a)
        elif a.other_kind == OtherKind.LOCATION:
            out.locations.append(a)
        elif a.other_kind == OtherKind.ORGANISATION:
            out.organisations.append(a)
    for link in links.values():
        (out.adults if link.is_child is False else out.children).append(link)
    return out, set(links)


def _postcode_prefixes(postcode: str) -> list[tuple[str, bool]]:
    """The postcode, its sector (``E8 1``) and its district (``E8 ``), as (text, exact)."""
    compact = "".join(postcode.split()).upper()
    if len(compact) < 5:
        return [(compact, False)] if compact else []
    outward, inward = compact[:-3], compact[-3:]
    return [
        (f"{outward} {inward}", True),
        (f"{outward} {inward[0]}", False),
        (f"{outward} ", False),
    ]


PLACES_PER_AREA = 200


def ward_for_postcode(postcode: str, wards: list[Ward] | None = None) -> Ward | None:
    """The ward of a postcode, from the known places nearest to it in the postcode's own
    hierarchy: places at that postcode, else in its sector (``E8 1``), else in its district
    (``E8``); among them, the ward most of them are in, or the ward whose representative point
    is nearest their middle where none records a ward.

    The platform holds no postcode directory yet (ONS's NSPL would give this directly)."""
    all_wards = wards
    for prefix, exact in _postcode_prefixes(postcode):
        match = {"postcode__iexact": prefix} if exact else {"postcode__istartswith": prefix}
        places: list[Location | Organisation] = [
            *Location.objects.filter(**match).select_related("ward")[:PLACES_PER_AREA],
            *Organisation.objects.filter(**match).select_related("ward")[:PLACES_PER_AREA],
        ]
        if not places:
            continue
        named = Counter(p.ward for p in places if p.ward is not None)
        if named:
            return min(named, key=lambda w: (-named[w], w.name))
        points = [(p.latitude, p.longitude) for p in places if p.latitude and p.longitude]
        if not points:
            continue
        lat = sum(a for a, _ in points) / len(points)
        lon = sum(b for _, b in points) / len(points)
        all_wards = all_wards if all_wards is not None else list(Ward.objects.all())
        return min(
            all_wards,
            key=lambda w: (w.latitude - lat) ** 2 + (w.longitude - lon) ** 2,
            default=None,
        )
    return None
