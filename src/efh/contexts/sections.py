"""What the contexts app contributes to a person's record (associations; on the pseudonymised
page, their counts and the ward of the latest address) and to a place's page (who is associated
with it). Registered at start-up (``web.sections.autodiscover``)."""

from __future__ import annotations

from efh.contexts.place import PlaceContext, place_sections
from efh.contexts.selectors.associations import (
    Associations,
    group_associations,
    person_associations,
    ward_for_postcode,
)
from efh.contexts.selectors.place import Frequenters, frequenters
from efh.people.record import PSEUDONYMISED, Fact, RecordContext, record_sections
from efh.web.sections import Section


def associations(ctx: RecordContext) -> Associations:
    grouped, other_ids = group_associations(
        person_associations(ctx.user, ctx.record_ids), ctx.record_ids, ctx.sources
    )

    def label(labels: dict[int, object]) -> None:
        for link in grouped.children + grouped.adults:
            link.label = labels.get(link.person_id)  # type: ignore[assignment]

    if ctx.full:
        ctx.labels.request(other_ids, label)
    return grouped


def ward_fact(ctx: RecordContext) -> list[Fact]:
    addresses = ctx.identity.addresses
    current = next((a for a, _ in addresses if a.valid_to is None), None) or next(
        (a for a, _ in addresses), None
    )
    ward = ward_for_postcode(current.postcode) if current is not None else None
    return [Fact("Ward of latest address", ward.name if ward else "Not known")]


def place_people(ctx: PlaceContext) -> Frequenters:
    found = frequenters(ctx.user, ctx.place, ctx.kind, ctx.sources)
    noun = "place" if ctx.kind == "location" else "organisation"
    found.title = f"Who is associated with this {noun}"

    def label(labels: dict[int, object]) -> None:
        for f in found.everyone:
            f.label = labels.get(f.person_id)  # type: ignore[assignment]

    if ctx.full:
        ctx.labels.request([f.person_id for f in found.everyone], label)
    return found


record_sections.register(
    Section(
        "associations",
        associations,
        template="contexts/record/associations.html",
        order=40,
        title="Associations",
        fields=("associations",),
    )
)
record_sections.register(
    Section(
        "associations_counts",
        associations,
        template="contexts/record/association_counts.html",
        order=40,
        title="Associations",
        anchor="associations",
        levels=(PSEUDONYMISED,),
        fields=("association_counts",),
    )
)
record_sections.register(
    Section("ward", ward_fact, slot="facts", order=20, levels=(PSEUDONYMISED,), fields=("ward",))
)
for level, fields in (("full", ("associations",)), (PSEUDONYMISED, ("association_counts",))):
    place_sections.register(
        Section(
            f"associations_{level}",
            place_people,
            template="contexts/place_people.html",
            order=20,
            anchor="associations",
            levels=(level,),
            fields=fields,
        )
    )
