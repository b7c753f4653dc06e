"""Adults linked to many children: candidates for professional review, never a list or a score.

An adult (``is_child`` false) is *linked directly* to a child when the network holds evidence of
the kinds in ``NetworkConfig.adult_link_kinds`` between them (events together, recorded
associations, shared group labels, missing together, a shared phone; a shared *address* alone is
left out, because parents and carers share addresses with their children) summing to at least
``adult_min_link_weight``. It is *linked through one intermediary* to a child when it is linked
directly (same kinds) to some person who is linked to that child and the child is not linked to
it directly. Peer groups come from ``groups.peer_groups``.

Each adult with at least ``adult_min_children`` children linked gets its counts, its reasons in
plain words ("suspect in 4 events with 3 children", "recorded association 'suspected_exploiter'
with 2 children (grading 2/B)", "linked through one person to 5 children in 2 other groups"),
the evidence refs, and an ``order``: a rank by the lexicographic rule ``ORDERING_RULE`` over the
visible counts, so a reader can check every position by eye. The order is not a risk score and
no model is learned: it only says which candidates to read first. Victims and people posing risk
are never mixed here: only adults appear, and children are only counted.

Written by hand (vectorised Polars joins) because the rule is the domain's, not a graph
algorithm's.
"""

from __future__ import annotations

import polars as pl

from efh.intelligence.frames import Snapshot
from efh.intelligence.network.build import Network, NetworkConfig

ORDERING_RULE = (
    "Adults are listed by, in turn: the number of different peer groups their directly linked "
    "children belong to; then the number of children linked directly; then the number of "
    "different peer groups reached directly or through one person; then the number of children "
    "linked through one person; ties by person number. The order only says which candidates to "
    "read first: it is not a score and says nothing about risk."
)

ADULT_COLUMNS = (
    "person_id",
    "order",
    "direct_children",
    "indirect_children",
    "children_linked",
    "direct_groups",
    "groups_reached",
    "reasons",
    "refs",
    "children",
)

MAX_REFS = 50


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={
            "person_id": pl.Int64(),
            "order": pl.Int64(),
            "direct_children": pl.Int64(),
            "indirect_children": pl.Int64(),
            "children_linked": pl.Int64(),
            "direct_groups": pl.Int64(),
            "groups_reached": pl.Int64(),
            "reasons": pl.List(pl.String()),
            "refs": pl.List(pl.String()),
            "children": pl.List(pl.Int64()),
        }
    )


def _plural(n: pl.Expr, one: str, many: str) -> pl.Expr:
    return pl.when(n == 1).then(pl.lit(one)).otherwise(pl.lit(many))


def adults_linked(
    network: Network,
    snapshot: Snapshot,
    membership: pl.DataFrame,
    config: NetworkConfig | None = None,
) -> pl.DataFrame:
    """Adults linked to at least ``adult_min_children`` children, ordered by ``ORDERING_RULE``.

    Columns: person_id, order (1 = read first), direct_children, indirect_children,
    children_linked, direct_groups, groups_reached (i64 counts), reasons (list[str], plain
    words), refs (list[str], evidence refs between the adult and children, at most 50),
    children (list[i64], the children linked directly). ``membership``: person_id, group (from
    ``peer_groups``).
    """
    config = config or NetworkConfig()
    persons = snapshot.persons.select("person_id", "is_child")
    adults = persons.filter(~pl.col("is_child")).select("person_id")
    kids = persons.filter(pl.col("is_child")).select("person_id")
    ev = network.evidence.filter(pl.col("kind").is_in(list(config.adult_link_kinds)))
    links = (
        ev.group_by("a", "b")
        .agg(pl.col("weight").sum())
        .filter(pl.col("weight") >= config.adult_min_link_weight)
    )
    both = pl.concat([links.select(src="a", dst="b"), links.select(src="b", dst="a")])
    from_adult = both.join(adults, left_on="src", right_on="person_id", how="semi")
    direct = from_adult.join(kids, left_on="dst", right_on="person_id", how="semi").select(
        adult="src", child="dst"
    )
    to_child = both.join(kids, left_on="dst", right_on="person_id", how="semi")
    indirect = (
        from_adult.select(adult="src", mid="dst")
        .join(to_child.select(mid="src", child="dst"), on="mid")
        .filter(pl.col("child") != pl.col("adult"))
        .join(direct, on=["adult", "child"], how="anti")
        .select("adult", "child")
        .unique()
    )
    groups = membership.select(child="person_id", group="group")
    d_counts = (
        direct.join(groups, on="child", how="left")
        .group_by("adult")
        .agg(
            direct_children=pl.col("child").n_unique().cast(pl.Int64),
            direct_groups=pl.col("group").drop_nulls().n_unique().cast(pl.Int64),
            d_groups=pl.col("group").drop_nulls().unique(),
            children=pl.col("child").unique().sort(),
        )
    )
    i_counts = (
        indirect.join(groups, on="child", how="left")
        .group_by("adult")
        .agg(
            indirect_children=pl.col("child").n_unique().cast(pl.Int64),
            i_groups=pl.col("group").drop_nulls().unique(),
        )
    )
    table = (
        d_counts.join(i_counts, on="adult", how="full", coalesce=True)
        .with_columns(
            pl.col("direct_children").fill_null(0),
            pl.col("indirect_children").fill_null(0),
            pl.col("direct_groups").fill_null(0),
            pl.col("d_groups").fill_null(pl.lit([], dtype=pl.List(pl.Int64()))),
            pl.col("i_groups").fill_null(pl.lit([], dtype=pl.List(pl.Int64()))),
            pl.col("children").fill_null(pl.lit([], dtype=pl.List(pl.Int64()))),
        )
        .with_columns(
            children_linked=pl.col("direct_children") + pl.col("indirect_children"),
            groups_reached=pl.concat_list("d_groups", "i_groups")
            .list.unique()
            .list.len()
            .cast(pl.Int64),
            other_groups=pl.col("i_groups")
            .list.set_difference("d_groups")
            .list.len()
            .cast(pl.Int64),
        )
        .filter(pl.col("children_linked") >= config.adult_min_children)
    )
    if table.height == 0:
        return _empty()
    reasons, refs = _reasons(ev, table.select("adult"), kids)
    indirect_reason = table.filter(pl.col("indirect_children") > 0).select(
        "adult",
        rank=pl.lit(9),
        text=pl.format(
            "linked through one person to {} {}",
            "indirect_children",
            _plural(pl.col("indirect_children"), "child", "children"),
        )
        + pl.when(pl.col("other_groups") > 0)
        .then(
            pl.format(
                " in {} other {}",
                "other_groups",
                _plural(pl.col("other_groups"), "peer group", "peer groups"),
            )
        )
        .otherwise(pl.lit("")),
    )
    direct_reason = table.filter(pl.col("direct_groups") > 0).select(
        "adult",
        rank=pl.lit(0),
        text=pl.format(
            "linked directly to children in {} {}",
            "direct_groups",
            _plural(pl.col("direct_groups"), "peer group", "peer groups"),
        ),
    )
    said = (
        pl.concat([direct_reason, reasons, indirect_reason], how="vertical_relaxed")
        .sort("adult", "rank", "text")
        .group_by("adult", maintain_order=True)
        .agg(reasons=pl.col("text"))
    )
    out = (
        table.join(said, on="adult", how="left")
        .join(refs, on="adult", how="left")
        .with_columns(
            pl.col("reasons").fill_null(pl.lit([], dtype=pl.List(pl.String()))),
            pl.col("refs").fill_null(pl.lit([], dtype=pl.List(pl.String()))),
        )
        .sort(
            ["direct_groups", "direct_children", "groups_reached", "indirect_children", "adult"],
            descending=[True, True, True, True, False],
        )
        .with_row_index("order", offset=1)
        .rename({"adult": "person_id"})
        .with_columns(pl.col("order").cast(pl.Int64))
    )
    return out.select(ADULT_COLUMNS)


