"""Points and grid: each event's point once per harm type, binned to H3 cells whose
distances are measured on the British National Grid (EPSG:27700), and the cells' neighbours."""

from __future__ import annotations

import math
from dataclasses import dataclass

import h3
import numpy as np
import polars as pl
from pyproj import Transformer
from scipy import sparse
from scipy.spatial import cKDTree

_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)
_TO_WGS = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def points(
    snapshot_events: pl.DataFrame, missing: pl.DataFrame, places: pl.DataFrame
) -> pl.DataFrame:
    """One row per (event, harm type) with a point, plus missing episodes' found locations.

    Columns: harm_type, at (datetime), latitude, longitude, event_id (null for episodes),
    episode_id (null for events), ward ("" when unknown).
    """
    ev = (
        snapshot_events.filter(pl.col("latitude").is_not_null() & pl.col("longitude").is_not_null())
        .select(
            "event_id",
            at=pl.col("occurred_at"),
            latitude="latitude",
            longitude="longitude",
            ward=pl.col("ward").fill_null(""),
            harm_type=pl.col("harm_types").list.unique(),
        )
        .explode("harm_type")
        .filter(pl.col("harm_type").is_not_null() & (pl.col("harm_type") != ""))
        .with_columns(episode_id=pl.lit(None, dtype=pl.Int64))
    )
    ward_of = places.select(found_place="place", ward=pl.col("ward").fill_null(""))
    ms = (
        missing.filter(
            pl.col("found_latitude").is_not_null() & pl.col("found_longitude").is_not_null()
        )
        .join(ward_of.unique("found_place"), on="found_place", how="left")
        .select(
            event_id=pl.lit(None, dtype=pl.Int64),
            at=pl.coalesce("returned_at", "went_missing_at"),
            latitude="found_latitude",
            longitude="found_longitude",
            ward=pl.col("ward").fill_null(""),
            harm_type=pl.lit("missing"),
            episode_id="episode_id",
        )
        .filter(pl.col("at").is_not_null())
    )
    cols = ["harm_type", "at", "latitude", "longitude", "event_id", "episode_id", "ward"]
    return pl.concat([ev.select(cols), ms.select(cols)])


def to_bng(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x, y = _TO_BNG.transform(lon, lat)
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """BNG easting/northing -> (longitude, latitude)."""
    lon, lat = _TO_WGS.transform(x, y)
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def _bin(pts: pl.DataFrame, resolution: int) -> pl.DataFrame:
    """Add x, y (BNG metres) and cell (H3 id) to each point; each distinct coordinate once."""
    coords = pts.select("latitude", "longitude").unique()
    lat = coords["latitude"].to_numpy()
    lon = coords["longitude"].to_numpy()
    x, y = to_bng(lon, lat)
    cells = [
        h3.latlng_to_cell(a, b, resolution) for a, b in zip(lat.tolist(), lon.tolist(), strict=True)
    ]
    coords = coords.with_columns(
        x=pl.Series(x), y=pl.Series(y), cell=pl.Series(cells, dtype=pl.String)
    )
    return pts.join(coords, on=["latitude", "longitude"], how="left")


@dataclass(frozen=True)
class _Grid:
    cells: list[str]  # the study area, sorted
    x: np.ndarray  # BNG centres
    y: np.ndarray
    neighbours: list[np.ndarray]  # per cell: indices of cells within neighbour_m (not itself)
    spacing_m: float  # distance between the centres of touching cells
    edge_m: float  # hexagon edge (= circumradius)


def _grid(occupied: list[str], neighbour_m: float | None) -> _Grid:
    area: set[str] = set()
    for c in occupied:
        area.update(h3.grid_disk(c, 1))
    cells = sorted(area)
    latlng = np.array([h3.cell_to_latlng(c) for c in cells]).reshape(-1, 2)
    x, y = to_bng(latlng[:, 1], latlng[:, 0])
    # The spacing of touching cells, measured on the BNG around the first occupied cell.
    c0 = occupied[0]
    ring = list(h3.grid_ring(c0, 1))
    rl = np.array([h3.cell_to_latlng(c) for c in [c0, *ring]])
    rx, ry = to_bng(rl[:, 1], rl[:, 0])
    spacing = float(np.median(np.hypot(rx[1:] - rx[0], ry[1:] - ry[0])))
    band = neighbour_m if neighbour_m is not None else 1.25 * spacing
    tree = cKDTree(np.column_stack([x, y]))
    pairs = tree.query_pairs(band, output_type="ndarray")
    nb: list[list[int]] = [[] for _ in cells]
    for i, j in pairs.tolist():
        nb[i].append(j)
        nb[j].append(i)
    return _Grid(
        cells=cells,
        x=x,
        y=y,
        neighbours=[np.array(sorted(n), dtype=np.int64) for n in nb],
        spacing_m=spacing,
        edge_m=spacing / math.sqrt(3.0),
    )


def _disks(grid: _Grid, rings: int) -> sparse.csr_matrix:
    """Cell x cell 0/1 matrix: row i marks the cells within ``rings`` steps of cell i."""
    n = len(grid.cells)
    rows = np.repeat(np.arange(n), [len(nb) for nb in grid.neighbours])
    cols = np.concatenate(list(grid.neighbours)) if n else np.zeros(0, dtype=np.int64)
    step = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    step = step + sparse.identity(n, format="csr")
    disk = sparse.identity(n, format="csr")
    for _ in range(max(rings, 0)):
        disk = ((disk @ step) > 0).astype(np.float64).tocsr()
    return disk
