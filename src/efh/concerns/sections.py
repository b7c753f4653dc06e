"""What the concerns app contributes to a person's record and to a place's page.

On the record: the missing-episode flags, the actions (record a concern or a missing episode,
the Philomena profile), the missing episodes and return home interviews due, and the merged
chronology. On a place's page: what happened there (events, and children found there).
Registered at start-up (``web.sections.autodiscover``).

Need to know on a place's page: an event's free text is shown only where the user may open
someone involved in it or their own agency recorded it (a place page is not a way round need to
know); a pseudonymised user sees no person labels and no free text at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from efh.concerns.forms.chronology import ChronologyFilterForm, filter_form, filters_requested
from efh.concerns.models import Event, MissingEpisode
from efh.concerns.selectors.chronology import (
    ChronologyEntry,
    ChronologyFilters,
    Involved,
    MissingFlags,
    attach_people,
    chronology_keys,
    chronology_page,
    event_person_ids,
    missing_flags,
    person_chronology_keys,
)
from efh.contexts.place import PlaceContext, place_sections
from efh.core.access import Capability
from efh.people.policy import agency_source_codes
from efh.people.record import (
    FULL,
    PSEUDONYMISED,
    SHARED_CHRONOLOGY,
    Action,
    Flag,
    RecordContext,
    record_sections,
)
from efh.web.pages import page_range, query_without_page
from efh.web.sections import Section


@dataclass
class ChronologySection:
    """What the chronology's templates need: its filters, the page of entries and its links."""

    form: ChronologyFilterForm
    filters: ChronologyFilters
    page: Any
    entries: list[ChronologyEntry]
    action: str
    query: str
    intro: str = ""
    show_role: bool = True
    show_place: bool = True
    pseudonymised: bool = False

    @property
    def page_range(self) -> list[int | str]:
        return page_range(self.page)


INTRO = {
    FULL: "Every agency’s events, missing episodes and status changes, merged.",  # noqa: RUF001
    SHARED_CHRONOLOGY: "Every agency’s events and missing episodes, merged.",  # noqa: RUF001
}


def _page_number(request: HttpRequest) -> str | int:
    return request.GET.get("page") or 1


def _detail(request: HttpRequest) -> dict[str, Any]:
    detail: dict[str, Any] = {"page": str(_page_number(request))}
    if filters := filters_requested(request):
        detail["filters"] = filters
    return detail


# --- The person record -------------------------------------------------------------------------


def _missing(ctx: RecordContext) -> MissingFlags:
    return ctx.memo("missing_flags", lambda: missing_flags(ctx.record_ids, ctx.at))


def missing_flag_tags(ctx: RecordContext) -> list[Flag] | None:
    f = _missing(ctx)
    tags = []
    if f.open_missing:
        tags.append(Flag("Missing now", "red"))
    if f.missing_recent:
        n = f.missing_recent
        tags.append(Flag(f"Missing {n} time{'s' if n != 1 else ''} in the last 90 days", "orange"))
    if f.rhi_overdue:
        tags.append(Flag("Return home interview overdue", "red"))
    return tags or None


def record_actions(ctx: RecordContext) -> list[Action]:
    pid = ctx.person_id
    philomena = (
        [Action("Philomena profile", reverse("concerns:philomena", args=[pid]))]
        if ctx.view == FULL
        else []
    )
    if not ctx.user.can(Capability.RECORD):
        return philomena
    return [
        Action("Record a concern", f"{reverse('concerns:concern-new')}?person={pid}", "primary"),
        Action(
            "Record a missing episode",
            f"{reverse('concerns:missing-new')}?person={pid}",
            "secondary",
        ),
        *philomena,
    ]


