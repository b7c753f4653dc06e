"""``efh refresh``: a snapshot of the database, through the pure analytics, and back.

1. refuse if another refresh is running (one writer of the picture at a time);
2. read the snapshot (``insight.snapshot``: linked persons, events, associations, missing
   episodes, contacts, places);
3. run the analytics (:mod:`efh.intelligence`): the association network, peer groups (Leiden),
   adults linked to many children, children missing together, hotspots (Gi*), trends;
4. write everything in ONE transaction: candidates keep their codes across refreshes (each new
   group takes the code of the previous group it best overlaps), hotspots and trend tables
   belong to the run, and the run records what it read and derived.

Everything before step 4 only reads, so a failure or a killed process leaves the previous
picture exactly as it was. Progress goes to the terminal and to the ``RefreshRun`` row.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from efh.core.jobs import Laps, Progress, RunTracker, still_running
from efh.core.models import AccessAction, ObjectType
from efh.core.services import access_log_record
from efh.insight.models import (
    CODE_PREFIX,
    Candidate,
    CandidateKind,
    CandidateMember,
    Hotspot,
    MemberRole,
    RefreshRun,
    RefreshStatus,
    TrendTable,
)
from efh.insight.snapshot import harm_names, read_snapshot
from efh.intelligence import hotspots as hotspot_core
from efh.intelligence import network, trends
from efh.intelligence.frames import Snapshot

# A refresh whose heartbeat stopped this long ago is dead.
HEARTBEAT_TIMEOUT = timedelta(minutes=5)
# A group's network view shows at most this many of its strongest edges.
MAX_EDGES = 400
# ... and at most this many pieces of evidence between an adult and the children.
MAX_EVIDENCE = 200


class RefreshRefused(Exception):
    """The refresh could not start or could not finish; the picture was not changed."""


@dataclass
class RefreshOutcome:
    run: RefreshRun
    figures: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RefreshConfig:
    network: network.NetworkConfig = field(default_factory=network.NetworkConfig)
    hotspots: hotspot_core.HotspotConfig = field(default_factory=hotspot_core.HotspotConfig)
    trends: trends.TrendConfig = field(default_factory=trends.TrendConfig)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    return value


def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready rows (dates as ISO text)."""
    return [_jsonable(r) for r in frame.iter_rows(named=True)]


def _running() -> RefreshRun | None:
    """A refresh still going, if any; a dead one is marked interrupted on the way."""
    return still_running(
        RefreshRun.objects.filter(status=RefreshStatus.RUNNING),
        timeout=HEARTBEAT_TIMEOUT,
        interrupted=RefreshStatus.INTERRUPTED,
    )


def refresh_run(
    *,
    started_by: str,
    config: RefreshConfig | None = None,
    as_of: datetime | None = None,
    progress: Progress | None = None,
) -> RefreshOutcome:
    """Refresh the intelligence picture; see the module docstring. Raises RefreshRefused."""
    config = config or RefreshConfig()
    running = _running()
    if running is not None:
        raise RefreshRefused(
            f"Refresh {running.pk} is still running (started {running.started_at:%H:%M}); "
            "wait for it to finish."
        )
    now = timezone.now()
    run = RefreshRun.objects.create(
        started_by=started_by[:150],
        started_at=now,
        heartbeat_at=now,
        host=socket.gethostname(),
        pid=os.getpid(),
        parameters=_jsonable(asdict(config)),
    )
    track = RunTracker(run, progress)
    try:
        return _refresh(run, track, config, as_of)
    except Exception as exc:
        message = str(exc) if isinstance(exc, RefreshRefused) else repr(exc)
        track.fail(RefreshStatus.FAILED, message)
        raise


def latest_record(snap: Snapshot) -> str | None:
    """When the latest event or missing episode in the snapshot happened (ISO), at or before
    ``as_of``: how far the data go, which the trend charts show (a month after it has no
    records yet; the month it falls in is incomplete unless it is the month's last day)."""
    found = [
        frame.filter(pl.col(column) <= snap.as_of)[column].max()
        for frame, column in ((snap.events, "occurred_at"), (snap.missing, "went_missing_at"))
        if column in frame.columns and frame.height
    ]
    times = [t for t in found if isinstance(t, datetime)]
    return max(times).isoformat() if times else None


