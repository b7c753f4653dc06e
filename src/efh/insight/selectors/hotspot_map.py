"""The hotspot map and its table (aggregates: no person named)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from efh.contexts.models import Ward
from efh.insight.models import Hotspot, HotspotStatus
from efh.insight.policy import require_aggregates
from efh.insight.selectors.common import Provenance, harm_names, latest_run, provenance, ward_names

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


def hotspots(user: User, *, harm_type: str = "", status: str = "") -> Hotspots:
    """The latest run's hotspots (aggregates: no person named), filtered; and the map's data:
    each hotspot as a circle and every ward's representative point."""
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
    statuses = dict(HotspotStatus.choices)
    map_data = {
        "hotspots": [
            {
                "lat": r.hotspot.latitude,
                "lng": r.hotspot.longitude,
                "radius": r.hotspot.radius_m,
                "status": r.hotspot.status,
                "label": f"Hotspot {r.hotspot.number}: {r.harm_name}, "
                f"{statuses.get(r.hotspot.status, r.hotspot.status).split(':')[0].lower()}, "
                f"{r.hotspot.events} events"
                + (f", {r.hotspot.place_name}" if r.hotspot.place_name else ""),
            }
            for r in rows
        ],
        "wards": [
            {"lat": w.latitude, "lng": w.longitude, "name": w.name} for w in Ward.objects.all()
        ],
    }
    return Hotspots(
        run=provenance(run),
        rows=rows,
        harm_choices=[(code, names.get(code, code)) for code in present],
        map_data=map_data,
        total=total,
    )