def person_chronology(ctx: RecordContext) -> ChronologySection:
    form = filter_form(ctx.request, ctx.sources)
    filters = form.filters()
    record_ids = ctx.record_ids
    page, entries = chronology_page(
        person_chronology_keys(
            record_ids, filters, ctx.sources, statuses=ctx.view != SHARED_CHRONOLOGY
        ),
        _page_number(ctx.request),
        sources=ctx.sources,
        person_record_ids=record_ids,
        at=ctx.at,
    )
    if ctx.full:
        ctx.labels.request(
            event_person_ids(entries),
            lambda labels: attach_people(entries, labels, exclude=ctx.person_id),
        )
    return ChronologySection(
        form=form,
        filters=filters,
        page=page,
        entries=entries,
        action=reverse("people:record", args=[ctx.person_id]),
        query=query_without_page(ctx.request),
        intro=INTRO.get(ctx.view, ""),
        show_place=ctx.full,
        pseudonymised=not ctx.full,
    )


record_sections.register(
    Section("missing_flags", missing_flag_tags, slot="flags", order=20, fields=("flags",))
)
record_sections.register(
    Section(
        "concern_actions",
        record_actions,
        slot="actions",
        order=10,
        levels=(FULL, SHARED_CHRONOLOGY),
    )
)
record_sections.register(
    Section(
        "missing_next",
        _missing,
        template="concerns/record/missing_next.html",
        slot="next",
        order=10,
        fields=("next_steps",),
    )
)
record_sections.register(
    Section(
        "chronology",
        person_chronology,
        template="concerns/record/chronology.html",
        order=30,
        title="Chronology",
        levels=(FULL, SHARED_CHRONOLOGY),
        fields=("chronology",),
        detail=_detail,
    )
)
record_sections.register(
    Section(
        "chronology_pseudonymised",
        person_chronology,
        template="concerns/record/chronology.html",
        order=30,
        title="Chronology",
        anchor="chronology",
        levels=(PSEUDONYMISED,),
        fields=("chronology_without_free_text",),
        detail=_detail,
    )
)


# --- A place's page ----------------------------------------------------------------------------


def place_chronology(ctx: PlaceContext) -> ChronologySection:
    """Events at the place and missing episodes where a child was found there."""
    form = filter_form(ctx.request, ctx.sources)
    filters = form.filters()
    kind, place = ctx.kind, ctx.place
    page, entries = chronology_page(
        chronology_keys(
            events=Event.objects.filter(**{kind: place}),
            episodes=MissingEpisode.objects.filter(**{f"found_{kind}": place}),
            statuses=None,
            filters=filters,
            sources=ctx.sources,
        ),
        _page_number(ctx.request),
        sources=ctx.sources,
    )
    if ctx.full:
        own = set(agency_source_codes(ctx.user))
        found_here = {e.episode.record.person_id for e in entries if e.episode is not None}

        def label(labels: dict[int, Any]) -> None:
            attach_people(entries, labels)
            for entry in entries:
                if entry.event is not None:
                    entry.summary_visible = entry.event.source in own or any(
                        o.label is not None and o.label.can_open for o in entry.others
                    )
                elif entry.episode is not None:
                    who = labels.get(entry.episode.record.person_id)
                    entry.others = [Involved(who, "Found here")]

        ctx.labels.request(event_person_ids(entries) | found_here, label)
    else:
        for entry in entries:
            entry.summary_visible = False
    return ChronologySection(
        form=form,
        filters=filters,
        page=page,
        entries=entries,
        action=reverse(f"places:{kind}", args=[place.pk]),
        query=query_without_page(ctx.request),
        show_role=False,
        show_place=False,
        pseudonymised=not ctx.full,
    )


place_sections.register(
    Section(
        "chronology",
        place_chronology,
        template="concerns/record/chronology.html",
        order=10,
        title="What happened here",
        fields=("chronology", "people_involved"),
        detail=_detail,
    )
)
place_sections.register(
    Section(
        "chronology_pseudonymised",
        place_chronology,
        template="concerns/record/chronology.html",
        order=10,
        title="What happened here",
        anchor="chronology",
        levels=(PSEUDONYMISED,),
        fields=("chronology_without_free_text",),
        detail=_detail,
    )
)
