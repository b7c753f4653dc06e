"""Peer groups: Leiden communities of the child-child network, kept when tight, and summarised.

Peer groups are groups of CHILDREN: adults are left out of the graph here and handled by
``adults.py`` (so that victims and people posing risk never share one list).

1. **Communities**: the Leiden algorithm (Traag, van Eck & Waltman 2019) with the modularity
   objective in its Reichardt-Bornholdt configuration-model form (``RBConfiguration``:
   ``Q = sum_c [w_in(c) - gamma * K_c^2 / 2m]``), fixed seed. Modularity with ``gamma = 1`` has a
   resolution limit (Fortunato & Barthelemy 2007): in a borough-sized network two small groups
   joined by a single shared event are merged, because the expected weight between them
   ``K_1 K_2 / 2m`` shrinks as the network grows. So ``gamma`` scales with the number of
   children in the graph: ``gamma = resolution * nodes / 1000`` (``NetworkConfig.resolution``,
   default 1.5, chosen on the synthetic boroughs; its accuracy against plain modularity is in
   ``docs/benchmarks.md``), which keeps the
   threshold at which two groups merge the same at every borough size. Set
   ``resolution_scaled=False`` to pass ``resolution`` to Leiden unchanged.

   Engine: igraph's built-in C implementation of Leiden (``Graph.community_leiden``, modularity
   objective with the same RB resolution and node weights = strengths) is the default, because
   it is several times faster than leidenalg's ``RBConfigurationVertexPartition`` on a
   borough-sized graph for the same NMI (the figures are in ``docs/benchmarks.md``). ``engine=
   "leidenalg"`` runs leidenalg (``RBConfigurationVertexPartition``, same seed and resolution)
   for those who want the reference implementation.

2. **Tight enough** (the rule, ``TIGHTNESS_RULE``): inside each community, children are pruned
   repeatedly until every one left has (a) at least ``min_member_neighbours`` (2) other members
   it is directly linked to and (b) links to them summing to at least ``min_member_strength``
   (1.0: about two recent shared events, or one event and one recorded association).
   Communities still larger than ``max_group_size`` (40) or with fewer than ``min_density``
   (40%) of their possible member-member links are split again with Leiden (plain modularity on
   their own links) and pruned, up to ``split_rounds`` (3) times. What is left is a peer group
   when it has at least ``min_group_size`` (3) children, at least 40% of possible links present,
   a mean member strength inside the group (``2 w_in / size``) of at least ``min_mean_strength``
   (2.0), and a cohesion (``2 w_in / sum of the members' whole strengths``) of at least
   ``min_cohesion`` (0.15: about a seventh of the members' link weight points inside; lower
   than one half because children in planted groups also turn up in much else). Measured on the
   synthetic boroughs these rules keep the planted groups (NMI 0.98-0.99) while dropping the
   loose friend-of-a-friend clusters that modularity alone reports.

3. **Summaries** (all vectorised Polars): the group's *joint events* are events in which at
   least two of its members took part; ``places`` and ``harm_types`` count joint events, most
   first; ``trend`` counts joint events per calendar month over the 12 months ending with the
   month of ``as_of`` (oldest first), and ``trend_word`` is "rising" when the last three complete
   months (the month of ``as_of`` counts only on its last day) have at least ``TREND_MIN_CHANGE`` (3) more joint events than the three before and at least
   1.5 times as many, "falling" in the mirror case, otherwise "steady"; ``reasons`` are the
   strongest pieces of evidence between members (one row per ref); ``first_seen`` and
   ``last_seen`` are the earliest and latest dated evidence between members.

4. **Stable ids**: ``match_groups`` gives each new group the code of the previous group it
   overlaps best (Jaccard >= 0.5, one-to-one, best overlaps first). Hand-written: it is a small
   greedy assignment over the handful of overlapping pairs, not a library problem.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Literal

import igraph as ig
import numpy as np
import numpy.typing as npt
import polars as pl

from efh.intelligence.frames import DT, Snapshot
from efh.intelligence.network.build import Network, NetworkConfig

TREND_MIN_CHANGE = 3
TREND_RATIO = 1.5
TREND_RULE = (
    "Joint events (two or more members together) per month over the last 12 months. Rising: "
    f"the last three months have at least {TREND_MIN_CHANGE} more joint events than the three "
    f"months before and at least {TREND_RATIO} times as many; falling: the mirror; otherwise "
    "steady."
)
TIGHTNESS_RULE = (
    "Members are pruned until each is directly linked to at least 2 other members with links "
    "summing to at least 1.0 (about two recent shared events, or one event and one recorded "
    "association). A group is kept when it has at least 3 children, at least 40% of the "
    "possible links between members are present, members average a link weight of at least 2.0 "
    "inside the group, and at least 15% of the link weight its members carry points inside it."
)

Engine = Literal["igraph", "leidenalg"]


@dataclass(frozen=True)
class PeerGroups:
    """``membership``: person_id, group. ``groups``: one row per group (see ``GROUP_COLUMNS``)."""

    membership: pl.DataFrame
    groups: pl.DataFrame


GROUP_COLUMNS = (
    "group",
    "size",
    "members",
    "cohesion",
    "internal_weight",
    "joint_events",
    "places",
    "harm_types",
    "trend",
    "trend_word",
    "reasons",
    "first_seen",
    "last_seen",
)


def _index(edges: pl.DataFrame) -> tuple[pl.Series, npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    ids = pl.concat([edges["a"], edges["b"]]).unique().sort()
    return (
        ids,
        ids.search_sorted(edges["a"]).to_numpy().astype(np.int64),
        ids.search_sorted(edges["b"]).to_numpy().astype(np.int64),
    )


def graph_of(edges: pl.DataFrame) -> tuple[ig.Graph, pl.Series]:
    """An undirected igraph graph of an (a, b, weight) frame, and the person id of each vertex."""
    ids, ai, bi = _index(edges)
    g = ig.Graph(n=len(ids), edges=np.column_stack([ai, bi]), directed=False)
    g.es["weight"] = edges["weight"].to_numpy()
    return g, ids


def leiden(
    graph: ig.Graph,
    *,
    resolution: float = 1.0,
    seed: int = 42,
    iterations: int = -1,
    engine: Engine = "igraph",
) -> npt.NDArray[np.int64]:
    """Leiden communities maximising RB-configuration modularity at ``resolution`` (weights from
    the ``weight`` edge attribute): one community number per vertex. Deterministic for a seed."""
    if graph.vcount() == 0:
        return np.zeros(0, dtype=np.int64)
    if engine == "leidenalg":
        import leidenalg

        part = leidenalg.find_partition(
            graph,
            leidenalg.RBConfigurationVertexPartition,
            weights="weight",
            resolution_parameter=resolution,
            n_iterations=iterations,
            seed=seed,
        )
        return np.asarray(part.membership, dtype=np.int64)
    ig.set_random_number_generator(random.Random(seed))  # noqa: S311 (not cryptographic)
    try:
        part = graph.community_leiden(
            objective_function="modularity",
            weights="weight",
            resolution=resolution,
            n_iterations=iterations,
        )
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(part.membership, dtype=np.int64)


def communities(edges: pl.DataFrame, config: NetworkConfig) -> pl.DataFrame:
    """Leiden communities of an (a, b, weight) network: person_id, community."""
    if edges.height == 0:
        return pl.DataFrame(schema={"person_id": pl.Int64(), "community": pl.Int64()})
    g, ids = graph_of(edges)
    gamma = config.resolution * g.vcount() / 1000 if config.resolution_scaled else config.resolution
    labels = leiden(
        g,
        resolution=max(gamma, 1e-9),
        seed=config.seed,
        iterations=config.leiden_iterations,
        engine=config.leiden_engine,
    )
    return pl.DataFrame({"person_id": ids, "community": pl.Series(labels, dtype=pl.Int64)})


def child_edges(network: Network, snapshot: Snapshot) -> pl.DataFrame:
    """The child-child part of the network's edges."""
    kids = snapshot.persons.filter(pl.col("is_child")).select("person_id")
    return network.edges.join(kids, left_on="a", right_on="person_id", how="semi").join(
        kids, left_on="b", right_on="person_id", how="semi"
    )


