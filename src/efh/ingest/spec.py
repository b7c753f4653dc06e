"""The exchange format (formats/EXCHANGE.md, version 1) as data: files, columns, types, codes.

The reader, the validator and the loader all work from these declarations, so the format is
written down once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from efh.core.models import RecordKind

SEX = ("F", "M", "X", "U")
ETHNICITY = (
    *(f"A{i}" for i in range(1, 6)),
    *(f"B{i}" for i in range(1, 4)),
    *(f"M{i}" for i in range(1, 5)),
    *(f"W{i}" for i in range(1, 6)),
    "O1",
    "O2",
)
FLAG = ("Y", "N")
ORGANISATION_KINDS = (
    "school",
    "alternative_provision",
    "business",
    "licensed_premises",
    "hotel",
    "taxi_operator",
    "youth_club",
    "other",
)
LOCATION_KINDS = (
    "park",
    "estate",
    "transport_hub",
    "shop",
    "takeaway",
    "street",
    "address",
    "other",
)
EVENT_KINDS = (
    "concern",
    "incident",
    "arrest",
    "stop_search",
    "exclusion",
    "ae_attendance",
    "referral",
    "intelligence",
)
ROLES = ("subject", "victim", "suspect", "witness", "associate")
OTHER_KINDS = ("person", "location", "organisation", "group")
ASSOCIATION_KINDS = (
    "friend",
    "associate",
    "sibling",
    "partner",
    "suspected_exploiter",
    "member_of",
    "frequents",
    "attends",
    "found_at",
    "lives_at",
)
SOURCE_EVALUATION = ("1", "2", "3")
INTELLIGENCE_EVALUATION = ("A", "B", "C", "D", "E")
HANDLING_CODE = ("P", "C")
MISSING_FROM = ("home", "care", "education")

# Longest value accepted per column type; a longer field is reported, not truncated.
MAX_ID = 64
MAX_NAME = 200
MAX_TEXT = 500
MAX_FREE_TEXT = 20_000


@dataclass(frozen=True)
class Column:
    """One column. ``type`` is one of: id, text, free_text (line breaks allowed), code, date,
    timestamp, flag, latitude, longitude, nhs_number, upn, pnc_id, postcode, harm_types, id_list,
    name_list."""

    name: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()
    max_len: int = MAX_TEXT


@dataclass(frozen=True)
class FileSpec:
    name: str
    kind: RecordKind
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("source", "source_id")
    # Pairs of columns that must be both given or both empty.
    pairs: tuple[tuple[str, str], ...] = ()
    # (earlier, later, reason): later must not precede earlier when both are given.
    order: tuple[tuple[str, str, str], ...] = ()
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _source() -> tuple[Column, Column]:
    return Column("source", "code", required=True, max_len=32), Column(
        "source_id", "id", required=True, max_len=MAX_ID
    )


def _place(name: str, kind: RecordKind, kinds: tuple[str, ...]) -> FileSpec:
    return FileSpec(
        name=name,
        kind=kind,
        columns=(
            *_source(),
            Column("name", "text", required=True, max_len=300),
            Column("kind", "code", required=True, choices=kinds),
            Column("latitude", "latitude"),
            Column("longitude", "longitude"),
            Column("postcode", "postcode"),
        ),
        pairs=(("latitude", "longitude"),),
    )


ORGANISATIONS = _place("organisations.csv", RecordKind.ORGANISATION, ORGANISATION_KINDS)
LOCATIONS = _place("locations.csv", RecordKind.LOCATION, LOCATION_KINDS)

PERSONS = FileSpec(
    name="persons.csv",
    kind=RecordKind.PERSON,
    columns=(
        *_source(),
        Column("given_name", "text", required=True, max_len=MAX_NAME),
        Column("family_name", "text", required=True, max_len=MAX_NAME),
        Column("other_names", "name_list", max_len=1000),
        Column("date_of_birth", "date"),
        Column("sex", "code", choices=SEX),
        Column("ethnicity", "code", choices=ETHNICITY),
        Column("nhs_number", "nhs_number"),
        Column("upn", "upn"),
        Column("pnc_id", "pnc_id"),
        Column("address", "text", max_len=MAX_TEXT),
        Column("postcode", "postcode"),
        Column("phone", "text", max_len=40),
        Column("is_child", "flag"),
        Column("looked_after", "flag"),
        Column("send", "flag"),
        Column("child_protection_plan", "flag"),
        Column("school_source_id", "id", max_len=MAX_ID),
        Column("recorded_at", "timestamp", required=True),
    ),
)

EVENTS = FileSpec(
    name="events.csv",
    kind=RecordKind.EVENT,
    columns=(
        *_source(),
        Column("kind", "code", required=True, choices=EVENT_KINDS),
        Column("occurred_at", "timestamp", required=True),
        Column("recorded_at", "timestamp", required=True),
        Column("harm_types", "harm_types", max_len=1000),
        Column("location_source_id", "id", max_len=MAX_ID),
        Column("latitude", "latitude"),
        Column("longitude", "longitude"),
        Column("summary", "free_text", max_len=MAX_FREE_TEXT),
    ),
    pairs=(("latitude", "longitude"),),
    order=(("occurred_at", "recorded_at", "recorded before it occurred"),),
)

EVENT_PEOPLE = FileSpec(
    name="event_people.csv",
    kind=RecordKind.EVENT_PERSON,
    columns=(
        Column("source", "code", required=True, max_len=32),
        Column("event_source_id", "id", required=True, max_len=MAX_ID),
        Column("person_source_id", "id", required=True, max_len=MAX_ID),
        Column("role", "code", required=True, choices=ROLES),
    ),
    key=("source", "event_source_id", "person_source_id", "role"),
)

ASSOCIATIONS = FileSpec(
    name="associations.csv",
    kind=RecordKind.ASSOCIATION,
    columns=(
        *_source(),
        Column("person_source_id", "id", required=True, max_len=MAX_ID),
        Column("other_kind", "code", required=True, choices=OTHER_KINDS),
        Column("other_source_id", "text", required=True, max_len=MAX_NAME),
        Column("kind", "code", required=True, choices=ASSOCIATION_KINDS),
        Column("first_seen", "date"),
        Column("last_seen", "date"),
        Column("source_evaluation", "code", choices=SOURCE_EVALUATION),
        Column("intelligence_evaluation", "code", choices=INTELLIGENCE_EVALUATION),
        Column("handling_code", "code", choices=HANDLING_CODE),
    ),
    order=(("first_seen", "last_seen", "last seen before first seen"),),
)

MISSING_EPISODES = FileSpec(
    name="missing_episodes.csv",
    kind=RecordKind.MISSING_EPISODE,
    columns=(
        *_source(),
        Column("person_source_id", "id", required=True, max_len=MAX_ID),
        Column("missing_from", "code", required=True, choices=MISSING_FROM),
        Column("went_missing_at", "timestamp", required=True),
        Column("reported_at", "timestamp"),
        Column("returned_at", "timestamp"),
        Column("found_location_source_id", "id", max_len=MAX_ID),
        Column("found_latitude", "latitude"),
        Column("found_longitude", "longitude"),
        Column("rhi_offered_at", "timestamp"),
        Column("rhi_completed_at", "timestamp"),
        Column("missing_with", "id_list", max_len=2000),
    ),
    pairs=(("found_latitude", "found_longitude"),),
    order=(
        ("went_missing_at", "reported_at", "reported missing before going missing"),
        ("went_missing_at", "returned_at", "returned before going missing"),
        ("returned_at", "rhi_offered_at", "return home interview offered before the return"),
        (
            "rhi_offered_at",
            "rhi_completed_at",
            "return home interview completed before it was offered",
        ),
    ),
)

# In load order: everything a file refers to comes before it.
FILES: tuple[FileSpec, ...] = (
    ORGANISATIONS,
    LOCATIONS,
    PERSONS,
    EVENTS,
    EVENT_PEOPLE,
    ASSOCIATIONS,
    MISSING_EPISODES,
)
FILES_BY_NAME = {f.name: f for f in FILES}