def _refresh(
    run: RefreshRun, track: RunTracker, config: RefreshConfig, as_of: datetime | None
) -> RefreshOutcome:
    lap = Laps()
    seconds = lap.seconds

    track("reading the snapshot")
    snap = read_snapshot(as_of)
    lap("read")
    children = int(snap.persons["is_child"].sum())
    inputs: dict[str, Any] = {
        "as_of": snap.as_of.isoformat(),
        "latest_record": latest_record(snap),
        "persons": snap.persons.height,
        "children": children,
        "events": snap.events.height,
        "event_people": snap.event_people.height,
        "associations": snap.associations.height,
        "missing_episodes": snap.missing.height,
        "contacts": snap.contacts.height,
    }
    if snap.persons.is_empty():
        raise RefreshRefused("There is nothing to analyse: import a delivery first.")

    track("building the association network")
    net = network.build_network(snap, config.network)
    lap("network")
    track("finding peer groups (Leiden)")
    groups = network.peer_groups(net, snap, config.network)
    lap("peer_groups")
    track("adults linked to several children")
    adults = network.adults_linked(net, snap, groups.membership, config.network)
    lap("adults")
    track("children missing together")
    missing = network.co_missing(snap, config.network)
    lap("co_missing")
    track("hotspots (Getis-Ord Gi*)")
    labels = {**harm_names(), **config.hotspots.harm_labels}
    spots = hotspot_core.hotspots(snap, replace(config.hotspots, harm_labels=labels))
    lap("hotspots")
    track("trends")
    trend = trends.trends(snap, config.trends)
    lap("trends")

    track("writing the picture")
    with transaction.atomic():
        figures = _write(run, snap, net, groups, adults, missing, spots, trend, labels)
        lap("write")
        figures["seconds"] = seconds
        RefreshRun.objects.filter(pk=run.pk).update(
            status=RefreshStatus.SUCCEEDED,
            finished_at=timezone.now(),
            as_of=snap.as_of.replace(tzinfo=UTC),
            inputs=inputs,
            figures=figures,
            stage="finished",
        )
        access_log_record(
            actor=None,
            action=AccessAction.UPDATE,
            object_type=ObjectType.INTELLIGENCE_REFRESH,
            object_id=run.pk,
            detail={k: v for k, v in figures.items() if k != "seconds"},
        )
    run.refresh_from_db()
    return RefreshOutcome(run=run, figures=figures, seconds=seconds)


# --- writing ---------------------------------------------------------------------------------


def _next_numbers(kind: str) -> int:
    prefix = CODE_PREFIX[CandidateKind(kind)]
    last = 0
    for code in Candidate.objects.filter(kind=kind).values_list("code", flat=True):
        tail = code.removeprefix(prefix + "-")
        if tail.isdigit():
            last = max(last, int(tail))
    return last + 1


def _previous(kind: str) -> pl.DataFrame:
    """The latest membership of each current candidate of a kind: person_id, code."""
    found = CandidateMember.objects.filter(
        candidate__kind=kind, candidate__current=True
    ).values_list("person_id", "candidate__code")
    return pl.DataFrame(
        list(found), schema={"person_id": pl.Int64, "code": pl.String}, orient="row"
    )


def _upsert(
    run: RefreshRun,
    kind: CandidateKind,
    found: list[tuple[str | None, dict[str, Any], list[tuple[int, str]]]],
    adults: bool = False,
) -> int:
    """Write one kind of candidate in bulk: ``found`` is (code to keep or None for a new one,
    summary, members as (person id, role)), in rank order. Matched candidates are updated in
    place (their reviews stay), new ones get the next codes, and current ones not found stop
    being current. Members are replaced for the candidates found; the others keep their last."""
    prefix = CODE_PREFIX[kind]
    number = _next_numbers(kind)
    codes = [code for code, _, _ in found if code]
    existing = {c.code: c for c in Candidate.objects.filter(kind=kind, code__in=codes)}
    update: list[Candidate] = []
    create: list[Candidate] = []
    placed: list[tuple[Candidate, list[tuple[int, str]]]] = []
    for rank, (code, summary, members) in enumerate(found, start=1):
        candidate = existing.get(code) if code else None
        if candidate is None:
            candidate = Candidate(kind=kind, code=f"{prefix}-{number:04d}", first_run=run)
            number += 1
            create.append(candidate)
        else:
            update.append(candidate)
        candidate.current = True
        candidate.last_run = run
        candidate.rank = rank
        candidate.size = int(summary.get("size") or len(members))
        candidate.summary = summary
        if adults:
            candidate.person_id = int(summary["person_id"])
        placed.append((candidate, members))
    Candidate.objects.bulk_update(
        update, ["current", "last_run", "rank", "size", "summary"], batch_size=500
    )
    Candidate.objects.bulk_create(create, batch_size=500)
    kept = [c.pk for c in update] + [c.pk for c in create]
    CandidateMember.objects.filter(candidate_id__in=kept).delete()
    CandidateMember.objects.bulk_create(
        [
            CandidateMember(candidate=c, person_id=p, role=role)
            for c, members in placed
            for p, role in members
        ],
        batch_size=2000,
    )
    Candidate.objects.filter(kind=kind, current=True).exclude(pk__in=kept).update(current=False)
    return len(kept)