def _internal(edges: pl.DataFrame, label: pl.DataFrame, col: str) -> pl.DataFrame:
    """Edges whose two ends have the same ``col`` in ``label`` (person_id, col): a, b, weight,
    col."""
    return (
        edges.join(label, left_on="a", right_on="person_id")
        .join(label.rename({col: f"{col}_b"}), left_on="b", right_on="person_id")
        .filter(pl.col(col) == pl.col(f"{col}_b"))
        .drop(f"{col}_b")
    )


def _strengths(edges: pl.DataFrame) -> pl.DataFrame:
    """person_id, strength (sum of weights), neighbours."""
    both = pl.concat(
        [
            edges.select(person_id="a", weight="weight"),
            edges.select(person_id="b", weight="weight"),
        ]
    )
    return both.group_by("person_id").agg(strength=pl.col("weight").sum(), neighbours=pl.len())


def _prune(edges: pl.DataFrame, label: pl.DataFrame, config: NetworkConfig) -> pl.DataFrame:
    """Drop members until each has enough neighbours and weight inside its community."""
    for _ in range(50):
        inner = _internal(edges, label, "community")
        s = _strengths(inner)
        keep = label.join(s, on="person_id", how="left").filter(
            (pl.col("neighbours").fill_null(0) >= config.min_member_neighbours)
            & (pl.col("strength").fill_null(0.0) >= config.min_member_strength)
        )
        keep = keep.select("person_id", "community")
        if keep.height == label.height:
            return keep
        label = keep
    return label


