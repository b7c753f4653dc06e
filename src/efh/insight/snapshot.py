"""Read the database into an intelligence ``Snapshot`` (``efh.intelligence.frames``).

Run by ``efh refresh`` as the system; never shown to anyone. One query per table, each through
``core.bulk.read_frame`` (``COPY`` on PostgreSQL), joined in Polars. Every fact is keyed by the
LINKED person (``PersonRecord.person_id``), so a child's police, school and health records count
as one child. Persons merged into another have no records left and so do not appear.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import polars as pl

from efh.concerns.models import Event, EventPerson, HarmType, MissingEpisode, MissingWith
from efh.contexts.models import Association, Location, Organisation, PeerGroup, Ward
from efh.core import clock
from efh.core.bulk import read_frame
from efh.intelligence.frames import DT, SCHEMAS, Snapshot
from efh.people.models import Address, PersonRecord

# A point further than this from every ward's centre is outside the borough: no ward.
WARD_RADIUS_KM = 2.5


def _table(model: type) -> str:
    return model._meta.db_table  # type: ignore[attr-defined]


def _when(column: str) -> pl.Expr:
    """Text timestamps from either database ("2024-10-31 15:33:00+00" from PostgreSQL's COPY,
    "2024-10-31T15:33:00+00:00" from SQLite) as naive UTC (Django stores UTC)."""
    return (
        pl.col(column)
        .str.slice(0, 19)
        .str.replace(" ", "T")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S", strict=False)
        .cast(DT)
    )


def _wards() -> pl.DataFrame:
    return pl.DataFrame(
        list(Ward.objects.order_by("id").values_list("code", "latitude", "longitude")),
        schema={"code": pl.String, "latitude": pl.Float64, "longitude": pl.Float64},
        orient="row",
    )


def nearest_ward(lat: pl.Series, lon: pl.Series, wards: pl.DataFrame) -> pl.Series:
    """The code of the nearest ward centre within ``WARD_RADIUS_KM`` of each point, else ""."""
    if wards.is_empty() or lat.is_empty():
        return pl.Series([""] * len(lat), dtype=pl.String)
    codes = wards["code"].to_numpy()
    wlat, wlon = np.radians(wards["latitude"].to_numpy()), np.radians(wards["longitude"].to_numpy())
    out = np.full(len(lat), "", dtype=object)
    la = np.radians(lat.fill_null(np.nan).to_numpy())
    lo = np.radians(lon.fill_null(np.nan).to_numpy())
    for start in range(0, len(la), 100_000):  # bounded memory: 100k points x wards at a time
        plat, plon = la[start : start + 100_000, None], lo[start : start + 100_000, None]
        a = (
            np.sin((wlat - plat) / 2) ** 2
            + np.cos(plat) * np.cos(wlat) * np.sin((wlon - plon) / 2) ** 2
        )
        km = np.where(np.isnan(a), np.inf, 2 * 6371.0 * np.arcsin(np.sqrt(np.nan_to_num(a))))
        best = np.argmin(km, axis=1)
        near = km[np.arange(len(plat)), best] <= WARD_RADIUS_KM
        out[start : start + len(plat)] = np.where(near, codes[best], "")
    return pl.Series(out.tolist(), dtype=pl.String)


def _places(wards: pl.DataFrame) -> pl.DataFrame:
    frames = []
    ward_code = dict(Ward.objects.values_list("id", "code"))
    for model, prefix in ((Location, "location"), (Organisation, "organisation")):
        frame = read_frame(
            f"SELECT id, name, kind, latitude, longitude, ward_id FROM {_table(model)}",  # noqa: S608
            {
                "id": pl.Int64,
                "name": pl.String,
                "kind": pl.String,
                "latitude": pl.Float64,
                "longitude": pl.Float64,
                "ward_id": pl.Int64,
            },
        )
        frames.append(
            frame.select(
                place=pl.lit(prefix + ":") + pl.col("id").cast(pl.String),
                name="name",
                kind="kind",
                latitude="latitude",
                longitude="longitude",
                ward=pl.col("ward_id").replace_strict(
                    ward_code, default="", return_dtype=pl.String
                ),
            )
        )
    return pl.concat(frames)


def _place_key(location: str, organisation: str) -> pl.Expr:
    return (
        pl.when(pl.col(location).is_not_null())
        .then(pl.lit("location:") + pl.col(location).cast(pl.String))
        .when(pl.col(organisation).is_not_null())
        .then(pl.lit("organisation:") + pl.col(organisation).cast(pl.String))
    )


def harm_names() -> dict[str, str]:
    """The partnership's name for each harm type in its taxonomy, by exchange-format code."""
    return dict(HarmType.objects.values_list("code", "name"))


