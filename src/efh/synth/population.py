"""The borough's true people: children in households, adults, peer groups and exploiters.

Nothing here is what an agency holds; ``records`` turns these people into agency records, with
the gaps and errors real systems have. Children are indexes ``0 .. children-1``; adults follow.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from efh.synth.geography import (
    Places,
    Postcodes,
    Wards,
    distance_m,
    pick_in_ward,
    places_by_ward,
    scatter,
)
from efh.synth.names import (
    CULTURE_INDEX,
    GROUP_SUFFIXES,
    PLACE_WORDS,
    NamePools,
    feminine,
    street_name,
)

DAY = np.timedelta64(1, "D")
YEAR_DAYS = 365.25
SIBLING_GAP_DAYS = 300  # brothers and sisters who are not twins are born at least this far apart

# "" = not known.
ETHNICITY_CODES = (*"W1 W2 W3 W4 W5 B1 B2 B3 A1 A2 A3 A4 A5 M1 M2 M3 M4 O1 O2".split(), "")
# Shares in the order of ETHNICITY_CODES (W1 .. O2, then not known).
_ETH_SHARE = np.array(
    [0.35, 0.015, 0.003, 0.007, 0.15, 0.10, 0.06, 0.03, 0.025, 0.015, 0.035, 0.015, 0.01,
     0.02, 0.02, 0.035, 0.025, 0.01, 0.05, 0.025]
)  # fmt: skip
# Wards where a community is more concentrated: (ward names, ethnicity codes, multiplier).
_WARD_LEANINGS = (
    (("Springfield", "Cazenove", "Stamford Hill West"), ("W1", "W5"), 1.35),
    (("Dalston", "Stoke Newington", "Shacklewell", "Clissold", "Lea Bridge"), ("W5", "O2"), 1.5),
    (("Hoxton East & Shoreditch", "Haggerston", "Hoxton West"), ("A3",), 3.0),
    (
        ("Hackney Downs", "Homerton", "King's Park", "Victoria", "Hackney Central"),
        ("B1", "B2", "M3"),
        1.4,
    ),
)
_ORTHODOX_WARDS = ("Springfield", "Cazenove", "Stamford Hill West")

# The naming cultures behind each ethnicity code: ((culture, weight), ...).
_CULTURES_OF = {
    "W1": (("british", 0.92), ("jewish", 0.08)),
    "W2": (("irish", 1.0),),
    "W3": (("traveller", 1.0),),
    "W4": (("roma", 1.0),),
    "W5": (("polish", 0.3), ("turkish_kurdish", 0.3), ("jewish", 0.12), ("other_white", 0.28)),
    "B1": (("west_african", 0.7), ("somali", 0.3)),
    "B2": (("caribbean", 1.0),),
    "B3": (("caribbean", 0.5), ("west_african", 0.5)),
    "A1": (("indian", 1.0),),
    "A2": (("pakistani", 1.0),),
    "A3": (("bangladeshi", 1.0),),
    "A4": (("chinese", 1.0),),
    "A5": (("other_asian", 1.0),),
    "O1": (("arab", 1.0),),
    "O2": (("turkish_kurdish", 0.5), ("latin", 0.25), ("other_asian", 0.25)),
}
_MIXED = {
    "M1": ("british", ("indian", "pakistani", "bangladeshi")),
    "M2": ("british", ("west_african",)),
    "M3": ("british", ("caribbean",)),
}

KIND_CHILD, KIND_EXPLOITER, KIND_ADULT_OF_CONCERN, KIND_ADULT = 0, 1, 2, 3


@dataclass
class Group:
    gid: str
    ward: int
    members: np.ndarray  # person indexes, leaders included
    leaders: np.ndarray
    places: np.ndarray  # place indexes the group hangs around
    label: str
    start: np.datetime64  # active from (day)
    end: np.datetime64


@dataclass
class Exploiter:
    pid: int
    children: np.ndarray
    places: np.ndarray


@dataclass
class People:
    n_children: int
    kind: np.ndarray
    dob: np.ndarray  # datetime64[D]
    sex: np.ndarray  # "F"/"M"/"X"
    ethnicity: np.ndarray  # code or ""
    given: np.ndarray
    family: np.ndarray
    street: np.ndarray  # street name / nickname or ""
    household: np.ndarray
    address: np.ndarray
    postcode: np.ndarray
    prev_address: np.ndarray  # "" when they have not moved
    prev_postcode: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ward: np.ndarray
    estate: np.ndarray  # place index of the estate they live on, -1 otherwise
    school: np.ndarray  # place index, -1 when none
    looked_after: np.ndarray
    send: np.ndarray
    cpp: np.ndarray
    nhs: np.ndarray
    upn: np.ndarray
    pnc: np.ndarray
    phone: np.ndarray
    risk: np.ndarray
    groups: list[Group] = field(default_factory=list)
    exploiters: list[Exploiter] = field(default_factory=list)
    group_of: list[list[int]] = field(default_factory=list)  # per child: group indexes

    def __len__(self) -> int:
        return len(self.kind)

    def age_years(self, as_of: date) -> np.ndarray:
        return (np.datetime64(as_of, "D") - self.dob).astype(np.int64) / YEAR_DAYS


# --- identifiers -------------------------------------------------------------------------


def nhs_numbers(rng: np.random.Generator, n: int) -> np.ndarray:
    """Distinct NHS numbers in the 999 range kept for testing, with valid mod-11 check digits."""
    want = min(1_000_000, int(n * 1.2) + 50)
    stems = 999_000_000 + rng.choice(1_000_000, size=want, replace=False)
    digits = (stems[:, None] // 10 ** np.arange(8, -1, -1)) % 10
    total = (digits * np.arange(10, 1, -1)).sum(axis=1)
    check = (11 - total % 11) % 11
    ok = check != 10
    numbers = stems[ok] * 10 + check[ok]
    if len(numbers) < n:
        raise ValueError(f"the NHS test range holds too few numbers for {n:,} people")
    return numbers[:n].astype(str).astype(object)


_UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
_PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"


def upn(twelve_digits: str) -> str:
    """A unique pupil number: check letter, then LA code, school, year and serial."""
    total = sum(int(d) * w for d, w in zip(twelve_digits, range(2, 14), strict=True))
    return _UPN_LETTERS[total % 23] + twelve_digits


def pnc(year2: int, number: int) -> str:
    """A PNC id ``YY/NNNNNNNA`` with the usual mod-23 check letter."""
    return f"{year2:02d}/{number:07d}{_PNC_LETTERS[int(f'{year2:02d}{number:07d}') % 23]}"


# --- the people ------------------------------------------------------------------------


def _ward_ethnicity(wards: Wards) -> np.ndarray:
    m = np.tile(_ETH_SHARE, (len(wards.name), 1))
    for names, codes, mult in _WARD_LEANINGS:
        for w, wn in enumerate(wards.name):
            if wn in names:
                for c in codes:
                    m[w, ETHNICITY_CODES.index(c)] *= mult
    return m / m.sum(axis=1, keepdims=True)


def _cultures(rng: np.random.Generator, eth: np.ndarray, orthodox: np.ndarray) -> np.ndarray:
    """(family culture, given culture) per person from the ethnicity code."""
    n = len(eth)
    fam = np.empty(n, dtype=np.int64)
    giv = np.empty(n, dtype=np.int64)
    u1, u2, u3 = rng.random(n), rng.random(n), rng.random(n)
    known = [e for e in ETHNICITY_CODES if e]
    for i in range(n):
        e = eth[i]
        if not e:
            e = known[int(u3[i] * 12) % len(known)]  # unknown: any community
        if e in _MIXED or e == "M4":
            if e == "M4":
                a, b = "british", ("caribbean", "west_african", "turkish_kurdish", "other_white")
            else:
                a, b = _MIXED[e]
            other = b[int(u3[i] * len(b))]
            pair = (a, other)
            fam[i] = CULTURE_INDEX[pair[int(u1[i] * 2)]]
            giv[i] = CULTURE_INDEX[pair[int(u2[i] * 2)]]
            continue
        options = _CULTURES_OF[e]
        if orthodox[i] and e in ("W1", "W5"):
            options = (("jewish", 0.7), *options)
        total = sum(w for _, w in options)
        x, acc, pick = u1[i] * total, 0.0, options[-1][0]
        for c, w in options:
            acc += w
            if x < acc:
                pick = c
                break
        fam[i] = giv[i] = CULTURE_INDEX[pick]
    return fam, giv


def _names(
    rng: np.random.Generator,
    pools: NamePools,
    giv: np.ndarray,
    sex: np.ndarray,
    adult: np.ndarray,
) -> np.ndarray:
    n = len(giv)
    out = np.empty(n, dtype=object)
    u = rng.random(n)
    british = CULTURE_INDEX["british"]
    for i in range(n):
        female = sex[i] == "F"
        if giv[i] == british and adult[i] and u[i] < 0.7:
            pool = pools.british_adult_female if female else pools.british_adult_male
        else:
            pool = pools.female[giv[i]] if female else pools.male[giv[i]]
        out[i] = pool[int(u[i] * 9973) % len(pool)]
    return out


def _families(rng: np.random.Generator, pools: NamePools, fam: np.ndarray) -> np.ndarray:
    u = rng.random(len(fam))
    return np.array(
        [pools.family[f][int(x * len(pools.family[f]))] for f, x in zip(fam, u, strict=True)],
        dtype=object,
    )


@dataclass
class _Homes:
    address: np.ndarray
    postcode: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    ward: np.ndarray
    estate: np.ndarray


def _homes(
    rng: np.random.Generator,
    ward: np.ndarray,
    wards: Wards,
    postcodes: Postcodes,
    places: Places,
    pools: NamePools,
) -> _Homes:
    """An address per household: a flat on an estate or a house on a street of its ward."""
    n = len(ward)
    estates = places_by_ward(places, places.of_type("estate"), len(wards.name))
    on_estate = rng.random(n) < 0.42
    estate = np.where(on_estate, pick_in_ward(rng, estates, ward), -1)
    pc_table = postcodes.by_ward
    pc = pick_in_ward(rng, pc_table, ward)
    lat = postcodes.lat[pc].copy()
    lon = postcodes.lon[pc].copy()
    postcode = postcodes.code[pc].copy()
    e = estate >= 0
    lat[e] = places.lat[estate[e]]
    lon[e] = places.lon[estate[e]]
    postcode[e] = places.postcode[estate[e]]
    lat, lon = scatter(rng, lat, lon, 50)
    flat = rng.integers(1, 120, n)
    number = rng.integers(1, 180, n)
    block = rng.integers(0, len(PLACE_WORDS), n)
    streets = pools.streets
    address = np.empty(n, dtype=object)
    for i in range(n):
        if estate[i] >= 0:
            address[i] = f"Flat {flat[i]}, {PLACE_WORDS[block[i]]} House"
        else:
            address[i] = f"{number[i]} {streets[(pc[i] * 7) % len(streets)]}"
    return _Homes(address, postcode, lat, lon, ward, estate)


def _choose(rng: np.random.Generator, n: int, k: int, weight: np.ndarray) -> np.ndarray:
    k = min(k, int((weight > 0).sum()))
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(rng.choice(n, size=k, replace=False, p=weight / weight.sum()))


def make_people(
    rng: np.random.Generator,
    pools: NamePools,
    wards: Wards,
    postcodes: Postcodes,
    places: Places,
    children: int,
    as_of: date,
) -> People:
    today = np.datetime64(as_of, "D")
    nw = len(wards.name)
    ward_weight = np.clip(1 + 0.25 * rng.standard_normal(nw), 0.5, 1.6)
    ward_weight /= ward_weight.sum()
    eth_by_ward = _ward_ethnicity(wards)

    # Households of children.
    sizes = rng.choice([1, 2, 3, 4], size=children, p=[0.42, 0.36, 0.16, 0.06])
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), children)) + 1]
    sizes[-1] -= sizes.sum() - children
    n_hh = len(sizes)
    hh_of_child = np.repeat(np.arange(n_hh), sizes)
    hh_ward = rng.choice(nw, size=n_hh, p=ward_weight)
    cum = eth_by_ward[hh_ward].cumsum(axis=1)
    hh_eth_idx = (rng.random(n_hh)[:, None] > cum).sum(axis=1).clip(0, len(ETHNICITY_CODES) - 1)

    # Adults: exploiters, adults of concern around groups, other adults (victims, witnesses).
    n_groups = max(2, round(children / 150))
    n_exploiters = max(2, round(children / 1000))
    n_aoc = max(1, round(0.4 * n_groups))
    n_other = round(0.17 * children)
    n_adults = n_exploiters + n_aoc + n_other
    n = children + n_adults
    kind = np.concatenate(
        [
            np.full(children, KIND_CHILD),
            np.full(n_exploiters, KIND_EXPLOITER),
            np.full(n_aoc, KIND_ADULT_OF_CONCERN),
            np.full(n_other, KIND_ADULT),
        ]
    ).astype(np.int8)
    adult = kind != KIND_CHILD
    ad_ward = rng.choice(nw, size=n_adults, p=ward_weight)
    ad_cum = eth_by_ward[ad_ward].cumsum(axis=1)
    ad_eth_idx = (rng.random(n_adults)[:, None] > ad_cum).sum(axis=1)
    ad_eth_idx = ad_eth_idx.clip(0, len(ETHNICITY_CODES) - 1)

    eth_codes = np.array(ETHNICITY_CODES, dtype=object)
    ethnicity = np.concatenate([eth_codes[hh_eth_idx[hh_of_child]], eth_codes[ad_eth_idx]])
    home_ward = np.concatenate([hh_ward[hh_of_child], ad_ward])
    orthodox = np.isin(wards.name[home_ward], _ORTHODOX_WARDS)

    # Sex: mostly F/M; exploiters mostly men.
    u = rng.random(n)
    sex = np.where(u < 0.497, "F", "M").astype(object)
    sex[u > 0.997] = "X"
    ex = kind == KIND_EXPLOITER
    sex[ex] = np.where(rng.random(ex.sum()) < 0.85, "M", "F")

    # Dates of birth: children 0-17 uniformly; adults by kind.
    age_days = np.empty(n)
    age_days[:children] = rng.random(children) * (18 * YEAR_DAYS - 2)
    lo_hi = {
        KIND_EXPLOITER: (19, 38),
        KIND_ADULT_OF_CONCERN: (18, 25),
        KIND_ADULT: (18, 70),
    }
    for k, (lo, hi) in lo_hi.items():
        m = kind == k
        years = lo + (hi - lo) * rng.random(m.sum()) ** (1.6 if k == KIND_ADULT else 1.0)
        age_days[m] = years * YEAR_DAYS
    dob = today - age_days.astype(np.int64) * DAY
    # Twins: the second child of some households shares the first child's birthday.
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    twins = starts[(sizes >= 2) & (rng.random(n_hh) < 0.035)]
    dob[twins + 1] = dob[twins]

    # Names: one family culture per household; some half-siblings with another surname.
    fam_c, giv_c = _cultures(rng, ethnicity, orthodox)
    hh_first = starts[hh_of_child]
    fam_c[:children] = fam_c[hh_first]
    given = _names(rng, pools, giv_c, sex, adult)
    family = _families(rng, pools, fam_c)
    same_name = rng.random(children) > 0.12
    family[:children] = np.where(same_name, family[hh_first], family[:children])
    family[twins + 1] = family[twins]  # twins share a surname
    polish = fam_c == CULTURE_INDEX["polish"]
    for i in np.flatnonzero(polish & (sex == "F")):
        family[i] = feminine(family[i])
    # Brothers and sisters (twins included) have different given names, and those who are not
    # twins are born at least SIBLING_GAP_DAYS apart: same-named siblings born days apart made
    # pairs no real register holds.
    twin_set = {int(t) + 1 for t in twins}
    for start, size in zip(starts[sizes >= 2].tolist(), sizes[sizes >= 2].tolist(), strict=True):
        members = sorted(range(start, start + size), key=lambda i: (dob[i], i))
        for prev, cur in itertools.pairwise(members):
            if cur in twin_set or (prev in twin_set and dob[prev] == dob[cur]):
                continue
            gap = int((dob[cur] - dob[prev]) / DAY)
            if gap < SIBLING_GAP_DAYS:
                dob[cur] = min(dob[prev] + SIBLING_GAP_DAYS * DAY, today)
        used: set[str] = set()
        for i in range(start, start + size):
            if given[i] in used:
                pool = list(pools.female[giv_c[i]] if sex[i] == "F" else pools.male[giv_c[i]])
                k = pool.index(given[i]) if given[i] in pool else 0
                for step in range(1, len(pool)):
                    if pool[(k + step) % len(pool)] not in used:
                        given[i] = pool[(k + step) % len(pool)]
                        break
            used.add(given[i])

    # Homes.
    hh_homes = _homes(rng, hh_ward, wards, postcodes, places, pools)
    ad_homes = _homes(rng, ad_ward, wards, postcodes, places, pools)

    def both(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.concatenate([a[hh_of_child], b])

    address = both(hh_homes.address, ad_homes.address)
    postcode = both(hh_homes.postcode, ad_homes.postcode)
    lat = both(hh_homes.lat, ad_homes.lat)
    lon = both(hh_homes.lon, ad_homes.lon)
    estate = both(hh_homes.estate, ad_homes.estate)
    household = np.concatenate([hh_of_child, n_hh + np.arange(n_adults)])

    age = (today - dob).astype(np.int64) / YEAR_DAYS
    risk = rng.lognormal(0.0, 0.9, n)
    risk[:children] *= np.interp(age[:children], [0, 9, 12, 15, 18], [0.3, 0.4, 1.0, 2.0, 2.4])

    # Statuses: ~1% looked after, ~15% SEND, ~3% on a child protection plan (whole households).
    child_idx = np.arange(children)
    w_lac = risk[:children] * np.interp(age[:children], [0, 10, 14, 18], [0.4, 0.8, 1.6, 2.0])
    lac = np.zeros(n, dtype=bool)
    lac[_choose(rng, children, round(0.01 * children), w_lac)] = True
    w_send = np.where(sex[:children] == "M", 1.7, 1.0) * (0.6 + np.minimum(risk[:children], 3))
    send = np.zeros(n, dtype=bool)
    send[_choose(rng, children, round(0.15 * children), w_send)] = True
    cpp = np.zeros(n, dtype=bool)
    hh_order = rng.permutation(n_hh)
    quota = round(0.03 * children)
    chosen_hh = hh_order[np.cumsum(sizes[hh_order]) <= quota]
    cpp[:children] = np.isin(hh_of_child, chosen_hh) & ~lac[:children]
    risk[lac] *= 2.5
    risk[cpp] *= 1.5

    # Moves: looked-after children live in a placement; some families moved recently.
    prev_address = np.full(n, "", dtype=object)
    prev_postcode = np.full(n, "", dtype=object)
    movers = lac.copy()
    movers[:children] |= rng.random(children) < 0.06
    movers[children:] |= rng.random(n_adults) < 0.06
    mv = np.flatnonzero(movers)
    new = _homes(rng, rng.choice(nw, size=len(mv), p=ward_weight), wards, postcodes, places, pools)
    prev_address[mv] = address[mv]
    prev_postcode[mv] = postcode[mv]
    address[mv] = new.address
    postcode[mv] = new.postcode
    lat[mv], lon[mv], estate[mv] = new.lat, new.lon, new.estate
    home_ward[mv] = new.ward

    # Schools: the nearest-ish school of the right phase; a few older children in AP.
    school = np.full(n, -1, dtype=np.int64)
    primaries, secondaries = places.of_type("primary"), places.of_type("secondary")
    ap = places.of_type("ap")
    for phase, lo, hi in ((primaries, 4, 11), (secondaries, 11, 18)):
        who = child_idx[(age[:children] >= lo) & (age[:children] < hi)]
        for s in range(0, len(who), 4000):
            part = who[s : s + 4000]
            d = distance_m(
                lat[part, None], lon[part, None], places.lat[phase][None], places.lon[phase][None]
            )
            score = -d / 900.0 + rng.gumbel(size=d.shape)
            school[part] = phase[np.argmax(score, axis=1)]
    older = child_idx[age[:children] >= 11]
    n_ap = max(len(ap), round(0.012 * len(older)))
    in_ap = older[np.argsort(-risk[older] * rng.lognormal(0, 0.5, len(older)))[:n_ap]]
    school[in_ap] = ap[rng.integers(0, len(ap), len(in_ap))]
    risk[in_ap] *= 1.8

    people = People(
        n_children=children,
        kind=kind,
        dob=dob,
        sex=sex,
        ethnicity=ethnicity,
        given=given,
        family=family,
        street=np.full(n, "", dtype=object),
        household=household,
        address=address,
        postcode=postcode,
        prev_address=prev_address,
        prev_postcode=prev_postcode,
        lat=lat,
        lon=lon,
        ward=home_ward,
        estate=estate,
        school=school,
        looked_after=lac,
        send=send,
        cpp=cpp,
        nhs=nhs_numbers(rng, n),
        upn=np.full(n, "", dtype=object),
        pnc=np.full(n, "", dtype=object),
        phone=np.full(n, "", dtype=object),
        risk=risk,
    )
    _plant_groups(rng, pools, people, wards, places, n_groups, age, today)
    _plant_exploiters(rng, pools, people, wards, places, age)
    _identifiers(rng, people, age, today)
    return people


def _plant_groups(
    rng: np.random.Generator,
    pools: NamePools,
    people: People,
    wards: Wards,
    places: Places,
    n_groups: int,
    age: np.ndarray,
    today: np.datetime64,
) -> None:
    """Peer groups of 3-15 older children living near each other, a few sharing members."""
    nc = people.n_children
    cand = np.flatnonzero((age[:nc] >= 11) & (age[:nc] < 18))
    taken = np.zeros(nc, dtype=bool)
    hangouts = places.of_type("estate", "park", "takeaway", "shop", "youth_club", "transport")
    hang_by_ward = places_by_ward(places, hangouts, len(wards.name))
    group_of: list[list[int]] = [[] for _ in range(nc)]
    used_labels: dict[str, None] = {}
    window_start = today - 730 * DAY
    for g in range(n_groups):
        home = int(rng.integers(0, len(wards.name)))
        near = wards.near[home][:3]
        size = int(np.clip(3 + rng.negative_binomial(2, 0.32), 3, 15))
        pool = cand[np.isin(people.ward[cand], near) & ~taken[cand]]
        if len(pool) < size:
            pool = cand[~taken[cand]]
        girls = rng.random() < 0.2
        w = np.where(people.sex[pool] == "M", 1.0, 1.0 if girls else 0.25)
        w = w * np.interp(age[pool], [11, 13, 15, 17.9], [0.3, 1.0, 2.0, 2.0])
        w = w * np.minimum(people.risk[pool], 4.0)
        members = pool[_choose(rng, len(pool), size, w)]
        taken[members] = True
        order = np.argsort(people.dob[members], kind="stable")  # oldest first
        leaders = members[order[: 1 if rng.random() < 0.7 else 2]]
        hang = hang_by_ward[home]
        spots = np.sort(hang[rng.permutation(len(hang))[: int(rng.integers(2, 5))]])
        estates = [p for p in spots if places.kind[p] == "estate"]
        base_word = (
            places.name[estates[0]].split()[0]
            if estates
            else PLACE_WORDS[int(rng.integers(len(PLACE_WORDS)))]
        )
        label = f"{base_word} {GROUP_SUFFIXES[int(rng.integers(len(GROUP_SUFFIXES)))]}"
        tries = 0
        while label in used_labels:
            tries += 1
            word = PLACE_WORDS[int(rng.integers(len(PLACE_WORDS)))]
            label = f"{word} {label.split()[-1]}" if tries < 30 else f"{label} {tries}"
        used_labels[label] = None
        start = window_start + int(rng.integers(0, 300)) * DAY
        end = today if rng.random() < 0.7 else start + int(rng.integers(240, 430)) * DAY
        people.groups.append(
            Group(
                gid=f"G-{g + 1:04d}",
                ward=home,
                members=np.sort(members),
                leaders=np.sort(leaders),
                places=spots,
                label=label,
                start=start,
                end=min(end, today),
            )
        )
        people.risk[members] *= 2.5
        people.risk[leaders] *= 1.5
        for m in members:
            group_of[m].append(g)
    # Some children belong to two groups: a member of a neighbouring group joins.
    centres = np.array([grp.ward for grp in people.groups])
    for g, grp in enumerate(people.groups):
        if rng.random() >= 0.22 or len(grp.members) >= 15:
            continue
        d = distance_m(
            wards.lat[grp.ward], wards.lon[grp.ward], wards.lat[centres], wards.lon[centres]
        )
        d[g] = np.inf
        other = people.groups[int(np.argmin(d + rng.random(len(d)) * 600))]
        joiners = [m for m in other.members if m not in grp.members and m not in other.leaders]
        k = min(len(joiners), int(rng.integers(1, 3)), 15 - len(grp.members))
        if k == 0:
            continue
        add = np.array(joiners)[rng.permutation(len(joiners))[:k]]
        grp.members = np.sort(np.concatenate([grp.members, add]))
        for m in add:
            group_of[m].append(g)
    people.group_of = group_of
    # Street names for group members (police and youth justice use them).
    u, v = rng.random(len(people)), rng.random(len(people))
    for grp in people.groups:
        for m in grp.members:
            if not people.street[m] and u[m] < 0.75:
                people.street[m] = street_name(people.given[m], pools, u[m] / 0.75, v[m])


def _plant_exploiters(
    rng: np.random.Generator,
    pools: NamePools,
    people: People,
    wards: Wards,
    places: Places,
    age: np.ndarray,
) -> None:
    """Adults who exploit several children, reaching across two to four groups."""
    nc = people.n_children
    exploiters = np.flatnonzero(people.kind == KIND_EXPLOITER)
    groups = people.groups
    g_lat = wards.lat[[g.ward for g in groups]]
    g_lon = wards.lon[[g.ward for g in groups]]
    lure = places.of_type("hotel", "takeaway", "transport", "shop", "business")
    vulnerable = np.flatnonzero(
        (age[:nc] >= 12) & (people.looked_after[:nc] | (people.risk[:nc] > 3.0))
    )
    uv = rng.random(len(people))
    for pid in exploiters:
        d = distance_m(people.lat[pid], people.lon[pid], g_lat, g_lon)
        order = np.argsort(d + rng.random(len(d)) * 1500, kind="stable")
        k = min(len(groups), int(rng.integers(2, 5)))
        linked: list[int] = []
        for gi in order[:k]:
            mem = groups[gi].members
            take = min(len(mem), int(rng.integers(1, 4)))
            linked.extend(int(m) for m in mem[rng.permutation(len(mem))[:take]])
        extra = int(rng.integers(0, 3))
        if extra and len(vulnerable):
            linked.extend(int(c) for c in vulnerable[rng.integers(0, len(vulnerable), extra)])
        kids = np.unique(np.array(linked, dtype=np.int64))
        spots = [int(lure[rng.integers(len(lure))]) for _ in range(int(rng.integers(1, 3)))]
        for gi in order[:k]:
            spots.append(int(groups[gi].places[0]))
        people.exploiters.append(
            Exploiter(pid=int(pid), children=kids, places=np.unique(np.array(spots)))
        )
        people.risk[kids] *= 1.6
        people.street[pid] = street_name(
            people.given[pid], pools, float(uv[pid]), float(rng.random())
        )


def _identifiers(
    rng: np.random.Generator, people: People, age: np.ndarray, today: np.datetime64
) -> None:
    """UPNs for pupils, PNC ids for people the police have arrested, phones for some."""
    n = len(people)
    this_year = int(str(today)[:4])
    used: dict[str, None] = {}
    pupils = np.flatnonzero(people.school >= 0)
    serial = rng.integers(0, 1000, len(pupils))
    for i, p in enumerate(pupils):
        entry = int(str(people.dob[p])[:4]) + 4
        digits = f"204{2000 + int(people.school[p]) % 8000:04d}{entry % 100:02d}{serial[i]:03d}"
        while digits in used:
            digits = digits[:9] + f"{(int(digits[9:]) + 1) % 1000:03d}"
        used[digits] = None
        people.upn[p] = upn(digits)
    # PNC: exploiters and adults of concern, a third of other adults, risky older children.
    child_pnc = (age >= 12) & (people.kind == KIND_CHILD)
    top = np.zeros(n, dtype=bool)
    older = np.flatnonzero(child_pnc)
    if len(older):
        cut = np.quantile(people.risk[older], 0.85)
        top[older] = people.risk[older] >= cut
    has = (people.kind == KIND_EXPLOITER) | (people.kind == KIND_ADULT_OF_CONCERN) | top
    has |= (people.kind == KIND_ADULT) & (rng.random(n) < 0.3)
    numbers = rng.choice(9_000_000, size=n, replace=False) + 100_000
    for p in np.flatnonzero(has):
        earliest = max(this_year - 12, int(str(people.dob[p])[:4]) + 10)
        year = int(rng.integers(earliest, this_year + 1))
        people.pnc[p] = pnc(year % 100, int(numbers[p]))
    # Phones from Ofcom's drama ranges (never real numbers), so some are shared by chance.
    phone = (age >= 13) & (rng.random(n) < np.where(people.kind == KIND_CHILD, 0.15, 0.35))
    nums = rng.integers(0, 1000, n)
    for p in np.flatnonzero(phone):
        people.phone[p] = f"07700 900{nums[p]:03d}" if nums[p] % 3 else f"020 7946 0{nums[p]:03d}"