def _month_labels(as_of: datetime, n: int) -> list[str]:
    """The ``n`` calendar months up to and including ``as_of``'s, oldest first ("2026-01")."""
    year, month = as_of.year, as_of.month
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


EVIDENCE_WORDS = {
    "event": ("event together", "events together"),
    "association": ("recorded association", "recorded associations"),
    "group": ("shared group name in agency records", "shared group names in agency records"),
    "missing_with": ("missing episode together", "missing episodes together"),
    "missing_overlap": (
        "missing episode at the same time, found at the same place",
        "missing episodes at the same time, found at the same place",
    ),
    "address": ("shared address", "shared addresses"),
    "phone": ("shared phone number", "shared phone numbers"),
}


def _plural(n: int, words: tuple[str, str]) -> str:
    return f"{n:,} {words[0] if n == 1 else words[1]}"


def _day(value: Any) -> str:
    """A date, datetime or ISO text as "3 March 2026" ("" if none)."""
    if isinstance(value, str) and value:
        value = date.fromisoformat(value[:10])
    return f"{value:%-d %B %Y}" if isinstance(value, datetime | date) else ""


def _inside(frame: pl.DataFrame, membership: pl.DataFrame, col: str) -> pl.DataFrame:
    """Rows of an a/b frame whose two people are in the same group (``col``) of membership."""
    m = membership.select("person_id", pl.col(col).alias("_g"))
    return (
        frame.join(m, left_on="a", right_on="person_id")
        .join(m.rename({"_g": "_g2"}), left_on="b", right_on="person_id")
        .filter(pl.col("_g") == pl.col("_g2"))
        .drop("_g2")
        .rename({"_g": col})
    )


