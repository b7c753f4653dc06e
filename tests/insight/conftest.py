"""Fixtures for the intelligence pages: a finished refresh run with candidates, members,
summaries, hotspots and trend tables, written directly through the ORM in the shapes
``efh refresh`` writes, so that these tests do not depend on the analytics.

``picture`` holds four children and one adult. The police practitioner can open the records of
the two police children and the adult (police records); the education and health children are
other agencies' (their names must never reach the practitioner, nor any name the analyst).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from factories import CandidateFactory, HotspotFactory, RefreshRunFactory

NAMES = {
    "c1": ("Ottilie", "Quenby"),
    "c2": ("Hermione", "Zellweger"),
    "c3": ("Peregrine", "Vantongeren"),
    "c4": ("Clementine", "Ashbourne"),
    "adult": ("Barnabas", "Crookshank"),
}


def group_summary(ids: list[int], *, co_missing: bool = False) -> dict[str, Any]:
    c1, c2, c3, *rest = ids
    summary: dict[str, Any] = {
        "group": 1,
        "members": ids,
        "places": [
            {"place": "location:1", "name": "Ridley Road Market", "events": 5},
            {"place": "location:2", "name": "Dalston Junction station", "events": 3},
        ],
        "harm_types": [
            {"harm_type": "cce", "events": 4},
            {"harm_type": "county_lines", "events": 2},
        ],
        "trend": {
            "months": [
                {"month": "2026-08", "events": 1},
                {"month": "2026-09", "events": 3},
                {"month": "2026-10", "events": 6},
            ],
            "word": "rising",
            "rule": "More events in the last three months than in the three before.",
        },
        "reasons": [
            "Four children were involved in 5 events together in the last six months",
            "Two recorded associations (graded B2) link them",
        ],
        "evidence": [
            {
                "a": c1,
                "b": c2,
                "kind": "event",
                "ref": "event:12",
                "at": "2026-10-01T10:00:00",
                "weight": 1.0,
            },
            {
                "a": c2,
                "b": c3,
                "kind": "association",
                "ref": "association:4",
                "at": "2026-09-02T00:00:00",
                "weight": 0.8,
            },
            {
                "a": c1,
                "b": c3,
                "kind": "missing",
                "ref": "missing:7",
                "at": "2026-09-20T00:00:00",
                "weight": 1.5,
            },
        ],
        "edges": [{"a": c1, "b": c2, "weight": 2.3}, {"a": c2, "b": c3, "weight": 1.1}]
        + [{"a": c1, "b": r, "weight": 0.7} for r in rest],
        "first_seen": "2026-03-01",
        "last_seen": "2026-10-20",
        "label": "peer group",
    }
    if co_missing:
        summary["episodes"] = [101, 102, 103]
    return summary


@pytest.fixture
def picture(demo: dict[str, Any], make_person: Any) -> dict[str, Any]:
    from efh.contexts.models import Ward
    from efh.insight.models import (
        CandidateKind,
        CandidateMember,
        MemberRole,
        TrendTable,
    )

    now = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    run = RefreshRunFactory(
        started_at=now,
        as_of=datetime(2026, 11, 1, tzinfo=UTC),
        parameters={"network": {"window_days": 365}},
        inputs={"persons": 5, "children": 4, "events": 12, "associations": 2},
        figures={"peer_groups": 1, "co_missing": 1, "adults": 1, "hotspots": 2},
    )
    sources = {"c1": "police", "c2": "education", "c3": "police", "c4": "health"}
    people = {
        key: make_person(source=src, given_name=NAMES[key][0], family_name=NAMES[key][1])
        for key, src in sources.items()
    }
    people["adult"] = make_person(
        source="police",
        given_name=NAMES["adult"][0],
        family_name=NAMES["adult"][1],
        is_child=False,
        date_of_birth=date(1990, 5, 5),
    )
    ids = {k: p.pk for k, p in people.items()}
    children = [ids["c1"], ids["c2"], ids["c3"], ids["c4"]]

    def candidate(
        kind: str, code: str, members: list[int], summary: dict[str, Any], **kw: Any
    ) -> Any:
        return CandidateFactory(
            kind=kind, code=code, first_run=run, size=len(members), summary=summary, **kw
        )

    pg = candidate(CandidateKind.PEER_GROUP, "PG-0001", children, group_summary(children))
    CandidateMember.objects.bulk_create(
        [CandidateMember(candidate=pg, person_id=p) for p in children]
    )
    pair = [ids["c1"], ids["c2"], ids["c3"]]
    cm = candidate(CandidateKind.CO_MISSING, "CM-0001", pair, group_summary(pair, co_missing=True))
    CandidateMember.objects.bulk_create([CandidateMember(candidate=cm, person_id=p) for p in pair])
    adult_summary = {
        "person_id": ids["adult"],
        "direct_children": 2,
        "indirect_children": 1,
        "children_linked": 3,
        "groups_reached": 2,
        "reasons": ["Linked directly to 2 children in 2 different peer groups"],
        "order": 1,
        "direct_ids": [ids["c1"], ids["c2"]],
        "indirect_ids": [ids["c3"]],
        "edges": [
            {"a": ids["adult"], "b": ids["c1"], "weight": 3.0},
            {"a": ids["adult"], "b": ids["c2"], "weight": 1.2},
            {"a": ids["c2"], "b": ids["c3"], "weight": 1.1},
        ],
        "rule": "Ordered by children linked directly, then through one other person, then "
        "groups reached.",
    }
    ad = candidate(CandidateKind.ADULT, "AD-0001", [], adult_summary, person_id=ids["adult"])
    ad.size = 3
    ad.save()
    CandidateMember.objects.bulk_create(
        [
            CandidateMember(candidate=ad, person_id=ids["c1"], role=MemberRole.DIRECT),
            CandidateMember(candidate=ad, person_id=ids["c2"], role=MemberRole.DIRECT),
            CandidateMember(candidate=ad, person_id=ids["c3"], role=MemberRole.INDIRECT),
        ]
    )
    Ward.objects.get_or_create(
        code="E05009367", defaults={"name": "Dalston", "latitude": 51.5465, "longitude": -0.0753}
    )
    Ward.objects.get_or_create(
        code="E05009372",
        defaults={"name": "Hackney Central", "latitude": 51.5466, "longitude": -0.0553},
    )
    common = {
        "run": run,
        "window_start": date(2026, 8, 3),
        "window_end": date(2026, 11, 1),
        "cells": ["8a195da4e52ffff"],
        "event_ids": [1, 2, 3],
        "episode_ids": [],
    }
    HotspotFactory(
        number=1,
        harm_type="cce",
        status="emerging",
        start=date(2026, 8, 3),
        end=date(2026, 11, 1),
        latitude=51.5468,
        longitude=-0.0750,
        radius_m=250,
        score=4.21,
        p_value=0.001,
        events=17,
        place_name="Ridley Road Market",
        ward="E05009367",
        reasons=["17 events of child criminal exploitation in 3 months, 9 expected"],
        **common,
    )
    HotspotFactory(
        number=2,
        harm_type="cse",
        status="persistent",
        start=date(2026, 2, 1),
        end=date(2026, 11, 1),
        latitude=51.5470,
        longitude=-0.0560,
        radius_m=180,
        score=3.05,
        p_value=0.004,
        events=9,
        place_name="Hackney Central station",
        ward="E05009372",
        reasons=["Hot in the latest period and the one before"],
        **common,
    )
    TrendTable.objects.create(
        run=run,
        name="harm_month",
        rows=[
            {"harm_type": "cce", "month": "2026-08", "events": 12, "children": 7},
            {"harm_type": "cce", "month": "2026-09", "events": 3, "children": 2},
            {"harm_type": "cce", "month": "2026-10", "events": 20, "children": 11},
            {"harm_type": "cse", "month": "2026-09", "events": 8, "children": 6},
            {"harm_type": "cse", "month": "2026-10", "events": 9, "children": 4},
        ],
    )
    TrendTable.objects.create(
        run=run,
        name="ward",
        rows=[
            {"ward": "E05009367", "events": 40, "children": 22, "suppressed": False},
            {"ward": "E05009372", "events": 2, "children": 1, "suppressed": True},
        ],
    )
    TrendTable.objects.create(
        run=run,
        name="seasonality",
        rows=[{"harm_type": "cce", "month_of_year": 10, "index": 1.3456}],
    )
    return {"run": run, "ids": ids, "pg": pg, "cm": cm, "ad": ad, "users": demo, "names": NAMES}
