"""Reads for the intelligence pages and for the "Derived intelligence" section of a record.

One module per screen: ``overview_page``, ``candidates`` (peer groups, adults linked to several
children, children missing together: one list and one page selector for the three kinds),
``connections`` (one person's), ``hotspot_map``, ``trends`` and ``record_derived`` (the record's
section); ``network`` (people by pseudonym and their links) and ``common`` are shared. The SVG
geometry of the charts is presentation, in :mod:`efh.insight.charts`. This package re-exports
every public name, so ``from efh.insight.selectors import derived_for_record`` keeps working.

Every function starts from the user and goes through :mod:`efh.insight.policy` (candidates,
aggregates) or :mod:`efh.people.policy` (whose records the user may open), so nothing here reads
what the user may not see. Analysts see people by pseudonym (``people.policy.pseudonym``) and
never by name: nothing in this package reads a name, except :func:`derived_for_record`, which
names only people whose own records the user may open (``labels_for``).

The summaries are JSON written by ``efh refresh`` (``efh.insight.refresh``); they are read
defensively: a missing key shows nothing rather than failing the page.
"""

from __future__ import annotations

from efh.insight.charts import MONTH_NAMES, SUPPRESSED, Bar, BarChart
from efh.insight.selectors.candidates import (
    CandidateList,
    CandidatePage,
    CandidateRow,
    Named,
    Trend,
    TrendMonth,
    candidate_list,
    candidate_page,
)
from efh.insight.selectors.common import (
    INPUT_LABELS,
    PER_PAGE,
    Provenance,
    harm_names,
    latest_run,
    provenance,
    running_run,
    suppress,
    ward_names,
)
from efh.insight.selectors.connections import PersonConnections, person_connections
from efh.insight.selectors.hotspot_map import HotspotRow, Hotspots, hotspot_harm_choices, hotspots
from efh.insight.selectors.network import (
    EVIDENCE_KINDS,
    MAX_EVIDENCE,
    Edge,
    Evidence,
    Network,
    Node,
    network_of,
)
from efh.insight.selectors.overview_page import FIGURE_LABELS, Overview, overview
from efh.insight.selectors.record_derived import (
    DerivedAdult,
    DerivedGroup,
    DerivedIntelligence,
    derived_codes_for,
    derived_for_record,
)
from efh.insight.selectors.trends import (
    COLUMN_LABELS,
    COUNT_COLUMNS,
    TREND_ORDER,
    TREND_TITLES,
    Table,
    Trends,
    harm_month_charts,
    trend_tables,
)

__all__ = [
    "COLUMN_LABELS",
    "COUNT_COLUMNS",
    "EVIDENCE_KINDS",
    "FIGURE_LABELS",
    "INPUT_LABELS",
    "MAX_EVIDENCE",
    "MONTH_NAMES",
    "PER_PAGE",
    "SUPPRESSED",
    "TREND_ORDER",
    "TREND_TITLES",
    "Bar",
    "BarChart",
    "CandidateList",
    "CandidatePage",
    "CandidateRow",
    "DerivedAdult",
    "DerivedGroup",
    "DerivedIntelligence",
    "Edge",
    "Evidence",
    "HotspotRow",
    "Hotspots",
    "Named",
    "Network",
    "Node",
    "Overview",
    "PersonConnections",
    "Provenance",
    "Table",
    "Trend",
    "TrendMonth",
    "Trends",
    "candidate_list",
    "candidate_page",
    "derived_codes_for",
    "derived_for_record",
    "harm_month_charts",
    "harm_names",
    "hotspot_harm_choices",
    "hotspots",
    "latest_run",
    "network_of",
    "overview",
    "person_connections",
    "provenance",
    "running_run",
    "suppress",
    "trend_tables",
    "ward_names",
]