def _reasons(
    ev: pl.DataFrame, adults: pl.DataFrame, kids: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Plain-words reasons (adult, rank, text) and evidence refs (adult, refs) from the direct
    adult-child evidence of the listed adults."""
    rows = pl.concat(
        [
            ev.with_columns(adult=pl.col("a"), child=pl.col("b"), side=pl.lit(0)),
            ev.with_columns(adult=pl.col("b"), child=pl.col("a"), side=pl.lit(1)),
        ]
    )
    rows = rows.join(adults, on="adult", how="semi").join(
        kids, left_on="child", right_on="person_id", how="semi"
    )
    events = (
        rows.filter(pl.col("kind") == "event")
        .with_columns(
            role=pl.col("detail").str.split("+").list.get(pl.col("side"), null_on_oob=True)
        )
        .group_by("adult", "role")
        .agg(n=pl.col("ref").n_unique(), k=pl.col("child").n_unique())
        .select(
            "adult",
            rank=pl.lit(1),
            text=pl.format(
                "{} in {} {} with {} {}",
                pl.col("role").fill_null("present"),
                "n",
                _plural(pl.col("n"), "event", "events"),
                "k",
                _plural(pl.col("k"), "child", "children"),
            ),
        )
    )
    assoc = (
        rows.filter(pl.col("kind") == "association")
        .with_columns(
            akind=pl.col("detail").str.split(" ").list.first(),
            grade=pl.col("detail").str.split(" ").list.last(),
        )
        .group_by("adult", "akind")
        .agg(k=pl.col("child").n_unique(), grades=pl.col("grade").unique().sort())
        .select(
            "adult",
            rank=pl.lit(2),
            text=pl.format(
                "recorded association '{}' with {} {} (grading {})",
                "akind",
                "k",
                _plural(pl.col("k"), "child", "children"),
                pl.col("grades").list.join(", "),
            ),
        )
    )
    other = (
        rows.filter(pl.col("kind").is_in(["missing_with", "missing_overlap", "group", "phone"]))
        .group_by("adult", "kind")
        .agg(k=pl.col("child").n_unique(), n=pl.col("ref").n_unique())
        .select(
            "adult",
            rank=pl.lit(3),
            text=pl.when(pl.col("kind") == "missing_with")
            .then(
                pl.format(
                    "recorded as missing with {} {} ({} {})",
                    "k",
                    _plural(pl.col("k"), "child", "children"),
                    "n",
                    _plural(pl.col("n"), "episode", "episodes"),
                )
            )
            .when(pl.col("kind") == "missing_overlap")
            .then(
                pl.format(
                    "missing at the same time and found at the same place as {} {}",
                    "k",
                    _plural(pl.col("k"), "child", "children"),
                )
            )
            .when(pl.col("kind") == "group")
            .then(
                pl.format(
                    "recorded as a member of the same group as {} {}",
                    "k",
                    _plural(pl.col("k"), "child", "children"),
                )
            )
            .otherwise(
                pl.format(
                    "shares a phone number with {} {}",
                    "k",
                    _plural(pl.col("k"), "child", "children"),
                )
            ),
        )
    )
    reasons = pl.concat([events, assoc, other], how="vertical_relaxed")
    refs = (
        rows.select("adult", "ref")
        .unique()
        .sort("adult", "ref")
        .group_by("adult", maintain_order=True)
        .agg(refs=pl.col("ref").head(MAX_REFS))
    )
    return reasons, refs