def read_snapshot(as_of: datetime | None = None) -> Snapshot:
    """Everything the intelligence jobs read, as of now (or ``as_of``, aware or naive UTC)."""
    moment = as_of or clock.now()
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    wards = _wards()
    places = _places(wards)
    coords = places.select("place", plat="latitude", plon="longitude")

    records = read_frame(
        "SELECT id, person_id, is_child, date_of_birth, sex, ethnicity, phone "  # noqa: S608
        f"FROM {_table(PersonRecord)}",
        {
            "record_id": pl.Int64,
            "person_id": pl.Int64,
            "is_child": pl.String,
            "date_of_birth": pl.Date,
            "sex": pl.String,
            "ethnicity": pl.String,
            "phone": pl.String,
        },
    ).with_columns(is_child=pl.col("is_child").str.to_lowercase().is_in(["t", "true", "1"]))
    person_of = records.select("record_id", "person_id")

    addresses = read_frame(
        "SELECT record_id, address, postcode FROM "  # noqa: S608
        f"{_table(Address)} WHERE valid_to IS NULL",
        {"record_id": pl.Int64, "address": pl.String, "postcode": pl.String},
    ).join(person_of, on="record_id")

    persons = (
        records.group_by("person_id")
        .agg(
            is_child=pl.col("is_child").any(),
            date_of_birth=pl.col("date_of_birth").drop_nulls().mode().first(),
            sex=pl.col("sex").fill_null("").filter(pl.col("sex") != "").mode().first(),
            ethnicity=pl.col("ethnicity")
            .fill_null("")
            .filter(pl.col("ethnicity") != "")
            .mode()
            .first(),
        )
        .with_columns(
            sex=pl.col("sex").fill_null(""),
            ethnicity=pl.col("ethnicity").fill_null(""),
            ward=pl.lit(""),
        )
        .sort("person_id")
        .select(list(SCHEMAS["persons"]))
    )
    normal = pl.col("value").str.to_uppercase().str.replace_all(r"\s+", " ").str.strip_chars()
    contacts = pl.concat(
        [
            addresses.select(
                "person_id",
                kind=pl.lit("address"),
                value=pl.concat_str(
                    [pl.col("address").fill_null(""), pl.col("postcode").fill_null("")],
                    separator=" ",
                ),
            )
            .with_columns(value=normal)
            .filter(pl.col("value").str.len_chars() > 8),
            records.select(
                "person_id",
                kind=pl.lit("phone"),
                value=pl.col("phone").fill_null("").str.replace_all(r"\D", ""),
            ).filter(pl.col("value").str.len_chars() >= 10),
        ]
    ).unique()

    raw_events = read_frame(
        "SELECT id, kind, occurred_at, location_id, organisation_id, latitude, longitude "  # noqa: S608
        f"FROM {_table(Event)}",
        {
            "event_id": pl.Int64,
            "kind": pl.String,
            "occurred_at": pl.String,
            "location_id": pl.Int64,
            "organisation_id": pl.Int64,
            "latitude": pl.Float64,
            "longitude": pl.Float64,
        },
    )
    through = Event.harm_types.through
    harms = (
        read_frame(
            f"SELECT t.event_id, h.code FROM {_table(through)} t "  # noqa: S608
            f"JOIN {_table(HarmType)} h ON h.id = t.harmtype_id",
            {"event_id": pl.Int64, "code": pl.String},
        )
        .group_by("event_id")
        .agg(harm_types=pl.col("code").sort())
    )
    events = (
        raw_events.with_columns(
            place=_place_key("location_id", "organisation_id"),
            occurred_at=_when("occurred_at"),
        )
        .join(harms, on="event_id", how="left")
        .join(coords, on="place", how="left")
        .with_columns(
            harm_types=pl.col("harm_types").fill_null(pl.lit([], dtype=pl.List(pl.String))),
            latitude=pl.col("latitude").fill_null(pl.col("plat")),
            longitude=pl.col("longitude").fill_null(pl.col("plon")),
        )
        .filter(pl.col("occurred_at") <= moment)
        .sort("event_id")
    )
    events = events.with_columns(
        ward=nearest_ward(events["latitude"], events["longitude"], wards)
    ).select(list(SCHEMAS["events"]))

    event_people = (
        read_frame(
            f"SELECT event_id, record_id, role FROM {_table(EventPerson)}",  # noqa: S608
            {"event_id": pl.Int64, "record_id": pl.Int64, "role": pl.String},
        )
        .join(person_of, on="record_id")
        .join(events.select("event_id"), on="event_id", how="semi")
        # One row per person per event: the most telling role when their records differ.
        .with_columns(
            rank=pl.col("role").replace_strict(
                {"suspect": 0, "victim": 1, "subject": 2, "associate": 3, "witness": 4},
                default=5,
                return_dtype=pl.Int8,
            )
        )
        .sort("event_id", "person_id", "rank")
        .unique(["event_id", "person_id"], keep="first", maintain_order=True)
        .select(list(SCHEMAS["event_people"]))
    )

    groups = {
        pk: f"{source}:{name}"
        for pk, source, name in PeerGroup.objects.values_list("id", "source", "name")
    }
    associations = (
        read_frame(
            "SELECT id, record_id, other_record_id, location_id, organisation_id, group_id, "  # noqa: S608
            "kind, first_seen, last_seen, source_evaluation, intelligence_evaluation, source "
            f"FROM {_table(Association)}",
            {
                "association_id": pl.Int64,
                "record_id": pl.Int64,
                "other_record_id": pl.Int64,
                "location_id": pl.Int64,
                "organisation_id": pl.Int64,
                "group_id": pl.Int64,
                "kind": pl.String,
                "first_seen": pl.Date,
                "last_seen": pl.Date,
                "source_evaluation": pl.String,
                "intelligence_evaluation": pl.String,
                "source": pl.String,
            },
        )
        .join(person_of, on="record_id")
        .join(
            person_of.rename({"record_id": "other_record_id", "person_id": "other_person_id"}),
            on="other_record_id",
            how="left",
        )
        .with_columns(
            group_label=pl.col("group_id").replace_strict(
                groups, default=None, return_dtype=pl.String
            ),
            place=_place_key("location_id", "organisation_id"),
            source_evaluation=pl.col("source_evaluation").fill_null(""),
            intelligence_evaluation=pl.col("intelligence_evaluation").fill_null(""),
        )
        .select(list(SCHEMAS["associations"]))
    )

    episodes = read_frame(
        "SELECT id, record_id, missing_from, went_missing_at, returned_at, "  # noqa: S608
        "found_location_id, found_organisation_id, found_latitude, found_longitude "
        f"FROM {_table(MissingEpisode)}",
        {
            "episode_id": pl.Int64,
            "record_id": pl.Int64,
            "missing_from": pl.String,
            "went_missing_at": pl.String,
            "returned_at": pl.String,
            "found_location_id": pl.Int64,
            "found_organisation_id": pl.Int64,
            "found_latitude": pl.Float64,
            "found_longitude": pl.Float64,
        },
    )
    missing = (
        episodes.join(person_of, on="record_id")
        .with_columns(
            went_missing_at=_when("went_missing_at"),
            returned_at=_when("returned_at"),
            found_place=_place_key("found_location_id", "found_organisation_id"),
        )
        .join(coords, left_on="found_place", right_on="place", how="left")
        .with_columns(
            found_latitude=pl.col("found_latitude").fill_null(pl.col("plat")),
            found_longitude=pl.col("found_longitude").fill_null(pl.col("plon")),
        )
        .filter(pl.col("went_missing_at") <= moment)
        .sort("episode_id")
        .select(list(SCHEMAS["missing"]))
    )
    missing_with = (
        read_frame(
            f"SELECT episode_id, record_id FROM {_table(MissingWith)}",  # noqa: S608
            {"episode_id": pl.Int64, "record_id": pl.Int64},
        )
        .join(person_of, on="record_id")
        .join(missing.select("episode_id"), on="episode_id", how="semi")
        .select("episode_id", "person_id")
        .unique()
    )
    return Snapshot(
        persons=persons,
        events=events,
        event_people=event_people,
        associations=associations,
        missing=missing,
        missing_with=missing_with,
        contacts=contacts.select(list(SCHEMAS["contacts"])),
        places=places.select(list(SCHEMAS["places"])),
        as_of=moment,
    ).validate()
