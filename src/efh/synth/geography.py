"""The borough's map: wards, postcodes, homes and the places where things happen.

Everything sits inside the box 51.53-51.58 N, 0.10-0.02 W, scattered around the 21 ward centroids
of ``efh/contexts/data/wards_hackney.csv``. Postcodes use the borough's districts (E2, E5, E8, E9,
N1, N4, N16) with invented sectors and units. Place names are built from an invented word list.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from efh.synth.names import PLACE_WORDS, NamePools

WARDS_CSV = Path(__file__).resolve().parents[1] / "contexts" / "data" / "wards_hackney.csv"

LAT_MIN, LAT_MAX = 51.53, 51.58
LON_MIN, LON_MAX = -0.10, -0.02
_MARGIN = 0.0004  # keep points a few tens of metres inside the box
METRES_PER_DEG_LAT = 111_320.0
METRES_PER_DEG_LON = 111_320.0 * float(np.cos(np.radians(51.555)))

WARD_DISTRICTS = {
    "Brownswood": ("N4",),
    "Woodberry Down": ("N4", "N16"),
    "Cazenove": ("N16", "E5"),
    "Clissold": ("N16",),
    "Stoke Newington": ("N16",),
    "Stamford Hill West": ("N16",),
    "Springfield": ("E5", "N16"),
    "Lea Bridge": ("E5",),
    "King's Park": ("E5", "E9"),
    "Hackney Downs": ("E5", "E8"),
    "Shacklewell": ("E8", "N16"),
    "Dalston": ("E8",),
    "De Beauvoir": ("N1",),
    "Hoxton West": ("N1",),
    "Hoxton East & Shoreditch": ("N1", "E2"),
    "Haggerston": ("E2", "E8"),
    "London Fields": ("E8",),
    "Hackney Central": ("E8",),
    "Homerton": ("E9",),
    "Victoria": ("E9",),
    "Hackney Wick": ("E9",),
}
# Letters allowed in the inward code's unit (Royal Mail never uses C, I, K, M, O, V there).
_UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

ORGANISATION_KINDS = (
    "school",
    "alternative_provision",
    "business",
    "licensed_premises",
    "hotel",
    "taxi_operator",
    "youth_club",
    "other",
)
LOCATION_KINDS = ("park", "estate", "transport_hub", "shop", "takeaway", "street")

# Place types: (type, exchange kind, is organisation, children per place, minimum, name templates)
PLACE_TYPES: tuple[tuple[str, str, bool, float, int, tuple[str, ...]], ...] = (
    (
        "primary",
        "school",
        True,
        430,
        2,
        ("{w} Primary School", "St {w}'s CE Primary", "{w} Community School", "{w} Infants"),
    ),
    ("secondary", "school", True, 1000, 1, ("{w} Academy", "{w} High School", "{w} School")),
    (
        "ap",
        "alternative_provision",
        True,
        20000,
        1,
        ("{w} Pupil Referral Unit", "The {w} Centre", "{w} Learning Centre"),
    ),
    ("estate", "estate", False, 400, 4, ("{w} Estate", "{w} Gardens Estate", "{w} House Estate")),
    ("park", "park", False, 2000, 3, ("{w} Park", "{w} Fields", "{w} Green", "{w} Common")),
    (
        "transport",
        "transport_hub",
        False,
        4000,
        3,
        ("{w} Overground station", "{w} bus station", "{w} Road bus stop"),
    ),
    (
        "shop",
        "shop",
        False,
        400,
        5,
        ("{w} Food & Wine", "{w} Mini Market", "{w} Phones", "{w} Convenience Store"),
    ),
    (
        "takeaway",
        "takeaway",
        False,
        400,
        5,
        ("{w} Fried Chicken", "{w} Kebab House", "{w} Pizza", "{w} Chicken & Chips"),
    ),
    (
        "licensed",
        "licensed_premises",
        True,
        800,
        3,
        ("The {w} Arms", "{w} Tavern", "{w} Bar", "{w} Off Licence"),
    ),
    ("hotel", "hotel", True, 6000, 1, ("{w} Hotel", "{w} Lodge", "{w} Budget Inn")),
    (
        "youth_club",
        "youth_club",
        True,
        3000,
        2,
        ("{w} Youth Club", "{w} Adventure Playground", "{w} Boxing Club"),
    ),
    ("business", "business", True, 1000, 3, ("{w} Car Wash", "{w} Barbers", "{w} Motors")),
    ("taxi", "taxi_operator", True, 15000, 1, ("{w} Cars", "{w} Minicabs")),
    ("hospital", "other", True, 10**9, 1, ("{w} University Hospital",)),
    ("gp", "other", True, 3000, 2, ("{w} Medical Centre", "{w} Surgery")),
    ("street", "street", False, 300, 5, ()),
)
PLACE_TYPE_INDEX = {t[0]: i for i, t in enumerate(PLACE_TYPES)}


@dataclass
class Wards:
    code: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    near: np.ndarray  # (wards, wards): indexes of wards ordered by distance, self first


@dataclass
class Postcodes:
    code: np.ndarray  # object array of "E8 3AB"
    lat: np.ndarray
    lon: np.ndarray
    ward: np.ndarray
    by_ward: list[np.ndarray]


@dataclass
class Places:
    """Real places of the borough (before any agency records them)."""

    ptype: np.ndarray  # index into PLACE_TYPES
    kind: np.ndarray  # exchange kind (object)
    is_org: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    postcode: np.ndarray
    ward: np.ndarray

    def of_type(self, *types: str) -> np.ndarray:
        wanted = np.array([PLACE_TYPE_INDEX[t] for t in types])
        return np.flatnonzero(np.isin(self.ptype, wanted))

    def __len__(self) -> int:
        return len(self.ptype)


def load_wards() -> Wards:
    with WARDS_CSV.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    d = distance_m(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    return Wards(
        code=np.array([r["code"] for r in rows], dtype=object),
        name=np.array([r["name"] for r in rows], dtype=object),
        lat=lat,
        lon=lon,
        near=np.argsort(d, axis=1, kind="stable"),
    )


def distance_m(lat1, lon1, lat2, lon2):  # type: ignore[no-untyped-def]
    """Equirectangular distance in metres: exact enough across one borough."""
    dy = (lat1 - lat2) * METRES_PER_DEG_LAT
    dx = (lon1 - lon2) * METRES_PER_DEG_LON
    return np.sqrt(dx * dx + dy * dy)


def in_box(lat: np.ndarray, lon: np.ndarray, margin: float = _MARGIN) -> np.ndarray:
    return (
        (lat > LAT_MIN + margin)
        & (lat < LAT_MAX - margin)
        & (lon > LON_MIN + margin)
        & (lon < LON_MAX - margin)
    )


def scatter(
    rng: np.random.Generator,
    lat0: np.ndarray,
    lon0: np.ndarray,
    sd_m: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Points normally scattered (``sd_m`` metres) around each centre, redrawn until in the box."""
    lat0 = np.asarray(lat0, dtype=float)
    lon0 = np.asarray(lon0, dtype=float)
    lat = lat0 + rng.normal(0, sd_m / METRES_PER_DEG_LAT, lat0.shape)
    lon = lon0 + rng.normal(0, sd_m / METRES_PER_DEG_LON, lon0.shape)
    for _ in range(20):
        bad = ~in_box(lat, lon)
        if not bad.any():
            break
        k = int(bad.sum())
        lat[bad] = lat0[bad] + rng.normal(0, sd_m / METRES_PER_DEG_LAT, k)
        lon[bad] = lon0[bad] + rng.normal(0, sd_m / METRES_PER_DEG_LON, k)
    lat = np.clip(lat, LAT_MIN + _MARGIN, LAT_MAX - _MARGIN)
    lon = np.clip(lon, LON_MIN + _MARGIN, LON_MAX - _MARGIN)
    return lat, lon


