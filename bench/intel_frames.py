"""A ``Snapshot`` straight from a synthetic delivery's CSVs, with its planted truth.

Benchmarks and the pure intelligence tests use it to measure the analytics apart from linkage:
person ids are the TRUE people (``persons_truth.csv``), as if linkage were perfect. The platform
itself builds its snapshot from the database (``efh.insight.snapshot``) and never reads
``truth/``. ``scale_events`` replicates a snapshot's events to reach a target count (times and
points jittered) for the speed benchmarks.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from efh.intelligence import hotspots
from efh.intelligence.frames import DT, SCHEMAS, Snapshot


@dataclass(frozen=True)
class Truth:
    groups: pl.DataFrame  # person_id, group_id, role (a child may have two rows)
    exploiters: pl.DataFrame  # person_id
    hotspots: pl.DataFrame  # latitude, longitude, radius_m, start, end, harm_type
    as_of: datetime


def _tp(col: str) -> pl.Expr:
    """ "TP-0000784" -> 784."""
    return pl.col(col).str.extract(r"(\d+)$").cast(pl.Int64)


def _utc(col: str, strict: bool = True) -> pl.Expr:
    """Delivery times are London local time (EXCHANGE.md), as the importer reads them: here
    naive UTC, as the snapshot holds them."""
    return (
        pl.col(col)
        .str.to_datetime(strict=strict, time_unit="us")
        .dt.replace_time_zone("Europe/London", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
        .dt.replace_time_zone(None)
        .cast(DT)
    )


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _place_keys(d: Path) -> pl.DataFrame:
    frames = []
    for file, prefix in (("locations.csv", "location"), ("organisations.csv", "organisation")):
        f = _read(d / file)
        frames.append(
            f.select(
                place=pl.lit(prefix + ":") + pl.col("source_id"),
                source_id=pl.col("source_id"),
                name=pl.col("name"),
                kind=pl.col("kind"),
                latitude=pl.col("latitude").cast(pl.Float64, strict=False),
                longitude=pl.col("longitude").cast(pl.Float64, strict=False),
                ward=pl.lit(""),
            )
        )
    return pl.concat(frames).unique("source_id", keep="first", maintain_order=True)


def load_delivery(directory: str | Path) -> tuple[Snapshot, Truth]:
    d = Path(directory)
    manifest = json.loads((d / "truth" / "manifest.json").read_text())
    as_of = datetime.fromisoformat(manifest["as_of"]).replace(hour=23, minute=59)
    ids = _read(d / "truth" / "persons_truth.csv").select(
        "source", "source_id", person_id=_tp("true_person_id")
    )
    places = _place_keys(d)
    place_of = places.select("source_id", "place", "latitude", "longitude")

    raw = _read(d / "persons.csv").join(ids, on=["source", "source_id"])
    persons = (
        raw.group_by("person_id")
        .agg(
            is_child=(pl.col("is_child") == "Y").any(),
            date_of_birth=pl.col("date_of_birth").str.to_date(strict=False).drop_nulls().mode(),
            sex=pl.col("sex").fill_null("").mode(),
            ethnicity=pl.col("ethnicity").fill_null("").mode(),
        )
        .with_columns(
            date_of_birth=pl.col("date_of_birth").list.first(),
            sex=pl.col("sex").list.first(),
            ethnicity=pl.col("ethnicity").list.first(),
            ward=pl.lit(""),
        )
        .sort("person_id")
    )
    contacts = pl.concat(
        [
            raw.select(
                "person_id",
                kind=pl.lit("address"),
                value=pl.concat_str(
                    [pl.col("address").fill_null(""), pl.col("postcode").fill_null("")],
                    separator=" ",
                )
                .str.to_uppercase()
                .str.replace_all(r"\s+", " ")
                .str.strip_chars(),
            ).filter(pl.col("value").str.len_chars() > 8),
            raw.select(
                "person_id",
                kind=pl.lit("phone"),
                value=pl.col("phone").str.replace_all(r"\D", ""),
            ).filter(pl.col("value").str.len_chars() >= 10),
        ]
    ).unique()

    ev = _read(d / "events.csv").with_row_index("event_id", offset=1)
    events = ev.join(
        place_of.rename({"latitude": "plat", "longitude": "plon"}),
        left_on="location_source_id",
        right_on="source_id",
        how="left",
    ).select(
        pl.col("event_id").cast(pl.Int64),
        "kind",
        occurred_at=_utc("occurred_at"),
        harm_types=pl.col("harm_types")
        .fill_null("")
        .str.split(";")
        .list.eval(pl.element().filter(pl.element() != "")),
        place=pl.col("place"),
        latitude=pl.col("latitude").cast(pl.Float64, strict=False).fill_null(pl.col("plat")),
        longitude=pl.col("longitude").cast(pl.Float64, strict=False).fill_null(pl.col("plon")),
        ward=pl.lit(""),
    )
    event_key = ev.select("source", event_source_id="source_id", event_id=pl.col("event_id"))
    event_people = (
        _read(d / "event_people.csv")
        .join(event_key, on=["source", "event_source_id"])
        .join(ids, left_on=["source", "person_source_id"], right_on=["source", "source_id"])
        .select(pl.col("event_id").cast(pl.Int64), "person_id", "role")
        .unique(["event_id", "person_id"], keep="first", maintain_order=True)
    )

    assoc = _read(d / "associations.csv").with_row_index("association_id", offset=1)
    other = ids.rename({"source_id": "other_source_id", "person_id": "other_person_id"})
    associations = (
        assoc.join(ids, left_on=["source", "person_source_id"], right_on=["source", "source_id"])
        .join(other, on=["source", "other_source_id"], how="left")
        .join(
            place_of.select("source_id", "place"),
            left_on="other_source_id",
            right_on="source_id",
            how="left",
        )
        .select(
            pl.col("association_id").cast(pl.Int64),
            "person_id",
            other_person_id=pl.when(pl.col("other_kind") == "person").then(
                pl.col("other_person_id")
            ),
            group_label=pl.when(pl.col("other_kind") == "group").then(
                pl.col("source") + ":" + pl.col("other_source_id")
            ),
            place=pl.when(pl.col("other_kind").is_in(["location", "organisation"])).then(
                pl.col("place")
            ),
            kind=pl.col("kind"),
            first_seen=pl.col("first_seen").str.to_date(strict=False),
            last_seen=pl.col("last_seen").str.to_date(strict=False),
            source_evaluation=pl.col("source_evaluation").fill_null(""),
            intelligence_evaluation=pl.col("intelligence_evaluation").fill_null(""),
            source=pl.col("source"),
        )
    )

    ms = _read(d / "missing_episodes.csv").with_row_index("episode_id", offset=1)
    ms = ms.join(ids, left_on=["source", "person_source_id"], right_on=["source", "source_id"])
    missing = ms.join(
        place_of.rename({"latitude": "plat", "longitude": "plon"}),
        left_on="found_location_source_id",
        right_on="source_id",
        how="left",
    ).select(
        pl.col("episode_id").cast(pl.Int64),
        "person_id",
        "missing_from",
        went_missing_at=_utc("went_missing_at"),
        returned_at=_utc("returned_at", strict=False),
        found_place=pl.col("place"),
        found_latitude=pl.col("found_latitude")
        .cast(pl.Float64, strict=False)
        .fill_null(pl.col("plat")),
        found_longitude=pl.col("found_longitude")
        .cast(pl.Float64, strict=False)
        .fill_null(pl.col("plon")),
    )
    missing_with = (
        ms.select(
            pl.col("episode_id").cast(pl.Int64),
            "source",
            other=pl.col("missing_with").fill_null("").str.split(";"),
        )
        .explode("other")
        .filter(pl.col("other") != "")
        .join(ids, left_on=["source", "other"], right_on=["source", "source_id"])
        .select("episode_id", "person_id")
        .unique()
    )

    snapshot = Snapshot(
        persons=persons.select(list(SCHEMAS["persons"])),
        events=events,
        event_people=event_people,
        associations=associations,
        missing=missing,
        missing_with=missing_with,
        contacts=contacts,
        places=places.select(list(SCHEMAS["places"])),
        as_of=as_of,
    ).validate()

    t = d / "truth"
    truth = Truth(
        groups=_read(t / "groups_truth.csv").select(
            person_id=_tp("true_person_id"), group_id=pl.col("group_id"), role=pl.col("role")
        ),
        exploiters=_read(t / "exploiters_truth.csv").select(person_id=_tp("true_person_id")),
        hotspots=_read(t / "hotspots_truth.csv").select(
            pl.col("latitude").cast(pl.Float64),
            pl.col("longitude").cast(pl.Float64),
            pl.col("radius_m").cast(pl.Int64),
            pl.col("start").str.to_date(),
            pl.col("end").str.to_date(),
            "harm_type",
        ),
        as_of=as_of,
    )
    return snapshot, truth


def scale_events(snapshot: Snapshot, target: int, seed: int = 1) -> Snapshot:
    """Replicate the events (and who was in them) until there are about ``target``, each copy's
    times shifted by up to 60 days (kept before ``as_of``) and points by up to ~100 m."""
    base, people = snapshot.events, snapshot.event_people
    n = base.height
    copies = max(1, -(-target // n))
    rng = np.random.default_rng(seed)
    top = int(base["event_id"].max() or 0)
    out_ev, out_ep = [base], [people]
    for c in range(1, copies):
        shift = rng.integers(-60 * 86400, 0, n) * 1_000_000
        jitter = rng.normal(0, 0.0007, (2, n))
        offset = c * (top + 1)
        out_ev.append(
            base.with_columns(
                event_id=pl.col("event_id") + offset,
                occurred_at=(pl.col("occurred_at").cast(pl.Int64) + pl.Series(shift)).cast(DT),
                latitude=pl.col("latitude") + pl.Series(jitter[0]),
                longitude=pl.col("longitude") + pl.Series(jitter[1]),
            )
        )
        out_ep.append(people.with_columns(event_id=pl.col("event_id") + offset))
    events = pl.concat(out_ev).head(target)
    keep = events.select("event_id")
    event_people = pl.concat(out_ep).join(keep, on="event_id", how="semi")
    return replace(snapshot, events=events, event_people=event_people).validate()


def match_hotspots(
    reported: pl.DataFrame, planted: pl.DataFrame, floor_m: float = 400.0
) -> dict[str, float]:
    """Recall of planted hotspots and the share of reported ones matching none (module docstring).

    ``planted`` has latitude, longitude, radius_m, start, end (dates), harm_type.
    Returns planted, found, recall, reported, unmatched, false_share.
    """
    if planted.height == 0:
        return {"planted": 0, "found": 0, "recall": 1.0, "reported": reported.height,
                "unmatched": reported.height, "false_share": 1.0 if reported.height else 0.0}  # fmt: skip
    tx, ty = hotspots.to_bng(planted["longitude"].to_numpy(), planted["latitude"].to_numpy())
    if reported.height:
        rx, ry = hotspots.to_bng(reported["longitude"].to_numpy(), reported["latitude"].to_numpy())
    else:
        rx = ry = np.zeros(0)
    t_h = planted["harm_type"].to_list()
    r_h = reported["harm_type"].to_list()
    t_r = planted["radius_m"].cast(pl.Float64).to_numpy()
    r_r = reported["radius_m"].cast(pl.Float64).to_numpy() if reported.height else np.zeros(0)
    t_s, t_e = planted["start"].to_list(), planted["end"].to_list()
    r_s, r_e = reported["start"].to_list(), reported["end"].to_list()
    hit = np.zeros((planted.height, reported.height), dtype=bool)
    for i in range(planted.height):
        for j in range(reported.height):
            if t_h[i] != r_h[j]:
                continue
            if r_s[j] > t_e[i] or r_e[j] < t_s[i]:
                continue
            d = math.hypot(tx[i] - rx[j], ty[i] - ry[j])
            hit[i, j] = d <= max(t_r[i] + r_r[j], floor_m)
    found = int(hit.any(axis=1).sum())
    unmatched = int((~hit.any(axis=0)).sum())
    return {
        "planted": planted.height,
        "found": found,
        "recall": found / planted.height,
        "reported": reported.height,
        "unmatched": unmatched,
        "false_share": unmatched / reported.height if reported.height else 0.0,
    }
