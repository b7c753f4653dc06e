"""The association network and what is read from it: peer groups, adults linked to many
children, and children who go missing together.

Frames in, frames out (Polars); no Django. The ``efh refresh`` job calls, in turn:

- ``build_network(snapshot, config)`` -> ``Network`` (``edges``: a < b, weight; ``evidence``:
  a, b, kind, ref, detail, at, weight: why every edge exists). See ``build.py`` for the evidence
  kinds and the weight tables (roles, association kinds, the 3x5 grading, recency).
- ``peer_groups(network, snapshot, config)`` -> ``PeerGroups`` (``membership``: person_id,
  group; ``groups``: size, members, places, harm types, trend, reasons, first/last seen). Leiden
  on the child-child network, kept when tight (``TIGHTNESS_RULE``).
- ``match_groups(previous, membership)`` -> group, code | null: stable codes across refreshes.
- ``adults_linked(network, snapshot, membership, config)`` -> adults linked to several children
  directly or through one person, with reasons in plain words and an ``order`` by the
  transparent ``ORDERING_RULE`` (never a score).
- ``co_missing(snapshot, config)`` -> ``CoMissing`` (pairs, membership, clusters).

Every output is a candidate for professional review with its reasons, never a list of people
and never a risk score; children (peer groups, co-missing) and adults are kept in separate
outputs.
"""

from efh.intelligence.network.adults import ADULT_COLUMNS, ORDERING_RULE, adults_linked
from efh.intelligence.network.build import (
    ASSOCIATION_KIND_WEIGHTS,
    EDGE_SCHEMA,
    EVIDENCE_SCHEMA,
    INTELLIGENCE_EVALUATION_WEIGHTS,
    ROLE_WEIGHTS,
    SOURCE_EVALUATION_WEIGHTS,
    Network,
    NetworkConfig,
    build_network,
)
from efh.intelligence.network.groups import (
    GROUP_COLUMNS,
    TIGHTNESS_RULE,
    TREND_RULE,
    PeerGroups,
    communities,
    graph_of,
    leiden,
    match_groups,
    peer_groups,
)
from efh.intelligence.network.missing import CoMissing, co_missing

__all__ = [
    "ADULT_COLUMNS",
    "ASSOCIATION_KIND_WEIGHTS",
    "EDGE_SCHEMA",
    "EVIDENCE_SCHEMA",
    "GROUP_COLUMNS",
    "INTELLIGENCE_EVALUATION_WEIGHTS",
    "ORDERING_RULE",
    "ROLE_WEIGHTS",
    "SOURCE_EVALUATION_WEIGHTS",
    "TIGHTNESS_RULE",
    "TREND_RULE",
    "CoMissing",
    "Network",
    "NetworkConfig",
    "PeerGroups",
    "adults_linked",
    "build_network",
    "co_missing",
    "communities",
    "graph_of",
    "leiden",
    "match_groups",
    "peer_groups",
]
