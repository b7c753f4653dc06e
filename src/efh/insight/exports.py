"""What ``efh export peer-groups | hotspots | adults-of-concern`` writes (EXCHANGE.md), read from
the latest refresh. Header and rows, like ``efh.ingest.exports``.

Peer groups and adults are the current candidates, whatever their review status (a review is a
professional's judgement on a candidate, kept on the platform with its reason; the export is
what the analytics derived). Hotspots are the latest successful run's.
"""

from __future__ import annotations

from collections.abc import Iterable

from efh.insight.models import (
    Candidate,
    CandidateKind,
    CandidateMember,
    Hotspot,
    RefreshRun,
    RefreshStatus,
)


def latest_run() -> RefreshRun | None:
    return (
        RefreshRun.objects.filter(status=RefreshStatus.SUCCEEDED).order_by("-finished_at").first()
    )


def peer_groups() -> tuple[list[str], Iterable[tuple]]:
    """``person_id, group_id`` for each child in a current peer-group candidate."""
    rows = (
        CandidateMember.objects.filter(
            candidate__kind=CandidateKind.PEER_GROUP, candidate__current=True
        )
        .order_by("candidate__code", "person_id")
        .values_list("person_id", "candidate__code")
        .iterator(chunk_size=5000)
    )
    return ["person_id", "group_id"], rows


def hotspots() -> tuple[list[str], Iterable[tuple]]:
    """``latitude, longitude, radius_m, start, end, harm_type, score`` (score: Gi* z)."""
    run = latest_run()
    found = Hotspot.objects.filter(run=run).order_by("number") if run else Hotspot.objects.none()
    rows = (
        (
            round(h.latitude, 6),
            round(h.longitude, 6),
            h.radius_m,
            h.start.isoformat(),
            h.end.isoformat(),
            h.harm_type,
            round(h.score, 3),
        )
        for h in found
    )
    return ["latitude", "longitude", "radius_m", "start", "end", "harm_type", "score"], rows


def adults_of_concern() -> tuple[list[str], Iterable[tuple]]:
    """``person_id, children_linked, reasons`` for each current adult candidate, in order."""
    found = Candidate.objects.filter(kind=CandidateKind.ADULT, current=True).order_by("rank")
    rows = ((c.person_id, c.size, "; ".join(c.summary.get("reasons") or [])) for c in found)
    return ["person_id", "children_linked", "reasons"], rows