def _edge_kinds(edges: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """Per linked pair (a, b) of ``edges``: ``kind``, the kind of evidence that weighs most
    between them (event, association, missing, address, ...), for the network view's lines."""
    pairs = edges.select("a", "b").unique()
    return (
        evidence.join(pairs, on=["a", "b"], how="semi")
        .group_by("a", "b", "kind")
        .agg(pl.col("weight").sum().alias("_w"))
        .sort(["_w", "kind"], descending=[True, False])
        .group_by("a", "b", maintain_order=True)
        .agg(pl.col("kind").first())
    )


def _with_kinds(edges: pl.DataFrame, evidence: pl.DataFrame) -> pl.DataFrame:
    """The strongest ``MAX_EDGES`` edges with each one's main kind of evidence."""
    top = edges.sort("weight", descending=True).head(MAX_EDGES)
    return top.join(_edge_kinds(top, evidence), on=["a", "b"], how="left", maintain_order="left")


def peer_group_summaries(
    snap: Snapshot,
    net: network.Network,
    groups: network.PeerGroups,
    harm_labels: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Each peer group as the pages and the child's record read it: members, places, harm
    types, trend, plain-word reasons, the strongest evidence and the edges among members."""
    if groups.groups.is_empty():
        return []
    edges = _inside(net.edges, groups.membership, "group")
    edges = edges.join(_edge_kinds(edges, net.evidence), on=["a", "b"], how="left")
    kinds = (
        _inside(net.evidence.select("a", "b", "kind", "ref"), groups.membership, "group")
        .group_by("group", "kind")
        .agg(pl.col("ref").n_unique().alias("n"))
    )
    kind_counts: dict[int, list[tuple[str, int]]] = {}
    for g, kind, n in kinds.sort("n", descending=True).iter_rows():
        kind_counts.setdefault(g, []).append((kind, n))
    edge_rows: dict[int, list[dict[str, Any]]] = {}
    for g, frame in edges.sort("weight", descending=True).group_by("group", maintain_order=True):
        edge_rows[int(g[0])] = rows(frame.head(MAX_EDGES).select("a", "b", "weight", "kind"))  # type: ignore[arg-type]
    months = _month_labels(snap.as_of, 12)
    out = []
    for row in rows(groups.groups.sort("size", descending=True)):
        g = int(row["group"])
        evidence_words = ", ".join(
            _plural(n, EVIDENCE_WORDS.get(kind, (kind, kind))) for kind, n in kind_counts.get(g, [])
        )
        reasons = [
            f"{row['size']} children linked to each other by {evidence_words}"
            if evidence_words
            else f"{row['size']} children linked to each other",
            f"{row['joint_events']:,} events with two or more of them together, "
            f"{_day(row['first_seen'])} to {_day(row['last_seen'])}",
            f"{row['cohesion']:.0%} of the link weight its members carry is inside the group",
        ]
        places = [p["name"] for p in (row["places"] or [])[:3] if p.get("name")]
        if places:
            reasons.append("seen most at " + ", ".join(places))
        harms = [
            hotspot_core.harm_label(harm_labels, h["harm_type"]) for h in row["harm_types"][:3]
        ]
        if harms:
            reasons.append("events recorded as " + ", ".join(harms))
        out.append(
            {
                "group": g,
                "members": row["members"],
                "size": row["size"],
                "places": row["places"],
                "harm_types": row["harm_types"],
                "trend": {
                    "months": [
                        {"month": m, "events": e}
                        for m, e in zip(months, row["trend"] or [], strict=False)
                    ],
                    "word": row["trend_word"],
                    "rule": network.TREND_RULE,
                },
                "reasons": reasons,
                "rule": network.TIGHTNESS_RULE,
                "evidence": row["reasons"],
                "edges": edge_rows.get(g, []),
                "first_seen": row["first_seen"],
                "last_seen": row["last_seen"],
                "label": "peer group",
            }
        )
    return out


def co_missing_summaries(missing: network.CoMissing) -> list[dict[str, Any]]:
    """Each cluster of children missing together, with its pairs as edges and evidence (the
    core's reasons name person ids, which the pages show as pseudonyms: they are rebuilt here
    in words without them)."""
    if missing.clusters.is_empty():
        return []
    pairs = missing.pairs.rename({"child_a": "a", "child_b": "b"})
    inside = _inside(pairs, missing.membership, "cluster")
    by_cluster: dict[int, pl.DataFrame] = {
        int(k[0]): f  # type: ignore[arg-type]
        for k, f in inside.group_by("cluster", maintain_order=True)
    }
    out = []
    for row in rows(missing.clusters.sort("size", descending=True)):
        c = int(row["cluster"])
        frame = by_cluster.get(c, pairs.clear())
        recorded = frame.filter(pl.col("how").list.contains("missing_with")).height
        together = frame.height - recorded
        reasons = [
            f"{row['size']} children; {frame.height} pairs of them went missing together "
            f"in {len(row['episodes']):,} episodes, {_day(row['first'])} to {_day(row['last'])}"
        ]
        if recorded:
            reasons.append(f"{recorded} pairs recorded on an episode as missing with each other")
        if together:
            reasons.append(f"{together} pairs missing at the same time and found at the same place")
        found = [p["name"] for p in (row["found_at"] or [])[:3] if p.get("name")]
        if found:
            reasons.append("found most often at " + ", ".join(found))
        out.append(
            {
                "group": c,
                "members": row["members"],
                "size": row["size"],
                "episodes": row["episodes"],
                "places": [
                    {"place": p["place"], "name": p["name"], "events": p["episodes"]}
                    for p in row["found_at"] or []
                ],
                "missing_from": row["missing_from"],
                "reasons": reasons,
                "evidence": [
                    {
                        "a": r["a"],
                        "b": r["b"],
                        "kind": "missing_with"
                        if "missing_with" in (r["how"] or [])
                        else "missing_overlap",
                        "ref": f"episodes:{len(r['episodes'] or [])}",
                        "at": r["last"],
                        "weight": float(len(r["episodes"] or [])),
                    }
                    for r in rows(frame.head(MAX_EDGES))
                ],
                "edges": [
                    {"a": r["a"], "b": r["b"], "weight": float(len(r["episodes"] or []))}
                    for r in rows(frame.head(MAX_EDGES))
                ],
                "first_seen": row["first"],
                "last_seen": row["last"],
                "label": "co-missing",
            }
        )
    return out


def _write(
    run: RefreshRun,
    snap: Snapshot,
    net: Any,
    groups: Any,
    adults: pl.DataFrame,
    missing: Any,
    spots: pl.DataFrame,
    trend: Any,
    harm_labels: Mapping[str, str],
) -> dict[str, Any]:
    edges = net.edges
    # Peer groups.
    matched = network.match_groups(_previous(CandidateKind.PEER_GROUP), groups.membership)
    codes = dict(zip(matched["group"].to_list(), matched["code"].to_list(), strict=True))
    pg = _upsert(
        run,
        CandidateKind.PEER_GROUP,
        [
            (codes.get(x["group"]), x, [(p, MemberRole.MEMBER) for p in x["members"]])
            for x in peer_group_summaries(snap, net, groups, harm_labels)
        ],
    )
    # Children missing together.
    matched = network.match_groups(
        _previous(CandidateKind.CO_MISSING),
        missing.membership.rename({"cluster": "group"}),
    )
    codes = dict(zip(matched["group"].to_list(), matched["code"].to_list(), strict=True))
    cm = _upsert(
        run,
        CandidateKind.CO_MISSING,
        [
            (codes.get(x["group"]), x, [(p, MemberRole.MEMBER) for p in x["members"]])
            for x in co_missing_summaries(missing)
        ],
    )
    # Adults: one candidate per adult, for as long as any refresh derives them.
    ad = _save_adults(run, adults, net)
    # Hotspots and trends belong to the run.
    Hotspot.objects.bulk_create(
        [
            Hotspot(
                run=run,
                number=int(r["hotspot"]),
                harm_type=r["harm_type"],
                status=r["status"],
                start=r["start"],
                end=r["end"],
                window_start=r["window_start"],
                window_end=r["window_end"],
                latitude=r["latitude"],
                longitude=r["longitude"],
                radius_m=int(r["radius_m"]),
                cells=list(r["cells"]),
                score=float(r["score"]),
                p_value=float(r["p_value"]),
                events=int(r["events"]),
                event_ids=list(r["event_ids"] or []),
                episode_ids=list(r["episode_ids"] or []),
                place_name=r.get("place_name") or "",
                ward=r.get("ward") or "",
                reasons=list(r["reasons"] or []),
            )
            for r in spots.iter_rows(named=True)
        ]
    )
    tables = dict(trend.tables())
    TrendTable.objects.bulk_create(
        [TrendTable(run=run, name=name, rows=rows(frame)) for name, frame in tables.items()]
    )
    return {
        "peer_groups": pg,
        "co_missing": cm,
        "adults": ad,
        "hotspots": spots.height,
        "edges": edges.height,
        "trend_tables": len(tables),
    }


def _save_adults(run: RefreshRun, adults: pl.DataFrame, net: network.Network) -> int:
    """One candidate per adult, keeping its code for as long as any refresh derives them."""
    codes = dict(
        Candidate.objects.filter(kind=CandidateKind.ADULT).values_list("person_id", "code")
    )
    found: list[tuple[str | None, dict[str, Any], list[tuple[int, str]]]] = []
    for row in rows(adults.sort("order")):
        person = int(row["person_id"])
        direct = [int(p) for p in row.get("children") or []]
        near = [person, *direct]
        inside = pl.col("a").is_in(near) & pl.col("b").is_in(near)
        touching = (pl.col("a") == person) | (pl.col("b") == person)
        summary = {
            "person_id": person,
            "order": row["order"],
            "direct_children": row["direct_children"],
            "indirect_children": row["indirect_children"],
            "children_linked": row["children_linked"],
            "direct_groups": row["direct_groups"],
            "groups_reached": row["groups_reached"],
            "size": row["children_linked"],
            "reasons": row["reasons"],
            "refs": row["refs"],
            "direct_ids": direct,
            "indirect_ids": [],
            "rule": network.ORDERING_RULE,
            "edges": rows(_with_kinds(net.edges.filter(inside), net.evidence.filter(inside))),
            "evidence": rows(
                net.evidence.filter(inside & touching)
                .sort("weight", descending=True)
                .head(MAX_EVIDENCE)
            ),
            "label": "adult",
        }
        found.append((codes.get(person), summary, [(p, MemberRole.DIRECT) for p in direct]))
    return _upsert(run, CandidateKind.ADULT, found, adults=True)