def _stats(child: pl.DataFrame, label: pl.DataFrame) -> pl.DataFrame:
    """Per community: size, internal_weight, internal edges, density, mean internal strength,
    cohesion (``2 w_in / sum of member strengths``)."""
    inner = _internal(child, label, "community")
    win = inner.group_by("community").agg(internal_weight=pl.col("weight").sum(), links=pl.len())
    total = (
        label.join(_strengths(child), on="person_id", how="left")
        .group_by("community")
        .agg(size=pl.len(), strength=pl.col("strength").sum())
    )
    return (
        total.join(win, on="community", how="left")
        .with_columns(
            pl.col("internal_weight").fill_null(0.0),
            pl.col("links").fill_null(0),
        )
        .with_columns(
            density=pl.col("links") / (pl.col("size") * (pl.col("size") - 1) / 2).clip(1),
            mean_strength=2 * pl.col("internal_weight") / pl.col("size"),
            cohesion=2 * pl.col("internal_weight") / pl.col("strength"),
        )
    )


def _split(
    child: pl.DataFrame, label: pl.DataFrame, which: pl.Series, config: NetworkConfig
) -> pl.DataFrame:
    """Re-run Leiden (plain modularity, resolution 1) inside each community in ``which``, on its
    own internal links; other communities are unchanged."""
    inner = _internal(child, label.filter(pl.col("community").is_in(which.implode())), "community")
    top = int(label.select(pl.col("community").max()).item() or 0) + 1
    parts = []
    plain = replace(config, resolution=1.0, resolution_scaled=False)
    for piece in inner.partition_by("community", maintain_order=True):
        sub = communities(piece.select("a", "b", "weight"), plain)
        parts.append(sub.with_columns(community=pl.col("community") + top))
        top += int(sub.select(pl.col("community").max()).item() or 0) + 1
    kept = label.filter(~pl.col("community").is_in(which.implode()))
    return pl.concat([kept, *parts]) if parts else kept


def _partition(child: pl.DataFrame, config: NetworkConfig) -> pl.DataFrame:
    """person_id, community, cohesion, internal_weight for children in tight enough
    communities (before numbering)."""
    label = _prune(child, communities(child, config), config)
    for _ in range(config.split_rounds):
        st = _stats(child, label)
        loose = st.filter(
            (pl.col("size") > config.max_group_size)
            | ((pl.col("density") < config.min_density) & (pl.col("size") > config.min_group_size))
        )["community"]
        if loose.len() == 0:
            break
        label = _prune(child, _split(child, label, loose, config), config)
    ok = _stats(child, label).filter(
        (pl.col("size") >= config.min_group_size)
        & (pl.col("size") <= config.max_group_size)
        & (pl.col("density") >= config.min_density)
        & (pl.col("mean_strength") >= config.min_mean_strength)
        & (pl.col("cohesion") >= config.min_cohesion)
    )
    return label.join(ok.select("community", "cohesion", "internal_weight"), on="community")


def _month_index(col: str) -> pl.Expr:
    return pl.col(col).dt.year().cast(pl.Int64) * 12 + pl.col(col).dt.month().cast(pl.Int64) - 1