def in_disc(
    rng: np.random.Generator, lat0: float, lon0: float, radius_m: float, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points spread over a disc, denser towards its centre."""
    r = radius_m * rng.random(n) ** 0.75
    theta = rng.random(n) * 2 * np.pi
    lat = lat0 + r * np.sin(theta) / METRES_PER_DEG_LAT
    lon = lon0 + r * np.cos(theta) / METRES_PER_DEG_LON
    return lat, lon


MAX_POSTCODES_PER_WARD = 600


def make_postcodes(rng: np.random.Generator, wards: Wards, per_ward: int) -> Postcodes:
    """``per_ward`` unit postcodes in each ward's districts (at most ``MAX_POSTCODES_PER_WARD``:
    the borough's seven districts hold 4,000 units each here, shared between wards, so a very
    large synthetic borough has more homes per postcode instead of asking for codes that do not
    exist)."""
    per_ward = min(per_ward, MAX_POSTCODES_PER_WARD)
    per_district = 2 if per_ward <= 100 else 10
    used: dict[str, None] = {}
    codes: list[str] = []
    ward_of: list[int] = []
    for w, name in enumerate(wards.name):
        districts = WARD_DISTRICTS.get(str(name), ("E8",))
        if per_district == 2:
            sectors = rng.integers(0, 10, size=len(districts) * 2)
        else:  # every sector of each district, in a random order
            sectors = np.concatenate([rng.permutation(10) for _ in districts])
        made = tries = 0
        while made < per_ward:
            tries += 1
            if tries > 100 * per_ward:
                raise RuntimeError(f"ward {name}: ran out of unused postcodes")
            d = int(rng.integers(0, len(districts)))
            sector = int(sectors[d * per_district + int(rng.integers(0, per_district))])
            unit = _UNIT_LETTERS[int(rng.integers(0, 20))] + _UNIT_LETTERS[int(rng.integers(0, 20))]
            code = f"{districts[d]} {sector}{unit}"
            if code in used:
                continue
            used[code] = None
            codes.append(code)
            ward_of.append(w)
            made += 1
    ward = np.array(ward_of)
    lat, lon = scatter(rng, wards.lat[ward], wards.lon[ward], 380)
    by_ward = [np.flatnonzero(ward == w) for w in range(len(wards.name))]
    return Postcodes(np.array(codes, dtype=object), lat, lon, ward, by_ward)


def nearest_postcode(postcodes: Postcodes, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Index of the nearest postcode centre to each point (in chunks to bound memory)."""
    out = np.empty(len(lat), dtype=np.int64)
    for start in range(0, len(lat), 2000):
        sl = slice(start, start + 2000)
        d = distance_m(lat[sl, None], lon[sl, None], postcodes.lat[None, :], postcodes.lon[None, :])
        out[sl] = np.argmin(d, axis=1)
    return out


