"""People by pseudonym and the links between them: the network view and the tables beside it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

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
                    "kind": "focus"
                    if n.person_id == self.focus
                    else ("child" if n.is_child else "adult" if n.is_child is False else "other"),
                    "href": reverse("insight:person", kwargs={"person_id": n.person_id}),
                }
                for n in self.nodes.values()
            ],
            "edges": [
                {"source": f"p{e.a.person_id}", "target": f"p{e.b.person_id}", "weight": e.weight}
                for e in self.edges
            ],
        }

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
        raw_edges.append((a, b, float(e.get("weight") or 0.0)))
    raw_evidence = []
    for ev in _list(summary.get("evidence")):
        ev = _dict(ev)
        a, b = _int(ev.get("a")), _int(ev.get("b"))
        if only_touching is not None and only_touching not in (a, b):
            continue
        raw_evidence.append((a, b, ev))
    ids = set(members) | {p for a, b, _ in raw_edges for p in (a, b)}
    if focus is not None:
        ids.add(focus)
    nodes = _nodes(ids)
    for pid, role in members.items():
        if pid in nodes:
            nodes[pid].role = role
    edges = [Edge(nodes[a], nodes[b], w) for a, b, w in raw_edges]
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