def _summaries(
    membership: pl.DataFrame, network: Network, snapshot: Snapshot, config: NetworkConfig
) -> pl.DataFrame:
    as_of = snapshot.as_of
    joint = (
        snapshot.event_people.lazy()
        .select("event_id", "person_id")
        .unique()
        .join(membership.lazy(), on="person_id")
        .group_by("group", "event_id")
        .agg(n=pl.len())
        .filter(pl.col("n") >= 2)
        .join(
            snapshot.events.lazy().select("event_id", "occurred_at", "place", "harm_types"),
            on="event_id",
        )
        .filter(pl.col("occurred_at") <= as_of)
    )
    if config.window_days is not None:
        joint = joint.filter(pl.col("occurred_at") >= as_of - timedelta(days=config.window_days))
    names = snapshot.places.lazy().select("place", "name").unique("place")
    places = (
        joint.drop_nulls("place")
        .group_by("group", "place")
        .agg(events=pl.len())
        .join(names, on="place", how="left")
        .sort(["group", "events", "place"], descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .agg(places=pl.struct("place", pl.col("name").fill_null(""), "events"))
    )
    harms = (
        joint.select("group", "event_id", "harm_types")
        .explode("harm_types")
        .drop_nulls("harm_types")
        .group_by("group", "harm_types")
        .agg(events=pl.len())
        .sort(["group", "events", "harm_types"], descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .agg(harm_types=pl.struct(harm_type="harm_types", events="events"))
    )
    last = as_of.year * 12 + as_of.month - 1
    # The month of as_of is complete only on its last day: until then the word compares the
    # three complete months before it with the three before those, so a part-month is no fall.
    month_complete = (as_of + timedelta(days=1)).month != as_of.month
    recent_start = 9 if month_complete else 8
    monthly = (
        joint.with_columns(m=_month_index("occurred_at"))
        .filter(pl.col("m") > last - 12)
        .group_by("group", "m")
        .agg(n=pl.len())
    )
    grid = (
        membership.lazy()
        .select("group")
        .unique()
        .join(pl.LazyFrame({"m": list(range(last - 11, last + 1))}), how="cross")
    )
    trend = (
        grid.join(monthly, on=["group", "m"], how="left")
        .with_columns(pl.col("n").fill_null(0).cast(pl.Int64))
        .sort("group", "m")
        .group_by("group", maintain_order=True)
        .agg(trend=pl.col("n"), joint_events=pl.col("n").sum())
        .with_columns(
            recent=pl.col("trend").list.slice(recent_start, 3).list.sum(),
            before=pl.col("trend").list.slice(recent_start - 3, 3).list.sum(),
        )
        .with_columns(
            trend_word=pl.when(
                (pl.col("recent") - pl.col("before") >= TREND_MIN_CHANGE)
                & (pl.col("recent") >= TREND_RATIO * pl.col("before"))
            )
            .then(pl.lit("rising"))
            .when(
                (pl.col("before") - pl.col("recent") >= TREND_MIN_CHANGE)
                & (pl.col("before") >= TREND_RATIO * pl.col("recent"))
            )
            .then(pl.lit("falling"))
            .otherwise(pl.lit("steady"))
        )
        .drop("recent", "before", "joint_events")
    )
    all_joint = joint.group_by("group").agg(joint_events=pl.col("event_id").n_unique())
    inner = (
        network.evidence.lazy()
        .join(membership.lazy(), left_on="a", right_on="person_id")
        .join(membership.lazy().rename({"group": "group_b"}), left_on="b", right_on="person_id")
        .filter(pl.col("group") == pl.col("group_b"))
    )
    seen = inner.group_by("group").agg(first_seen=pl.col("at").min(), last_seen=pl.col("at").max())
    contact = pl.col("kind").is_in(["address", "phone"])
    reasons = (
        inner.with_columns(
            key=pl.when(contact)
            .then(pl.format("{}:{}:{}", "ref", "a", "b"))
            .otherwise(pl.col("ref"))
        )
        .group_by("group", "key")
        .agg(
            pl.col("kind").first(),
            pl.col("ref").first(),
            pl.col("detail").first(),
            pl.col("a").first(),
            pl.col("b").first(),
            pl.col("at").max(),
            pl.col("weight").sum(),
        )
        .sort(["group", "weight", "key"], descending=[False, True, False])
        .group_by("group", maintain_order=True)
        .head(config.reasons_per_group)
        .group_by("group", maintain_order=True)
        .agg(reasons=pl.struct("kind", "ref", "detail", "a", "b", "at", "weight"))
    )
    base = (
        membership.lazy()
        .group_by("group")
        .agg(
            size=pl.len(),
            members=pl.col("person_id").sort(),
            cohesion=pl.col("cohesion").first(),
            internal_weight=pl.col("internal_weight").first(),
        )
    )
    out = (
        base.join(all_joint, on="group", how="left")
        .join(places, on="group", how="left")
        .join(harms, on="group", how="left")
        .join(trend, on="group", how="left")
        .join(reasons, on="group", how="left")
        .join(seen, on="group", how="left")
        .with_columns(pl.col("joint_events").fill_null(0).cast(pl.Int64))
        .sort("group")
        .collect()
    )
    return out.with_columns(
        pl.col("places").fill_null(
            pl.lit(
                [],
                dtype=pl.List(
                    pl.Struct({"place": pl.String(), "name": pl.String(), "events": pl.UInt32()})
                ),
            )
        ),
        pl.col("harm_types").fill_null(
            pl.lit([], dtype=pl.List(pl.Struct({"harm_type": pl.String(), "events": pl.UInt32()})))
        ),
        pl.col("first_seen").cast(DT),
        pl.col("last_seen").cast(DT),
    ).select(GROUP_COLUMNS)


def peer_groups(
    network: Network, snapshot: Snapshot, config: NetworkConfig | None = None
) -> PeerGroups:
    """Peer groups of children in ``network`` (see the module docstring for the rules).

    ``membership``: person_id (i64), group (i64, 1 = largest). ``groups``: group, size, members
    (list[i64]), cohesion, internal_weight, joint_events, places (list[struct{place, name,
    events}]), harm_types (list[struct{harm_type, events}]), trend (list[i64], 12 months oldest
    first), trend_word, reasons (list[struct{kind, ref, detail, a, b, at, weight}]), first_seen,
    last_seen.
    """
    config = config or NetworkConfig()
    child = child_edges(network, snapshot)
    label = _partition(child, config)
    numbers = (
        label.group_by("community")
        .agg(size=pl.len(), first=pl.col("person_id").min())
        .sort(["size", "first"], descending=[True, False])
        .with_row_index("group", offset=1)
        .select("community", pl.col("group").cast(pl.Int64))
    )
    full = label.join(numbers, on="community").select(
        "person_id", "group", "cohesion", "internal_weight"
    )
    membership = full.select("person_id", "group").sort("group", "person_id")
    groups = _summaries(full, network, snapshot, config)
    return PeerGroups(membership=membership, groups=groups)


def match_groups(
    previous: pl.DataFrame,
    membership: pl.DataFrame,
    *,
    group_col: str = "group",
    min_jaccard: float = 0.5,
) -> pl.DataFrame:
    """Carry codes over from the previous run: ``previous`` (person_id, code) and ``membership``
    (person_id, ``group_col``) -> (``group_col``, code | null), one row per new group. Each new
    group takes the code of the previous group it overlaps best, if their Jaccard index is at
    least ``min_jaccard``; one-to-one, best overlaps first (ties: larger overlap, then code and
    group order). Unmatched groups get null: the caller issues new codes."""
    groups = membership.select(pl.col(group_col)).unique().sort(group_col)
    if previous.height == 0 or membership.height == 0:
        return groups.with_columns(code=pl.lit(None, dtype=pl.String))
    prev = previous.select("person_id", pl.col("code").cast(pl.String)).unique()
    new = membership.select("person_id", pl.col(group_col)).unique()
    size_p = prev.group_by("code").agg(n_prev=pl.len())
    size_n = new.group_by(group_col).agg(n_new=pl.len())
    cand = (
        prev.join(new, on="person_id")
        .group_by("code", group_col)
        .agg(inter=pl.len())
        .join(size_p, on="code")
        .join(size_n, on=group_col)
        .with_columns(
            jaccard=pl.col("inter") / (pl.col("n_prev") + pl.col("n_new") - pl.col("inter"))
        )
        .filter(pl.col("jaccard") >= min_jaccard)
        .sort(["jaccard", "inter", "code", group_col], descending=[True, True, False, False])
    )
    used_codes: set[str] = set()
    used_groups: set[object] = set()
    pairs: list[tuple[object, str]] = []
    # Greedy over the few candidate pairs (at most one per group and code at J >= 0.5 except
    # for exact ties), best first.
    for code, grp in cand.select("code", group_col).iter_rows():
        if code in used_codes or grp in used_groups:
            continue
        used_codes.add(code)
        used_groups.add(grp)
        pairs.append((grp, code))
    matched = pl.DataFrame(
        {group_col: [p[0] for p in pairs], "code": [p[1] for p in pairs]},
        schema={group_col: groups.schema[group_col], "code": pl.String()},
    )
    return groups.join(matched, on=group_col, how="left")