def nearest_ward(wards: Wards, lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    d = distance_m(lat[:, None], lon[:, None], wards.lat[None, :], wards.lon[None, :])
    return np.argmin(d, axis=1)


def _names(rng: np.random.Generator, templates: tuple[str, ...], n: int) -> list[str]:
    words = list(PLACE_WORDS)
    combos = [t.format(w=w) for t in templates for w in words]
    order = rng.permutation(len(combos))
    names = [combos[i] for i in order[:n]]
    while len(names) < n:  # more places than combinations: number the rest
        names.append(f"{combos[order[len(names) % len(combos)]]} {len(names) // len(combos) + 1}")
    return names


def make_places(
    rng: np.random.Generator,
    wards: Wards,
    postcodes: Postcodes,
    pools: NamePools,
    children: int,
) -> Places:
    ptype: list[np.ndarray] = []
    names: list[str] = []
    nw = len(wards.name)
    for t, (_key, _kind, _org, per, minimum, templates) in enumerate(PLACE_TYPES):
        n = max(minimum, round(children / per))
        ptype.append(np.full(n, t))
        if templates:
            names.extend(_names(rng, templates, n))
        else:
            streets = pools.streets[rng.permutation(len(pools.streets))]
            names.extend(
                f"{streets[i % len(streets)]} (junction with {streets[(i + 7) % len(streets)]})"
                for i in range(n)
            )
    pt = np.concatenate(ptype)
    # Spread each type over the wards (every ward gets its share before any gets two).
    ward = np.empty(len(pt), dtype=np.int64)
    for t in range(len(PLACE_TYPES)):
        idx = np.flatnonzero(pt == t)
        cycle = np.concatenate([rng.permutation(nw) for _ in range(len(idx) // nw + 1)])
        ward[idx] = cycle[: len(idx)]
    lat, lon = scatter(rng, wards.lat[ward], wards.lon[ward], 420)
    pc = nearest_postcode(postcodes, lat, lon)
    kinds = np.array([PLACE_TYPES[t][1] for t in pt], dtype=object)
    is_org = np.array([PLACE_TYPES[t][2] for t in pt])
    return Places(
        ptype=pt,
        kind=kinds,
        is_org=is_org,
        name=np.array(names, dtype=object),
        lat=lat,
        lon=lon,
        postcode=postcodes.code[pc],
        ward=ward,
    )


def places_by_ward(places: Places, idx: np.ndarray, n_wards: int) -> list[np.ndarray]:
    """For each ward, the places among ``idx`` in it (falling back to all of ``idx``)."""
    out = []
    for w in range(n_wards):
        here = idx[places.ward[idx] == w]
        out.append(here if len(here) else idx)
    return out


def pick_in_ward(
    rng: np.random.Generator, table: list[np.ndarray], wards: np.ndarray
) -> np.ndarray:
    """One place per entry of ``wards``, uniformly among that ward's places in ``table``."""
    sizes = np.array([len(t) for t in table])
    flat = np.concatenate(table)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    offset = (rng.random(len(wards)) * sizes[wards]).astype(np.int64)
    return flat[starts[wards] + offset]
