"""Benchmark of the network analytics (peer groups, adults linked to children, co-missing).

Prints figures; asserts nothing. Run: ``.venv/bin/python bench/network.py`` (``--quick`` skips
the LFR 20,000 and the 100k/1M speed graph).

1. Accuracy on ``efh synth`` boroughs (``--children`` 60000 and 5000, seed 2024; kept under
   ``var/bench/``), read with ``bench/intel_frames.py`` (true person ids, as if linkage were
   perfect): peer-group NMI over planted members (first truth row per person; a planted member in
   no detected group counts as a singleton), the share of detected members who were planted,
   and for adults linked to children precision@20, recall@20 and recall@k (k = number planted);
   and where the synth's decoy "adults of concern" (recorded associates of 2-4 members of one
   group, nothing else) fall relative to the planted exploiters.
2. Time of build_network + peer_groups + adults_linked + co_missing on the 60,000-child borough
   with about 1,000,000 events (``--activity-scale 5.7``).
3. LFR benchmark (networkx, n=20,000, tau1=3, tau2=1.5, mu=0.3, average degree 20, max degree
   50, min community 20, seed 7): generation time (cached under ``var/bench/``), Leiden NMI.
4. Speed: a planted-partition graph of 100,000 people and 1,000,000 weighted edges (each edge
   an event of its two people, 10% adults): the network analytics alone (graph from edges +
   Leiden + pruning + summaries + adults) against igraph's bare ``community_leiden`` (modularity)
   on the same graph in the same run, and the ratio.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from types import ModuleType

import numpy as np
import polars as pl

from efh.intelligence.frames import DT, SCHEMAS, Snapshot, empty
from efh.intelligence.metrics import nmi, precision_at, recall_at
from efh.intelligence.network import (
    NetworkConfig,
    adults_linked,
    build_network,
    co_missing,
    communities,
    graph_of,
    peer_groups,
)
from efh.intelligence.network.build import Network

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench"
EFH = ROOT / ".venv" / "bin" / "efh"


def _intel_frames() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "efh_bench_intel_frames", ROOT / "bench" / "intel_frames.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def delivery(children: int, seed: int, activity: float = 1.0) -> Path:
    out = VAR / f"borough-{children}-{seed}-x{activity:g}"
    if not (out / "truth" / "manifest.json").exists():
        started = time.perf_counter()
        subprocess.run(
            [str(EFH), "synth", "--children", str(children), "--seed", str(seed),
             "--activity-scale", str(activity), "--out", str(out)],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        print(
            f"  (synth {children:,} children x{activity:g}: {time.perf_counter() - started:.1f} s)"
        )
    return out


def planted_nmi(truth_groups: pl.DataFrame, membership: pl.DataFrame) -> float:
    first = truth_groups.unique("person_id", keep="first", maintain_order=True)
    joined = first.join(membership, on="person_id", how="left").with_columns(
        found=pl.when(pl.col("group").is_null()).then(-pl.col("person_id")).otherwise("group")
    )
    return nmi(joined["group_id"].to_list(), joined["found"].to_list())


def decoys(snapshot: Snapshot, truth_groups: pl.DataFrame, exploiters: set[int]) -> list[int]:
    """Adults whose only recorded associations are 'associate' links to 2+ members of one
    planted group (the synth's adults of concern)."""
    adults = snapshot.persons.filter(~pl.col("is_child")).select("person_id")
    assoc = snapshot.associations.filter(pl.col("other_person_id").is_not_null()).join(
        adults, on="person_id", how="semi"
    )
    tg = truth_groups.unique("person_id", keep="first").rename({"person_id": "other_person_id"})
    per = (
        assoc.join(tg, on="other_person_id", how="left")
        .group_by("person_id")
        .agg(
            n=pl.len(),
            kinds=pl.col("kind").unique(),
            groups=pl.col("group_id").n_unique(),
            planted=pl.col("group_id").is_not_null().all(),
        )
    )
    ok = per.filter(
        (pl.col("n") >= 2)
        & (pl.col("groups") == 1)
        & pl.col("planted")
        & (pl.col("kinds").list.len() == 1)
        & (pl.col("kinds").list.first() == "associate")
    )
    return [p for p in ok["person_id"].to_list() if p not in exploiters]


def accuracy(children: int, seed: int, activity: float = 1.0, timing: bool = False) -> None:
    path = delivery(children, seed, activity)
    snapshot, truth = _intel_frames().load_delivery(path)
    cfg = NetworkConfig()
    times: dict[str, float] = {}
    t = time.perf_counter()
    net = build_network(snapshot, cfg)
    times["build_network"] = time.perf_counter() - t
    t = time.perf_counter()
    pg = peer_groups(net, snapshot, cfg)
    times["peer_groups"] = time.perf_counter() - t
    t = time.perf_counter()
    adults = adults_linked(net, snapshot, pg.membership, cfg)
    times["adults_linked"] = time.perf_counter() - t
    t = time.perf_counter()
    cm = co_missing(snapshot, cfg)
    times["co_missing"] = time.perf_counter() - t
    total = sum(times.values())
    print(
        f"\n== synth {children:,} children, seed {seed}, x{activity:g}: {snapshot.events.height:,} "
        f"events, {snapshot.event_people.height:,} event people, {net.edges.height:,} edges, "
        f"{net.evidence.height:,} evidence rows"
    )
    if timing:
        print(
            "  time: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in times.items())
            + f"; total {total:.2f} s"
        )
    score = planted_nmi(truth.groups, pg.membership)
    planted_ids = truth.groups["person_id"].unique().implode()
    share = pg.membership["person_id"].is_in(planted_ids).mean()
    n_truth = truth.groups["group_id"].n_unique()
    print(
        f"  peer groups: NMI {score:.4f} over {truth.groups['person_id'].n_unique():,} planted "
        f"members; {pg.groups.height} groups found ({n_truth} planted), share of detected "
        f"members who were planted {share:.3f}"
    )
    planted = set(truth.exploiters["person_id"].to_list())
    ranked = adults["person_id"].to_list()
    k = len(planted)
    print(
        f"  adults linked to children ({adults.height:,} with >= 2 children): "
        f"precision@20 {precision_at(ranked, planted, 20):.3f}, recall@20 "
        f"{recall_at(ranked, planted, 20):.3f}, recall@{k} {recall_at(ranked, planted, k):.3f}, "
        f"precision@{k} {precision_at(ranked, planted, k):.3f}"
    )
    decoy = decoys(snapshot, truth.groups, planted)
    rank = dict(zip(ranked, adults["order"].to_list(), strict=True))
    ex_ranks = sorted(rank[p] for p in planted if p in rank)
    d_ranks = sorted(rank[p] for p in decoy if p in rank)
    worst = ex_ranks[-1] if ex_ranks else None
    above = sum(1 for d in d_ranks if worst is not None and d < worst)
    print(
        f"  decoys (adults of concern around one group): {len(decoy)}, of whom {len(d_ranks)} "
        f"listed; best decoy rank {d_ranks[0] if d_ranks else '-'}, worst exploiter rank "
        f"{worst}; decoys ranked above the worst exploiter: {above}; in the top 20: "
        f"{sum(1 for d in d_ranks if d <= 20)}"
    )
    print(
        f"  co-missing: {cm.pairs.height:,} pairs, {cm.clusters.height:,} clusters, largest "
        f"{int(cm.clusters['size'].max() or 0)}"
    )


def lfr(n: int = 20000, seed: int = 7) -> None:
    import networkx as nx

    cache = VAR / f"lfr-{n}-{seed}.parquet"
    if not cache.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        g = nx.LFR_benchmark_graph(
            n, 3, 1.5, 0.3, average_degree=20, max_degree=50, min_community=20, seed=seed
        )
        made = time.perf_counter() - started
        comm: dict[int, int] = {}
        for c, nodes in enumerate({frozenset(g.nodes[v]["community"]) for v in g}):
            for v in nodes:
                comm[v] = c
        edges = np.array([(min(u, v), max(u, v)) for u, v in g.edges() if u != v])
        frame = pl.DataFrame({"a": edges[:, 0], "b": edges[:, 1]})
        frame.write_parquet(cache)
        pl.DataFrame({"node": list(comm), "community": list(comm.values())}).write_parquet(
            cache.with_suffix(".truth.parquet")
        )
        print(f"\n== LFR n={n:,}: generated in {made:.1f} s (networkx), cached at {cache}")
    else:
        print(f"\n== LFR n={n:,}: cached at {cache}")
    edges = pl.read_parquet(cache).with_columns(weight=pl.lit(1.0))
    truth = pl.read_parquet(cache.with_suffix(".truth.parquet"))
    print(f"  {edges.height:,} edges, {truth['community'].n_unique()} planted communities")
    for label, cfg in (
        (
            "modularity, resolution 1 (plain)",
            NetworkConfig(resolution=1.0, resolution_scaled=False),
        ),
        ("modularity, resolution scaled as in peer_groups", NetworkConfig()),
    ):
        t = time.perf_counter()
        found = communities(edges, cfg)
        secs = time.perf_counter() - t
        j = found.join(truth, left_on="person_id", right_on="node")
        score = nmi(j["community_right"].to_list(), j["community"].to_list())
        print(
            f"  Leiden ({label}): {secs:.2f} s, {found['community'].n_unique()} communities, NMI {score:.4f}"
        )


def speed_graph(n: int = 100_000, m: int = 1_000_000, seed: int = 3) -> tuple[Network, Snapshot]:
    """A planted-partition graph (communities of 5-40, 30% of edges leave them), each edge an
    event of its two people; 10% of people adults."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(5, 41, n // 5)
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), n)) + 1]
    sizes[-1] -= sizes.sum() - n
    comm = np.repeat(np.arange(len(sizes)), sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    a = rng.integers(0, n, int(m * 1.3))
    c = comm[a]
    inside = rng.random(len(a)) > 0.3
    b = np.where(
        inside,
        starts[c] + (rng.random(len(a)) * sizes[c]).astype(np.int64),
        rng.integers(0, n, len(a)),
    )
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    pairs = pl.DataFrame({"a": lo, "b": hi}).filter(pl.col("a") != pl.col("b")).unique().head(m)
    m = pairs.height
    as_of = datetime(2026, 10, 31, 23, 59)  # noqa: DTZ001 (snapshots are naive UTC)
    at = pl.Series(
        (np.datetime64(as_of) - rng.integers(0, 730 * 86400, m).astype("timedelta64[s]")).astype(
            "datetime64[us]"
        )
    ).cast(DT)
    weight = rng.uniform(0.3, 1.5, m)
    pairs = pairs.with_columns(
        event_id=pl.int_range(1, m + 1, dtype=pl.Int64), at=at, weight=weight
    )
    evidence = pairs.select(
        "a", "b", kind=pl.lit("event"), ref=pl.format("event:{}", "event_id"),
        detail=pl.lit("suspect+victim"), at="at", weight="weight",
    )  # fmt: skip
    edges = pairs.select("a", "b", "weight").sort("a", "b")
    ids = np.arange(n)
    persons = pl.DataFrame(
        {"person_id": ids, "is_child": rng.random(n) > 0.1},
        schema={"person_id": pl.Int64(), "is_child": pl.Boolean()},
    ).with_columns(
        date_of_birth=pl.lit(None, dtype=pl.Date()),
        sex=pl.lit(""),
        ethnicity=pl.lit(""),
        ward=pl.lit(""),
    )
    places = rng.integers(0, 5000, m)
    events = pairs.select(
        "event_id", kind=pl.lit("incident"), occurred_at="at",
        harm_types=pl.lit(["cce"], dtype=pl.List(pl.String())),
        place=pl.format("location:{}", pl.Series(places)),
        latitude=pl.lit(None, dtype=pl.Float64()), longitude=pl.lit(None, dtype=pl.Float64()), ward=pl.lit(""),
    )  # fmt: skip
    event_people = pl.concat(
        [pairs.select("event_id", person_id="a", role=pl.lit("suspect")),
         pairs.select("event_id", person_id="b", role=pl.lit("victim"))]
    )  # fmt: skip
    frames = {name: empty(name) for name in SCHEMAS}
    frames.update(
        persons=persons.select(list(SCHEMAS["persons"])), events=events, event_people=event_people
    )
    snap = Snapshot(**frames, as_of=as_of).validate()
    return Network(edges=edges, evidence=evidence, as_of=as_of), snap


def speed() -> None:
    net, snap = speed_graph()
    print(f"\n== speed: {snap.persons.height:,} people, {net.edges.height:,} edges")
    cfg = NetworkConfig()
    t = time.perf_counter()
    pg = peer_groups(net, snap, cfg)
    t_groups = time.perf_counter() - t
    t = time.perf_counter()
    adults = adults_linked(net, snap, pg.membership, cfg)
    t_adults = time.perf_counter() - t
    ours = t_groups + t_adults
    g, _ = graph_of(net.edges)
    t = time.perf_counter()
    g.community_leiden(objective_function="modularity", weights="weight", n_iterations=2)
    bare2 = time.perf_counter() - t
    t = time.perf_counter()
    g.community_leiden(objective_function="modularity", weights="weight", n_iterations=-1)
    bare = time.perf_counter() - t
    print(
        f"  network analytics (graph + Leiden + pruning + summaries, then adults): {ours:.2f} s "
        f"(peer_groups {t_groups:.2f} s: {pg.groups.height:,} groups; adults_linked "
        f"{t_adults:.2f} s: {adults.height:,} adults)"
    )
    print(
        f"  igraph bare Leiden (modularity) on the same {g.vcount():,}-node graph: "
        f"{bare:.2f} s until stable ({bare2:.2f} s with n_iterations=2); ratio {ours / bare:.2f}x "
        f"({ours / bare2:.2f}x against n_iterations=2)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="skip LFR 20,000 and the speed graph")
    args = parser.parse_args()
    print(f"bench/network.py at {datetime.now().astimezone():%Y-%m-%d %H:%M} ({ROOT})")
    accuracy(5000, 2024)
    accuracy(60000, 2024, timing=True)
    accuracy(60000, 2024, activity=5.7, timing=True)
    if not args.quick:
        lfr()
        speed()


if __name__ == "__main__":
    main()
