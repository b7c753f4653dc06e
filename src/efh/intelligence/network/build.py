"""The association network: an undirected, weighted person-person graph built from a Snapshot.

Every edge is the sum of *evidence rows*, and every evidence row says why it exists (``kind``,
``ref``, ``detail``, ``at``), so a peer group or an adult linked to children can always be
explained by the records behind it. Sources of evidence (see ``NetworkConfig`` for the weights):

- **event**: two people in the same event (``ref="event:<id>"``). Each shared event adds
  ``event_weight * role(a) * role(b) / (participants - 1)``, so a person's total from one event
  is at most ``event_weight`` however crowded it was (a 30-person event does not dominate), and
  the roles matter (``ROLE_WEIGHTS``: suspect/victim/subject 1.0, associate 0.8, witness 0.3;
  suspect+victim therefore counts fully, witness+witness hardly at all). Events with more than
  ``max_event_participants`` people are skipped (crowds, assemblies: no one knows everyone).
- **association**: a recorded person-person association (``ref="association:<id>"``), weighted
  by kind (``ASSOCIATION_KIND_WEIGHTS``) times grading (``SOURCE_EVALUATION_WEIGHTS`` x
  ``INTELLIGENCE_EVALUATION_WEIGHTS``, the 3x5x2 scale; ungraded counts as untested/"C").
  Grading table (source x intelligence; multiply):

  ========  ====  ====  ====  ====  ====
  source    A 1.0 B .85 C .7  D .5  E .1
  ========  ====  ====  ====  ====  ====
  1 (1.0)   1.0   .85   .7    .5    .1
  2 (.8)    .8    .68   .56   .4    .08
  3 (.5)    .5    .43   .35   .25   .05
  ========  ====  ====  ====  ====  ====

- **group**: two people recorded as ``member_of`` the same ``group_label``
  (``ref="group:<label>"``): ``group_weight * grading / (members - 1)``; labels naming more
  than ``max_label_members`` people are skipped.
- **missing_with**: a child recorded as missing with someone (``ref="episode:<id>"``).
- **missing_overlap**: two episodes overlapping in time that were found at the same place with
  returns within ``found_within_hours`` (``ref="episode:<id>+<id>"``).
- **address** / **phone**: a shared normalised address (low weight: households) or phone
  (``ref="address"`` / ``"phone"``; values shared by more than ``max_contact_share`` people, such
  as hostels or switchboards, are skipped). Contacts are undated (``at`` null).

Recency: each dated row is multiplied by ``0.5 ** (age_days / half_life_days)`` (age measured
from ``snapshot.as_of``; ``half_life_days=None`` switches decay off). Window: only rows dated in
``[as_of - window_days, as_of]`` count (``window_days=None``: all dates up to ``as_of``);
undated rows (contacts, undated associations) always count, undecayed.

Everything is vectorised Polars (self-joins on the event, label, place and contact keys); no
Python loop touches a row. The graph is hand-assembled here because no graph library knows the
domain's evidence rules; community detection itself is igraph's Leiden (``groups.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

import polars as pl

from efh.intelligence.frames import DT, Snapshot

ROLE_WEIGHTS: dict[str, float] = {
    "suspect": 1.0,
    "victim": 1.0,
    "subject": 1.0,
    "associate": 0.8,
    "witness": 0.3,
}
ASSOCIATION_KIND_WEIGHTS: dict[str, float] = {
    "suspected_exploiter": 1.5,
    "partner": 1.2,
    "associate": 1.0,
    "friend": 1.0,
    "sibling": 0.6,
}
SOURCE_EVALUATION_WEIGHTS: dict[str, float] = {"1": 1.0, "2": 0.8, "3": 0.5}
INTELLIGENCE_EVALUATION_WEIGHTS: dict[str, float] = {
    "A": 1.0,
    "B": 0.85,
    "C": 0.7,
    "D": 0.5,
    "E": 0.1,
}
UNGRADED_SOURCE = 0.8  # as "2": untested source
UNGRADED_INTELLIGENCE = 0.7  # as "C": known indirectly, uncorroborated

EVIDENCE_SCHEMA: dict[str, pl.DataType] = {
    "a": pl.Int64(),
    "b": pl.Int64(),
    "kind": pl.String(),  # event, association, group, missing_with, missing_overlap, address, phone
    "ref": pl.String(),  # "event:12", "association:45", "group:police:X", "episode:9", "address"
    "detail": pl.String(),  # roles "suspect+victim" (a's first), association kind and grading, ...
    "at": DT,  # when (null for undated evidence)
    "weight": pl.Float64(),
}
EDGE_SCHEMA: dict[str, pl.DataType] = {"a": pl.Int64(), "b": pl.Int64(), "weight": pl.Float64()}


@dataclass(frozen=True)
class NetworkConfig:
    """Weights and limits of the association network and the analytics that read it."""

    # Time.
    half_life_days: float | None = 365.0
    window_days: int | None = None
    # Evidence weights.
    event_weight: float = 1.0
    max_event_participants: int = 30
    role_weights: dict[str, float] = field(default_factory=lambda: dict(ROLE_WEIGHTS))
    default_role_weight: float = 0.5
    association_weight: float = 1.0
    association_kind_weights: dict[str, float] = field(
        default_factory=lambda: dict(ASSOCIATION_KIND_WEIGHTS)
    )
    default_association_kind_weight: float = 0.5
    group_weight: float = 1.5
    max_label_members: int = 60
    missing_with_weight: float = 1.5
    missing_overlap_weight: float = 1.0
    found_within_hours: float = 3.0
    address_weight: float = 0.2
    phone_weight: float = 0.5
    max_contact_share: int = 8
    # Peer groups (groups.py).
    resolution: float = 1.5
    resolution_scaled: bool = True  # gamma = resolution * nodes / 1000 (see groups.py)
    leiden_engine: Literal["igraph", "leidenalg"] = "igraph"
    seed: int = 42
    leiden_iterations: int = 4  # (-1: until stable; measured 6x slower, same NMI)
    min_group_size: int = 3
    min_member_strength: float = 1.0
    min_member_neighbours: int = 2
    min_mean_strength: float = 2.0
    min_density: float = 0.4
    min_cohesion: float = 0.15
    split_rounds: int = 3
    max_group_size: int = 40
    reasons_per_group: int = 8
    # Adults (adults.py).
    adult_min_children: int = 2
    adult_min_link_weight: float = 1.0  # a direct link needs evidence worth >= 1
    adult_link_kinds: tuple[str, ...] = (
        "event",
        "association",
        "group",
        "missing_with",
        "missing_overlap",
        "phone",
    )
    # Co-missing (missing.py).
    together_minutes: float = 60.0
    co_missing_min_cluster: int = 2


@dataclass(frozen=True)
class Network:
    """``edges``: a < b, weight (sum of evidence). ``evidence``: one row per reason, see
    ``EVIDENCE_SCHEMA``. ``as_of``: the snapshot moment the recency weights are measured from."""

    edges: pl.DataFrame
    evidence: pl.DataFrame
    as_of: datetime


def _ordered(x: str, y: str) -> list[pl.Expr]:
    return [pl.min_horizontal(x, y).alias("a"), pl.max_horizontal(x, y).alias("b")]


def _map(col: str, table: dict[str, float], default: float) -> pl.Expr:
    return (
        pl.col(col)
        .replace_strict(list(table), list(table.values()), default=default, return_dtype=pl.Float64)
        .fill_null(default)
    )


def grading_weight(
    source: str = "source_evaluation", intel: str = "intelligence_evaluation"
) -> pl.Expr:
    """The 3x5 grading multiplier of an association row (see the module docstring's table)."""
    return _map(source, SOURCE_EVALUATION_WEIGHTS, UNGRADED_SOURCE) * _map(
        intel, INTELLIGENCE_EVALUATION_WEIGHTS, UNGRADED_INTELLIGENCE
    )


def _date_at(col: str) -> pl.Expr:
    return pl.col(col).cast(pl.Datetime("us")).cast(DT)


def _events(snapshot: Snapshot, config: NetworkConfig, lo: datetime | None) -> pl.LazyFrame:
    events = snapshot.events.lazy().select("event_id", at=pl.col("occurred_at"))
    events = events.filter(pl.col("at") <= snapshot.as_of)
    if lo is not None:
        events = events.filter(pl.col("at") >= lo)
    people = (
        snapshot.event_people.lazy()
        .select(
            "event_id",
            "person_id",
            "role",
            rw=_map("role", config.role_weights, config.default_role_weight),
        )
        .sort("rw", descending=True)
        .unique(["event_id", "person_id"], keep="first")
        .join(events, on="event_id", how="inner")
        .with_columns(n=pl.len().over("event_id"))
        .filter((pl.col("n") >= 2) & (pl.col("n") <= config.max_event_participants))
    )
    right = people.select("event_id", person_b="person_id", role_b="role", rw_b="rw")
    pairs = people.join(right, on="event_id").filter(pl.col("person_id") < pl.col("person_b"))
    return pairs.select(
        a=pl.col("person_id"),
        b=pl.col("person_b"),
        kind=pl.lit("event"),
        ref=pl.lit("event:") + pl.col("event_id").cast(pl.String),
        detail=pl.col("role") + pl.lit("+") + pl.col("role_b"),
        at=pl.col("at"),
        weight=config.event_weight * pl.col("rw") * pl.col("rw_b") / (pl.col("n") - 1),
    )


def _association_at() -> pl.Expr:
    return pl.coalesce(_date_at("last_seen"), _date_at("first_seen"))


def _associations(snapshot: Snapshot, config: NetworkConfig) -> pl.LazyFrame:
    rows = snapshot.associations.lazy().filter(
        pl.col("other_person_id").is_not_null() & (pl.col("person_id") != pl.col("other_person_id"))
    )
    return rows.select(
        *_ordered("person_id", "other_person_id"),
        kind=pl.lit("association"),
        ref=pl.lit("association:") + pl.col("association_id").cast(pl.String),
        detail=pl.col("kind")
        + pl.lit(" ")
        + pl.when(pl.col("source_evaluation") == "")
        .then(pl.lit("-"))
        .otherwise(pl.col("source_evaluation"))
        + pl.lit("/")
        + pl.when(pl.col("intelligence_evaluation") == "")
        .then(pl.lit("-"))
        .otherwise(pl.col("intelligence_evaluation")),
        at=_association_at(),
        weight=config.association_weight
        * _map("kind", config.association_kind_weights, config.default_association_kind_weight)
        * grading_weight(),
    )


def _groups(snapshot: Snapshot, config: NetworkConfig) -> pl.LazyFrame:
    members = (
        snapshot.associations.lazy()
        .filter(pl.col("group_label").is_not_null() & (pl.col("kind") == "member_of"))
        .select("group_label", "person_id", at=_association_at(), g=grading_weight())
        .sort("at", descending=True, nulls_last=True)
        .unique(["group_label", "person_id"], keep="first")
        .with_columns(n=pl.len().over("group_label"))
        .filter((pl.col("n") >= 2) & (pl.col("n") <= config.max_label_members))
    )
    right = members.select("group_label", person_b="person_id", at_b="at", g_b="g")
    pairs = members.join(right, on="group_label").filter(pl.col("person_id") < pl.col("person_b"))
    return pairs.select(
        a=pl.col("person_id"),
        b=pl.col("person_b"),
        kind=pl.lit("group"),
        ref=pl.lit("group:") + pl.col("group_label"),
        detail=pl.col("group_label"),
        at=pl.min_horizontal("at", "at_b"),
        weight=config.group_weight * pl.min_horizontal("g", "g_b") / (pl.col("n") - 1),
    )


def _missing_with(snapshot: Snapshot, config: NetworkConfig) -> pl.LazyFrame:
    rows = snapshot.missing_with.lazy().join(
        snapshot.missing.lazy().select(
            "episode_id", child="person_id", at=pl.col("went_missing_at")
        ),
        on="episode_id",
    )
    rows = rows.filter(pl.col("child") != pl.col("person_id"))
    return rows.select(
        *_ordered("child", "person_id"),
        kind=pl.lit("missing_with"),
        ref=pl.lit("episode:") + pl.col("episode_id").cast(pl.String),
        detail=pl.lit("recorded as missing together"),
        at=pl.col("at"),
        weight=pl.lit(config.missing_with_weight),
    )


def overlapping_episodes(snapshot: Snapshot, config: NetworkConfig) -> pl.LazyFrame:
    """Pairs of episodes of different people, overlapping in time, found at the same place with
    returns within ``found_within_hours``: episode_a, episode_b, person_a, person_b, at, place."""
    ep = (
        snapshot.missing.lazy()
        .filter(pl.col("found_place").is_not_null() & pl.col("returned_at").is_not_null())
        .select("episode_id", "person_id", "went_missing_at", "returned_at", "found_place")
    )
    right = ep.select(
        "found_place",
        episode_b="episode_id",
        person_b="person_id",
        went_b="went_missing_at",
        returned_b="returned_at",
    )
    hours = timedelta(hours=config.found_within_hours)
    return (
        ep.join(right, on="found_place")
        .filter(
            (pl.col("person_id") < pl.col("person_b"))
            & (pl.col("went_missing_at") <= pl.col("returned_b"))
            & (pl.col("went_b") <= pl.col("returned_at"))
            & ((pl.col("returned_at") - pl.col("returned_b")).abs() <= hours)
        )
        .select(
            episode_a="episode_id",
            episode_b="episode_b",
            person_a="person_id",
            person_b="person_b",
            at=pl.max_horizontal("went_missing_at", "went_b"),
            place=pl.col("found_place"),
        )
    )


def _missing_overlap(snapshot: Snapshot, config: NetworkConfig) -> pl.LazyFrame:
    return overlapping_episodes(snapshot, config).select(
        a=pl.col("person_a"),
        b=pl.col("person_b"),
        kind=pl.lit("missing_overlap"),
        ref=pl.lit("episode:")
        + pl.col("episode_a").cast(pl.String)
        + pl.lit("+")
        + pl.col("episode_b").cast(pl.String),
        detail=pl.lit("missing at the same time, found at ") + pl.col("place"),
        at=pl.col("at"),
        weight=pl.lit(config.missing_overlap_weight),
    )


def _contacts(snapshot: Snapshot, config: NetworkConfig) -> pl.LazyFrame:
    rows = (
        snapshot.contacts.lazy()
        .filter(pl.col("kind").is_in(["address", "phone"]) & (pl.col("value") != ""))
        .unique(["kind", "value", "person_id"])
        .with_columns(n=pl.len().over("kind", "value"))
        .filter((pl.col("n") >= 2) & (pl.col("n") <= config.max_contact_share))
    )
    right = rows.select("kind", "value", person_b="person_id")
    pairs = rows.join(right, on=["kind", "value"]).filter(pl.col("person_id") < pl.col("person_b"))
    return pairs.select(
        a=pl.col("person_id"),
        b=pl.col("person_b"),
        kind=pl.col("kind"),
        ref=pl.col("kind"),
        detail=pl.lit("shared ") + pl.col("kind"),
        at=pl.lit(None, dtype=DT),
        weight=pl.when(pl.col("kind") == "address")
        .then(pl.lit(config.address_weight))
        .otherwise(pl.lit(config.phone_weight)),
    )


def build_network(snapshot: Snapshot, config: NetworkConfig | None = None) -> Network:
    """The person network of ``snapshot`` under ``config`` (see the module docstring)."""
    config = config or NetworkConfig()
    as_of = snapshot.as_of
    lo = as_of - timedelta(days=config.window_days) if config.window_days is not None else None
    parts = [
        _events(snapshot, config, lo),
        _associations(snapshot, config),
        _groups(snapshot, config),
        _missing_with(snapshot, config),
        _missing_overlap(snapshot, config),
        _contacts(snapshot, config),
    ]
    frames = [p.select(pl.col(c).cast(t) for c, t in EVIDENCE_SCHEMA.items()) for p in parts]
    evidence = pl.concat(frames, how="vertical")
    dated = pl.col("at").is_not_null()
    keep = ~dated | (pl.col("at") <= as_of)
    if lo is not None:
        keep = keep & (~dated | (pl.col("at") >= lo))
    evidence = evidence.filter(keep)
    if config.half_life_days is not None:
        age_days = (pl.lit(as_of, dtype=DT) - pl.col("at")).dt.total_seconds() / 86400.0
        decay = pl.lit(0.5).pow(age_days / config.half_life_days)
        evidence = evidence.with_columns(
            weight=pl.when(dated).then(pl.col("weight") * decay).otherwise(pl.col("weight"))
        )
    evidence = evidence.filter(pl.col("weight") > 0)
    evidence_df = evidence.collect()
    edges_df = evidence_df.group_by("a", "b").agg(pl.col("weight").sum()).sort("a", "b")
    return Network(
        edges=edges_df.select(pl.col(c).cast(t) for c, t in EDGE_SCHEMA.items()),
        evidence=evidence_df,
        as_of=as_of,
    )
