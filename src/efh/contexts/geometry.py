"""Approximate ward areas from the wards' representative points, for maps without map tiles.

The platform stores each ward as a name and a representative point (``contexts.Ward``), not its
boundary. Without a tile server the hotspot map still needs to show where it is, so each ward is
drawn as the area nearer its own point than any other ward's (the Voronoi cell of its point),
cut to a box around the wards. The synthetic borough places everything in the ward of the
nearest ward point, so there the areas are exact; on real data they are an approximation, and
the map says so. Pure: no Django, no database, nothing from the internet.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.spatial import Voronoi

METRES_PER_DEG = 111_320.0


@dataclass(frozen=True)
class WardPoint:
    code: str
    name: str
    latitude: float
    longitude: float


def _clip(
    polygon: list[tuple[float, float]], box: tuple[float, float, float, float]
) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: a convex polygon cut to the box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda p, q: _at_x(p, q, x0)),
        (lambda p: p[0] <= x1, lambda p, q: _at_x(p, q, x1)),
        (lambda p: p[1] >= y0, lambda p, q: _at_y(p, q, y0)),
        (lambda p: p[1] <= y1, lambda p, q: _at_y(p, q, y1)),
    ]
    out = polygon
    for inside, cross in edges:
        if not out:
            break
        points, out = out, []
        for i, q in enumerate(points):
            p = points[i - 1]
            if inside(q):
                if not inside(p):
                    out.append(cross(p, q))
                out.append(q)
            elif inside(p):
                out.append(cross(p, q))
    return out


def _at_x(p: tuple[float, float], q: tuple[float, float], x: float) -> tuple[float, float]:
    t = (x - p[0]) / (q[0] - p[0])
    return (x, p[1] + t * (q[1] - p[1]))


def _at_y(p: tuple[float, float], q: tuple[float, float], y: float) -> tuple[float, float]:
    t = (y - p[1]) / (q[1] - p[1])
    return (p[0] + t * (q[0] - p[0]), y)


def ward_areas(wards: Iterable[WardPoint], *, margin_m: float | None = None) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: one Polygon per ward (properties ``code``, ``name`` and the
    label point ``label`` as [lng, lat]), the ward's Voronoi cell cut to the wards' extent
    widened by ``margin_m`` (default: half the median distance between neighbouring wards)."""
    found = [w for w in wards if math.isfinite(w.latitude) and math.isfinite(w.longitude)]
    if not found:
        return {"type": "FeatureCollection", "features": []}
    lat0 = float(np.mean([w.latitude for w in found]))
    kx = METRES_PER_DEG * math.cos(math.radians(lat0))
    xy = np.array([(w.longitude * kx, w.latitude * METRES_PER_DEG) for w in found])
    if margin_m is None:
        if len(found) > 1:
            d = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
            np.fill_diagonal(d, np.inf)
            margin_m = float(np.median(d.min(axis=1))) / 2
        else:
            margin_m = 500.0
    box = (
        float(xy[:, 0].min()) - margin_m,
        float(xy[:, 1].min()) - margin_m,
        float(xy[:, 0].max()) + margin_m,
        float(xy[:, 1].max()) + margin_m,
    )
    # Four far points make every ward's cell finite; the box then cuts them.
    span = 10 * max(box[2] - box[0], box[3] - box[1], 1.0)
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    far = np.array(
        [
            [cx - span, cy - span],
            [cx + span, cy - span],
            [cx + span, cy + span],
            [cx - span, cy + span],
        ]
    )
    cells: list[list[tuple[float, float]]]
    if len(found) >= 2:
        vor = Voronoi(np.vstack([xy, far]))
        cells = []
        for i in range(len(found)):
            region = vor.regions[vor.point_region[i]]
            px, py = float(xy[i, 0]), float(xy[i, 1])
            polygon = [
                (float(vor.vertices[v][0]), float(vor.vertices[v][1])) for v in region if v >= 0
            ]
            # Voronoi regions are convex: their vertices in order of angle around the point.
            polygon.sort(key=lambda p: math.atan2(p[1] - py, p[0] - px))
            cells.append(_clip(polygon, box))
    else:
        cells = [[(box[0], box[1]), (box[2], box[1]), (box[2], box[3]), (box[0], box[3])]]
    features: list[tuple[float, dict[str, Any]]] = []
    for w, cell in zip(found, cells, strict=True):
        if len(cell) < 3:
            continue
        area, (lx, ly) = _area_centroid(cell)
        ring = [[round(x / kx, 6), round(y / METRES_PER_DEG, 6)] for x, y in cell]
        ring.append(ring[0])
        features.append(
            (
                area,
                {
                    "type": "Feature",
                    "properties": {
                        "code": w.code,
                        "name": w.name,
                        # The name goes in the middle of the area drawn, not on its point.
                        "label": [round(lx / kx, 6), round(ly / METRES_PER_DEG, 6)],
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                },
            )
        )
    # Largest first: a map that has no room for every name keeps the larger areas' names.
    features.sort(key=lambda f: -f[0])
    return {"type": "FeatureCollection", "features": [f for _, f in features]}


def _area_centroid(polygon: list[tuple[float, float]]) -> tuple[float, tuple[float, float]]:
    """The area and centroid of a simple polygon (shoelace formula)."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(a) < 1e-9:
        xs, ys = zip(*polygon, strict=True)
        return 0.0, (sum(xs) / len(xs), sum(ys) / len(ys))
    return abs(a) / 2, (cx / (3 * a), cy / (3 * a))
