"""The hotspot map and its table (aggregates: no person named)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import h3

from efh.contexts.geometry import WardPoint, ward_areas
from efh.contexts.models import Ward
from efh.insight.models import Hotspot, HotspotStatus
from efh.insight.policy import require_aggregates
from efh.insight.selectors.common import (
    Provenance,
    _list,
    harm_names,
    latest_run,
    provenance,
    ward_names,
)

if TYPE_CHECKING:
    from efh.accounts.models import User


@dataclass
class HotspotRow:
    hotspot: Hotspot
    harm_name: str
    ward_name: str


@dataclass
class Hotspots:
    run: Provenance | None
    rows: list[HotspotRow]
    harm_choices: list[tuple[str, str]]
    map_data: dict[str, Any]
    total: int


def hotspot_harm_choices(user: User) -> list[tuple[str, str]]:
    """The harm types the latest run found hotspots for, for the filter."""
    require_aggregates(user)
    run = latest_run()
    if run is None:
        return []
    names = harm_names()
    codes = sorted(set(Hotspot.objects.filter(run=run).values_list("harm_type", flat=True)))
    return [(code, names.get(code, code)) for code in codes]


# What the map's colours and outlines mean, in the order of the legend.
STATUS_KEY = [
    {"status": "emerging", "label": "Emerging", "text": "hot in the latest period, not before"},
    {"status": "persistent", "label": "Persistent", "text": "hot in the latest period and before"},
    {"status": "past", "label": "Past", "text": "hot before, not in the latest period"},
]


def _cell_outline(cell: str) -> list[list[float]]:
    try:
        return [[round(lat, 6), round(lng, 6)] for lat, lng in h3.cell_to_boundary(cell)]
    except (ValueError, TypeError, h3.H3BaseException):
        return []


def _map_hotspot(r: HotspotRow) -> dict[str, Any]:
    """A hotspot for the map: its H3 cells (hexagons), its centre and radius, its class."""
    h = r.hotspot
    status = dict(HotspotStatus.choices).get(h.status, h.status).split(":")[0]
    cells = [c for c in (_cell_outline(str(cell)) for cell in _list(h.cells)) if c]
    return {
        "number": h.number,
        "lat": h.latitude,
        "lng": h.longitude,
        "radius": h.radius_m,
        "status": h.status,
        "cells": cells,
        "label": f"Hotspot {h.number}: {r.harm_name}, {status.lower()}, {h.events} events"
        + (f", {h.place_name}" if h.place_name else ""),
    }


def hotspots(user: User, *, harm_type: str = "", status: str = "") -> Hotspots:
    """The latest run's hotspots (aggregates: no person named), filtered; and the map's data:
    each hotspot's cells and circle coloured by its class, the wards' approximate areas with
    their names (``contexts.geometry.ward_areas``) and the legend's classes."""
    require_aggregates(user)
    run = latest_run()
    names, wards = harm_names(), ward_names()
    qs = Hotspot.objects.filter(run=run) if run else Hotspot.objects.none()
    present = sorted(set(qs.values_list("harm_type", flat=True)))
    total = qs.count()
    if harm_type:
        qs = qs.filter(harm_type=harm_type)
    if status in HotspotStatus.values:
        qs = qs.filter(status=status)
    rows = [
        HotspotRow(h, names.get(h.harm_type, h.harm_type), wards.get(h.ward, h.ward))
        for h in qs.order_by("-score", "number")
    ]
    map_data = {
        "hotspots": [_map_hotspot(r) for r in rows],
        "wards": ward_areas(
            WardPoint(w.code, w.name, w.latitude, w.longitude) for w in Ward.objects.all()
        ),
        "statuses": STATUS_KEY,
    }
    return Hotspots(
        run=provenance(run),
        rows=rows,
        harm_choices=[(code, names.get(code, code)) for code in present],
        map_data=map_data,
        total=total,
    )
