"""People by pseudonym and the links between them: the network view and the tables beside it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from efh.insight.models import MemberRole
from efh.insight.selectors.common import _dict, _int, _list
from efh.people.models import PersonRecord
from efh.people.policy import pseudonym

MAX_EVIDENCE = 200

EVIDENCE_KINDS = {
    "event": "Involved in the same event",
    "association": "A recorded association",
    "missing": "Missing together",
    "missing_with": "Recorded as missing together",
    "missing_overlap": "Missing at the same time, found at the same place",
    "address": "A shared address",
    "phone": "A shared phone number",
    "group": "Recorded in the same group",
}
# The network view's line styles: each kind of evidence in one of four families (and "other"
# when a link's evidence is not in the summary), told apart by colour and dash.
LINK_FAMILIES = {
    "event": "event",
    "association": "association",
    "group": "association",
    "missing": "missing",
    "missing_with": "missing",
    "missing_overlap": "missing",
    "address": "contact",
    "phone": "contact",
}
LINK_LABELS = {
    "event": "In the same event",
    "association": "A recorded association",
    "missing": "Missing together",
    "contact": "A shared address or phone",
    "other": "Another link",
}


@dataclass
class Node:
    """A person in a derived item, by pseudonym; never a name."""

    person_id: int
    pseudonym: str
    is_child: bool | None
    role: str = ""
    links: int = 0
    strongest: float = 0.0

    @property
    def kind(self) -> str:
        if self.is_child is None:
            return "Not known"
        return "Child" if self.is_child else "Adult"


def _nodes(person_ids: Iterable[int]) -> dict[int, Node]:
    ids = sorted({int(p) for p in person_ids})
    child: dict[int, bool] = {}
    for pid, is_child in PersonRecord.objects.filter(person_id__in=ids).values_list(
        "person_id", "is_child"
    ):
        child[pid] = child.get(pid, False) or bool(is_child)
    return {p: Node(p, pseudonym(p), child.get(p)) for p in ids}


@dataclass(frozen=True)
class Edge:
    a: Node
    b: Node
    weight: float
    kind: str = ""  # the kind of evidence that weighs most between them

    @property
    def family(self) -> str:
        return LINK_FAMILIES.get(self.kind, "other")


@dataclass(frozen=True)
class Evidence:
    a: Node | None
    b: Node | None
    kind: str
    ref: str
    at: str
    weight: float | None

    @property
    def kind_label(self) -> str:
        return EVIDENCE_KINDS.get(self.kind, self.kind.replace("_", " ").capitalize())


INDIRECT = str(MemberRole.INDIRECT.label)


def _node_kind(n: Node) -> str:
    return "child" if n.is_child else "adult" if n.is_child is False else "other"


@dataclass
class Network:
    """The picture and the tables beside it: nodes, edges (strongest first) and evidence."""

    nodes: dict[int, Node]
    edges: list[Edge]
    focus: int | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_total: int = 0

    def graph(self) -> dict[str, Any]:
        """For the network view (``network-view.js``, through ``json_script``)."""
        return {
            "nodes": [
                {
                    "id": f"p{n.person_id}",
                    "label": n.pseudonym,
                    "kind": "focus" if n.person_id == self.focus else _node_kind(n),
                    "indirect": n.role == INDIRECT,
                    "href": reverse("insight:person", kwargs={"person_id": n.person_id}),
                }
                for n in self.nodes.values()
            ],
            "edges": [
                {
                    "source": f"p{e.a.person_id}",
                    "target": f"p{e.b.person_id}",
                    "weight": e.weight,
                    "kind": e.family,
                }
                for e in self.edges
            ],
            "roles": self.role_key,
            "links": self.link_key,
        }

    @property
    def link_key(self) -> list[tuple[str, str]]:
        """The kinds of link the picture draws, for its key, in a fixed order."""
        present = {e.family for e in self.edges}
        return [(k, label) for k, label in LINK_LABELS.items() if k in present]

    @property
    def role_key(self) -> list[str]:
        """The kinds of person the picture draws, for its key."""
        kinds = {
            ("focus" if n.person_id == self.focus else _node_kind(n)) for n in self.nodes.values()
        }
        indirect = any(n.role == INDIRECT for n in self.nodes.values())
        out = [k for k in ("child", "adult", "other") if k in kinds]
        return out + (["indirect"] if indirect else [])

    @property
    def person_ids(self) -> list[int]:
        return sorted(self.nodes)


def network_of(
    summary: dict[str, Any],
    members: dict[int, str],
    *,
    focus: int | None = None,
    only_touching: int | None = None,
) -> Network:
    """Nodes (the members with their roles, and anyone at the end of an edge), edges and
    evidence from a summary; ``only_touching`` keeps the edges and evidence of one person."""
    raw_edges = []
    for e in _list(summary.get("edges")):
        e = _dict(e)
        a, b = _int(e.get("a")), _int(e.get("b"))
        if a is None or b is None:
            continue
        if only_touching is not None and only_touching not in (a, b):
            continue
        raw_edges.append((a, b, float(e.get("weight") or 0.0), str(e.get("kind") or "")))
    raw_evidence = []
    for ev in _list(summary.get("evidence")):
        ev = _dict(ev)
        a, b = _int(ev.get("a")), _int(ev.get("b"))
        if only_touching is not None and only_touching not in (a, b):
            continue
        raw_evidence.append((a, b, ev))
    ids = set(members) | {p for a, b, _, _ in raw_edges for p in (a, b)}
    if focus is not None:
        ids.add(focus)
    nodes = _nodes(ids)
    for pid, role in members.items():
        if pid in nodes:
            nodes[pid].role = role
    # A link's kind: from the summary's edge, else the evidence that weighs most between them.
    weighed: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for a, b, ev in raw_evidence:
        if a is not None and b is not None and ev.get("kind"):
            w = ev.get("weight")
            weighed[(min(a, b), max(a, b))][str(ev["kind"])] += (
                float(w) if isinstance(w, int | float) else 1.0
            )

    def main_kind(a: int, b: int) -> str:
        found = weighed.get((min(a, b), max(a, b)))
        return min(found, key=lambda k: (-found[k], k)) if found else ""

    edges = [Edge(nodes[a], nodes[b], w, k or main_kind(a, b)) for a, b, w, k in raw_edges]
    edges.sort(key=lambda e: -e.weight)
    for e in edges:
        for n in (e.a, e.b):
            n.links += 1
            n.strongest = max(n.strongest, e.weight)
    evidence_nodes = _nodes(
        {p for a, b, _ in raw_evidence[:MAX_EVIDENCE] for p in (a, b) if p is not None} - set(nodes)
    )
    everyone = {**nodes, **evidence_nodes}
    evidence = [
        Evidence(
            a=everyone.get(a) if a is not None else None,
            b=everyone.get(b) if b is not None else None,
            kind=str(ev.get("kind") or ""),
            ref=str(ev.get("ref") or ""),
            at=str(ev.get("at") or "")[:10],
            weight=float(ev["weight"]) if isinstance(ev.get("weight"), int | float) else None,
        )
        for a, b, ev in raw_evidence[:MAX_EVIDENCE]
    ]
    return Network(
        nodes=nodes,
        edges=edges,
        focus=focus,
        evidence=evidence,
        evidence_total=len(raw_evidence),
    )
