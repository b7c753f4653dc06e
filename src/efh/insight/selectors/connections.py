"""One person's connections: their current candidates and direct links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Q

from efh.insight.models import Candidate
from efh.insight.policy import candidates_user_can_view, require_candidates
from efh.insight.selectors.common import Provenance, _dict, _int, _list, latest_run, provenance
from efh.insight.selectors.network import Network, Node, network_of
from efh.people.models import Person

if TYPE_CHECKING:
    from efh.accounts.models import User


@dataclass
class PersonConnections:
    person: Node
    candidates: list[Candidate]
    network: Network
    run: Provenance | None

    @property
    def person_ids(self) -> list[int]:
        return self.network.person_ids


def person_connections(user: User, person_id: int) -> PersonConnections | None:
    """A person's current candidates and direct links, from the candidates' members and
    summaries; None if there is no such person."""
    require_candidates(user)
    if not Person.objects.filter(pk=person_id).exists():
        return None
    visible = candidates_user_can_view(user)
    candidates = list(
        visible.filter(Q(members__person_id=person_id) | Q(person_id=person_id))
        .distinct()
        .order_by("kind", "rank", "code")
    )
    best: dict[tuple[int, int], float] = {}
    kind: dict[tuple[int, int], str] = {}  # the main kind of evidence of the strongest edge
    evidence: list[dict[str, Any]] = []
    seen_evidence: set[tuple[Any, ...]] = set()
    for c in candidates:
        s = _dict(c.summary)
        for e in _list(s.get("edges")):
            e = _dict(e)
            a, b = _int(e.get("a")), _int(e.get("b"))
            if a is None or b is None or person_id not in (a, b):
                continue
            key = (min(a, b), max(a, b))
            weight = float(e.get("weight") or 0.0)
            if key not in best or weight > best[key]:
                best[key] = weight
                kind[key] = str(e.get("kind") or "")
        for ev in _list(s.get("evidence")):
            ev = _dict(ev)
            if person_id not in (_int(ev.get("a")), _int(ev.get("b"))):
                continue
            key2 = (ev.get("a"), ev.get("b"), ev.get("kind"), ev.get("ref"))
            if key2 not in seen_evidence:
                seen_evidence.add(key2)
                evidence.append(ev)
    summary = {
        "edges": [
            {"a": a, "b": b, "weight": w, "kind": kind.get((a, b), "")}
            for (a, b), w in best.items()
        ],
        "evidence": evidence,
    }
    net = network_of(summary, {person_id: "This person"}, focus=person_id)
    return PersonConnections(
        person=net.nodes[person_id],
        candidates=candidates,
        network=net,
        run=provenance(latest_run()),
    )
