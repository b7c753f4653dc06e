"""What happens in the borough over the two years before ``as_of``, as agencies record it.

Four layers of events, each recorded by one agency about people that agency knows:

- background: concerns, exclusions, A&E attendances, stop and search, referrals, incidents,
  spread over the borough and weighted towards 10-17 year-olds and a heavy-tailed "risk";
- peer groups: members stopped, suspected, reported together at the group's places;
- exploiters: an adult as suspect alongside children from several groups as victims/subjects;
- hotspots: incidents of one harm type clustered in a disc of 150-400 m for 2-4 months.

Plus missing episodes (heavy-tailed per child, group members missing together, return home
interviews) and associations (group membership, friends, suspected exploiters, places).
Times are local London wall-clock seconds since 1970 (naive); none falls in the hour that does
not exist when the clocks go forward.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

from efh.synth.geography import (
    Places,
    Wards,
    distance_m,
    in_box,
    in_disc,
    pick_in_ward,
    places_by_ward,
    scatter,
)
from efh.synth.population import KIND_ADULT_OF_CONCERN, KIND_CHILD, People
from efh.synth.records import (
    COMMUNITY_SAFETY,
    EDUCATION,
    HEALTH,
    POLICE,
    SOCIAL_CARE,
    VCS,
    YOUTH_JUSTICE,
    Records,
)

DAY_S = 86_400
HOUR_S = 3_600
HISTORY_DAYS = 730

# --- time ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    as_of: date
    start: int  # first second of the window (as_of - 730 days, 00:00)
    end: int  # last second of as_of (23:59:59)
    gaps: tuple[int, ...]  # starts of the non-existent hours (last Sunday of March, 01:00)

    @classmethod
    def for_date(cls, as_of: date) -> Clock:
        end = _epoch(as_of.isoformat(), "00:00") + DAY_S - 1
        start = end + 1 - (HISTORY_DAYS + 1) * DAY_S
        gaps = []
        for year in range(as_of.year - 80, as_of.year + 1):
            d = date(year, 3, 31)
            d -= timedelta(days=(d.weekday() + 1) % 7)
            gaps.append(_epoch(d.isoformat(), "01:00"))
        return cls(as_of, start, end, tuple(gaps))

    def fix(self, t: np.ndarray) -> np.ndarray:
        """Move times in a non-existent hour to its end (02:00), keeping every order of times."""
        t = np.asarray(t, dtype=np.int64)
        if not t.size:
            return t
        lo, hi = int(t.min()), int(t.max())
        for g in self.gaps:
            if lo - HOUR_S <= g <= hi:
                t = np.where((t >= g) & (t < g + HOUR_S), g + HOUR_S, t)
        return t

    def day(self, d: np.ndarray) -> np.ndarray:
        """datetime64[D] -> seconds of that day's midnight."""
        return d.astype("datetime64[D]").astype(np.int64) * DAY_S


def _epoch(day: str, hhmm: str) -> int:
    """Seconds since 1970 of a wall-clock time (no time zone: London local time throughout)."""
    return int(np.datetime64(f"{day}T{hhmm}:00", "s").astype(np.int64))


def stamp(t: np.ndarray) -> np.ndarray:
    """Seconds -> ``YYYY-MM-DDTHH:MM:SS`` strings."""
    return np.datetime_as_string(np.asarray(t, dtype=np.int64).astype("datetime64[s]"), unit="s")


def _times(
    rng: np.random.Generator, clock: Clock, lo: np.ndarray, hi: np.ndarray, profile: str
) -> np.ndarray:
    """One time per row between ``lo`` and ``hi`` (seconds), with the profile's hours."""
    n = len(lo)
    lo = np.maximum(lo, clock.start)
    hi = np.minimum(np.maximum(hi, lo + HOUR_S), clock.end)
    lo = np.minimum(lo, hi - HOUR_S)
    day0 = lo // DAY_S
    days = np.maximum(hi // DAY_S - day0, 0) + 1
    day = day0 + (rng.random(n) * days).astype(np.int64)
    u = rng.random(n)
    if profile == "school":
        weekday = (day + 3) % 7  # 0 = Monday
        day = np.where(weekday >= 5, day - (weekday - 4), day)
        secs = (8.5 + 7 * u) * HOUR_S
    elif profile == "office":
        secs = (8.5 + 9 * u) * HOUR_S
    elif profile == "evening":
        hour = np.where(u < 0.72, rng.normal(18.5, 3.2, n), rng.random(n) * 24)
        secs = np.mod(hour, 24) * HOUR_S
    else:  # any time, busier by day
        secs = np.mod(rng.normal(15, 5, n), 24) * HOUR_S
    t = day * DAY_S + (secs // 60).astype(np.int64) * 60
    t = np.clip(t, lo, hi)
    return clock.fix(t - t % 60)


# --- events --------------------------------------------------------------------------------

# (kind, share) per source, and the harm types each (source, kind) is about.
_KINDS = {
    POLICE: (("incident", 0.35), ("stop_search", 0.25), ("arrest", 0.1), ("intelligence", 0.14),
             ("concern", 0.16)),
    EDUCATION: (("concern", 0.55), ("exclusion", 0.3), ("referral", 0.15)),
    HEALTH: (("ae_attendance", 0.7), ("concern", 0.15), ("referral", 0.15)),
    SOCIAL_CARE: (("referral", 0.6), ("concern", 0.4)),
    YOUTH_JUSTICE: (("concern", 0.5), ("intelligence", 0.2), ("referral", 0.3)),
    COMMUNITY_SAFETY: (("incident", 0.5), ("intelligence", 0.3), ("concern", 0.2)),
    VCS: (("concern", 0.7), ("referral", 0.3)),
}  # fmt: skip
# Events per child over two years, per source.
_RATE = {POLICE: 0.95, EDUCATION: 0.7, HEALTH: 0.5, SOCIAL_CARE: 0.35, YOUTH_JUSTICE: 0.08,
         COMMUNITY_SAFETY: 0.22, VCS: 0.1}  # fmt: skip
_HARMS = {
    "incident": "syv:25 dva:14 cce:8 substance:10 cse:3 tra:5 hsb:3 online:3 self_harm:3 :26",
    "stop_search": "substance:40 syv:20 cce:10 county_lines:4 :26",
    "arrest": "syv:35 substance:20 cce:15 county_lines:8 dva:7 financial:5 :10",
    "intelligence": "cce:30 county_lines:20 syv:25 cse:10 trafficking:3 modern_slavery:2 "
    "radicalisation:2 financial:3 :5",
    "concern": "missing:10 neglect:12 self_harm:12 online:10 cse:6 cce:8 dva:8 tra:5 hsb:4 "
    "substance:5 radicalisation:1 :19",
    "exclusion": "syv:30 substance:15 :55",
    "referral": "neglect:22 dva:16 cce:12 cse:7 missing:8 self_harm:8 tra:5 hsb:5 online:5 "
    "substance:4 :8",
    "ae_attendance": "syv:18 self_harm:18 substance:14 cse:2 dva:5 :43",
}
_SECOND_HARM = {"cce": "county_lines", "county_lines": "cce", "cse": "missing", "missing": "cse",
                "syv": "cce", "substance": "cce", "tra": "dva", "online": "cse",
                "self_harm": "online", "dva": "neglect", "neglect": "dva", "hsb": "online",
                "trafficking": "modern_slavery", "financial": "cce"}  # fmt: skip
_PROFILE = {POLICE: "evening", EDUCATION: "school", HEALTH: "any", SOCIAL_CARE: "office",
            YOUTH_JUSTICE: "office", COMMUNITY_SAFETY: "evening", VCS: "evening"}  # fmt: skip
# Median delay between an event and its recording (minutes), per source.
_DELAY_MIN = {POLICE: 90, EDUCATION: 150, HEALTH: 25, SOCIAL_CARE: 1200, YOUTH_JUSTICE: 1500,
              COMMUNITY_SAFETY: 1400, VCS: 2500}  # fmt: skip
# Youngest age (years) at which a child is the subject of the source's events.
_MIN_AGE = {POLICE: 6, EDUCATION: 4, HEALTH: 0, SOCIAL_CARE: 0, YOUTH_JUSTICE: 10,
            COMMUNITY_SAFETY: 8, VCS: 5}  # fmt: skip


def _parse(spec: str) -> tuple[list[str], np.ndarray]:
    codes, weights = [], []
    for item in spec.split():
        code, w = item.split(":")
        codes.append(code)
        weights.append(float(w))
    p = np.array(weights)
    return codes, p / p.sum()


_HARM_TABLES = {k: _parse(v) for k, v in _HARMS.items()}


def _harms(rng: np.random.Generator, kinds: np.ndarray) -> np.ndarray:
    out = np.empty(len(kinds), dtype=object)
    second = rng.random(len(kinds)) < 0.15
    for kind, (codes, p) in _HARM_TABLES.items():
        m = np.flatnonzero(kinds == kind)
        if not len(m):
            continue
        pick = rng.choice(len(codes), size=len(m), p=p)
        for i, c in zip(m, pick, strict=True):
            code = codes[c]
            if code and second[i] and code in _SECOND_HARM:
                code = f"{code};{_SECOND_HARM[code]}"
            out[i] = code
    return out


@dataclass
class Events:
    """Events as columns, with their people as (event, person, role) rows."""

    src: list[np.ndarray] = field(default_factory=list)
    kind: list[np.ndarray] = field(default_factory=list)
    t: list[np.ndarray] = field(default_factory=list)
    harm: list[np.ndarray] = field(default_factory=list)
    place: list[np.ndarray] = field(default_factory=list)
    lat: list[np.ndarray] = field(default_factory=list)
    lon: list[np.ndarray] = field(default_factory=list)
    layer: list[np.ndarray] = field(default_factory=list)
    label: list[np.ndarray] = field(default_factory=list)  # group label mentioned, or ""
    p_event: list[np.ndarray] = field(default_factory=list)
    p_pid: list[np.ndarray] = field(default_factory=list)
    p_role: list[np.ndarray] = field(default_factory=list)
    size: int = 0

    def add(
        self,
        src: np.ndarray,
        kind: np.ndarray,
        t: np.ndarray,
        harm: np.ndarray,
        place: np.ndarray,
        lat: np.ndarray,
        lon: np.ndarray,
        layer: str,
        people: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
        label: np.ndarray | None = None,
    ) -> None:
        n = len(t)
        self.src.append(np.broadcast_to(np.asarray(src, dtype=np.int64), (n,)).copy())
        self.kind.append(np.asarray(kind, dtype=object))
        self.t.append(np.asarray(t, dtype=np.int64))
        self.harm.append(np.asarray(harm, dtype=object))
        self.place.append(np.asarray(place, dtype=np.int64))
        self.lat.append(np.asarray(lat, dtype=float))
        self.lon.append(np.asarray(lon, dtype=float))
        self.layer.append(np.full(n, layer, dtype=object))
        self.label.append(np.full(n, "", dtype=object) if label is None else label)
        for ev, pid, role in people:
            self.p_event.append(np.asarray(ev, dtype=np.int64) + self.size)
            self.p_pid.append(np.asarray(pid, dtype=np.int64))
            self.p_role.append(np.asarray(role, dtype=object))
        self.size += n

    def columns(self) -> dict[str, np.ndarray]:
        return {
            k: np.concatenate(getattr(self, k))
            for k in ("src", "kind", "t", "harm", "place", "lat", "lon", "layer", "label")
        }

    def participants(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.concatenate(self.p_event),
            np.concatenate(self.p_pid),
            np.concatenate(self.p_role),
        )


@dataclass
class World:
    """What the activity layers need to know about the borough."""

    rng: np.random.Generator
    people: People
    records: Records
    places: Places
    wards: Wards
    clock: Clock
    children: int
    age: np.ndarray  # at as_of, years
    # Multiplies the background event rates (``_RATE``): 1.0 is about three events per child
    # over the two years. Benchmarks raise it to reach a target volume of events (e.g. a million
    # for 60,000 children) with the same people, places and heavy-tailed risk.
    activity: float = 1.0

    def known(self, s: int) -> np.ndarray:
        return self.records.index[s][0]

    def by_ward(self, pids: np.ndarray) -> list[np.ndarray]:
        w = self.people.ward[pids]
        return [pids[w == i] if (w == i).any() else pids for i in range(len(self.wards.name))]


def _weights(world: World, s: int, pids: np.ndarray) -> np.ndarray:
    """How often a person is the subject of source ``s``'s events."""
    age = world.age[pids]
    child = world.people.kind[pids] == KIND_CHILD
    if s == HEALTH:
        a = np.interp(age, [0, 4, 6, 10, 13, 17.9], [0.8, 0.5, 0.3, 0.6, 1.0, 1.1])
    elif s == EDUCATION:
        a = np.interp(age, [4, 7, 10, 13, 17.9], [0.2, 0.3, 0.6, 1.0, 1.0])
    elif s in (SOCIAL_CARE, VCS):
        a = np.interp(age, [0, 10, 13, 17.9], [0.4, 0.5, 1.0, 1.0])
    else:
        a = np.interp(age, [0, 8, 10, 13, 17.9], [0.03, 0.1, 0.4, 1.0, 1.1])
    a = np.where(child, a, 0.5 if s in (POLICE, COMMUNITY_SAFETY) else 0.15)
    too_young = child & (age < _MIN_AGE[s] + 0.3)
    # Capped, so that the busiest child has tens of events, not hundreds.
    return np.where(too_young, 0.0, a * np.minimum(world.people.risk[pids], 10.0) ** 0.75)


def _subject_window(world: World, s: int, pids: np.ndarray) -> np.ndarray:
    """Earliest time each person can be the subject of source ``s``'s events."""
    dob = world.clock.day(world.people.dob[pids])
    child = world.people.kind[pids] == KIND_CHILD
    return np.where(child, dob + int(_MIN_AGE[s] * 365.25) * DAY_S, dob)


def background(world: World, events: Events) -> None:
    rng, people, places = world.rng, world.people, world.places
    nw = len(world.wards.name)
    street_places = places.of_type(
        "street", "estate", "park", "shop", "takeaway", "transport", "licensed", "business",
        "hotel", "youth_club",
    )  # fmt: skip
    street_by_ward = places_by_ward(places, street_places, nw)
    health_places = places.of_type("hospital", "gp")
    youth = places.of_type("youth_club")
    for s, rate in _RATE.items():
        known = world.known(s)
        w = _weights(world, s, known)
        if not len(known) or w.sum() <= 0:
            continue
        n = round(rate * world.children * world.activity)
        subj = known[rng.choice(len(known), size=n, p=w / w.sum())]
        names, p = zip(*_KINDS[s], strict=True)
        kinds = np.array(names, dtype=object)[rng.choice(len(names), size=n, p=np.array(p))]
        harm = _harms(rng, kinds)
        lo = _subject_window(world, s, subj)
        t = _times(rng, world.clock, lo, np.full(n, world.clock.end), _PROFILE[s])
        place = np.full(n, -1, dtype=np.int64)
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        u = rng.random(n)
        home = people.ward[subj]
        if s in (POLICE, COMMUNITY_SAFETY):
            ward = np.where(rng.random(n) < 0.7, home, rng.integers(0, nw, n))
            at_place = u < 0.55
            place[at_place] = pick_in_ward(rng, street_by_ward, ward[at_place])
            at_point = (u >= 0.55) & (u < 0.85)
            la, lo_ = scatter(rng, people.lat[subj[at_point]], people.lon[subj[at_point]], 350)
            lat[at_point], lon[at_point] = la, lo_
        elif s == EDUCATION:
            sch = people.school[subj]
            at_school = (u < 0.85) & (sch >= 0)
            place[at_school] = sch[at_school]
        elif s == HEALTH:
            at = u < 0.75
            place[at] = health_places[rng.integers(0, len(health_places), int(at.sum()))]
        elif s in (VCS, YOUTH_JUSTICE):
            at = u < 0.35
            place[at] = pick_in_ward(rng, places_by_ward(places, youth, nw), home[at])
        elif s == SOCIAL_CARE:
            at = u < 0.12
            lat[at], lon[at] = scatter(rng, people.lat[subj[at]], people.lon[subj[at]], 30)
        roles = _subject_roles(rng, kinds, harm)
        rows = [(np.arange(n), subj, roles)]
        rows.extend(_companions(world, s, kinds, subj, t))
        events.add(s, kinds, t, harm, place, lat, lon, "background", rows)


def _subject_roles(rng: np.random.Generator, kinds: np.ndarray, harm: np.ndarray) -> np.ndarray:
    roles = np.full(len(kinds), "subject", dtype=object)
    u = rng.random(len(kinds))
    inc = kinds == "incident"
    roles[inc & (u < 0.45)] = "victim"
    roles[inc & (u >= 0.45) & (u < 0.75)] = "suspect"
    roles[kinds == "arrest"] = "suspect"
    ae = (kinds == "ae_attendance") & np.isin(harm, ["syv", "dva", "cse"])
    roles[ae & (u < 0.6)] = "victim"
    return roles


def _companions(
    world: World, s: int, kinds: np.ndarray, subj: np.ndarray, t: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Other people in background events: co-suspects, victims, witnesses, schoolmates."""
    rng, people = world.rng, world.people
    n = len(kinds)
    known = world.known(s)
    older = known[(world.age[known] >= 10) | (people.kind[known] != KIND_CHILD)]
    if not len(older):
        return []
    table = world.by_ward(older)
    share = {"incident": 0.6, "stop_search": 0.35, "arrest": 0.45, "intelligence": 0.6,
             "concern": 0.15, "exclusion": 0.1, "referral": 0.08, "ae_attendance": 0.05}  # fmt: skip
    if s == HEALTH:
        share = {k: v * 0.3 for k, v in share.items()}
    p_first = np.array([share[k] for k in kinds])
    out = []
    for slot in range(3):
        want = rng.random(n) < p_first * (0.45**slot)
        ev = np.flatnonzero(want)
        if not len(ev):
            break
        same_ward = rng.random(len(ev)) < 0.6
        other = older[rng.integers(0, len(older), len(ev))]
        near = pick_in_ward(rng, table, people.ward[subj[ev]])
        pid = np.where(same_ward, near, other)
        if s == EDUCATION:  # schoolmates
            mates = _schoolmates(world, subj[ev])
            pid = np.where(mates >= 0, mates, pid)
        if s == SOCIAL_CARE:  # siblings in the same family
            sib = _siblings(world, s, subj[ev])
            pid = np.where(sib >= 0, sib, pid)
        k = kinds[ev]
        role = np.full(len(ev), "associate", dtype=object)
        u = rng.random(len(ev))
        role[(k == "incident") & (u < 0.5)] = "suspect"
        role[(k == "incident") & (u >= 0.5) & (u < 0.75)] = "witness"
        role[(k == "incident") & (u >= 0.75)] = "victim"
        role[k == "arrest"] = np.where(u[k == "arrest"] < 0.6, "suspect", "victim")
        role[np.isin(k, ["concern", "exclusion", "ae_attendance"]) & (u < 0.4)] = "witness"
        role[(k == "exclusion") & (u >= 0.6)] = "victim"
        role[(k == "referral") & (s == SOCIAL_CARE)] = "subject"
        old_enough = _subject_window(world, s, pid) <= t[ev]
        keep = (pid != subj[ev]) & old_enough
        out.append((ev[keep], pid[keep], role[keep]))
    return out


def _schoolmates(world: World, pids: np.ndarray) -> np.ndarray:
    """A random other pupil of the same school known to education (-1 if none)."""
    people = world.people
    known = world.known(EDUCATION)
    sch = people.school[known]
    order = np.argsort(sch, kind="stable")
    sorted_sch = sch[order]
    target = people.school[pids]
    lo = np.searchsorted(sorted_sch, target, "left")
    hi = np.searchsorted(sorted_sch, target, "right")
    size = hi - lo
    pick = lo + (world.rng.random(len(pids)) * np.maximum(size, 1)).astype(np.int64)
    pick = np.minimum(pick, len(order) - 1)
    mate = known[order[pick]]
    return np.where((size > 1) & (target >= 0), mate, -1)


def _siblings(world: World, s: int, pids: np.ndarray) -> np.ndarray:
    people = world.people
    known = world.known(s)
    hh = people.household[known]
    order = np.argsort(hh, kind="stable")
    sorted_hh = hh[order]
    target = people.household[pids]
    lo = np.searchsorted(sorted_hh, target, "left")
    hi = np.searchsorted(sorted_hh, target, "right")
    size = hi - lo
    pick = lo + (world.rng.random(len(pids)) * np.maximum(size, 1)).astype(np.int64)
    sib = known[order[np.minimum(pick, len(order) - 1)]]
    return np.where(size > 1, sib, -1)


def group_activity(world: World, events: Events) -> None:
    """Members seen, stopped, suspected and reported together at the group's places."""
    rng, people = world.rng, world.people
    cs_known = world.known(COMMUNITY_SAFETY)
    for grp in people.groups:
        members = grp.members
        n = max(3, round(len(members) * 3.2))
        lo = world.clock.day(np.array([grp.start]))[0]
        hi = world.clock.day(np.array([grp.end]))[0] + DAY_S - 1
        kinds = rng.choice(
            np.array(
                ["stop_search", "incident", "intelligence", "arrest", "concern"], dtype=object
            ),
            size=n,
            p=[0.36, 0.26, 0.2, 0.1, 0.08],
        )
        harm = rng.choice(
            np.array(["syv", "cce", "substance", "cce;county_lines", "syv;cce", ""], dtype=object),
            size=n,
            p=[0.32, 0.2, 0.18, 0.1, 0.05, 0.15],
        )
        t = _times(rng, world.clock, np.full(n, lo), np.full(n, hi), "evening")
        at_place = rng.random(n) < 0.8
        place = np.where(at_place, grp.places[rng.integers(0, len(grp.places), n)], -1)
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        pt = ~at_place
        lat[pt], lon[pt] = scatter(
            rng,
            np.full(pt.sum(), world.wards.lat[grp.ward]),
            np.full(pt.sum(), world.wards.lon[grp.ward]),
            300,
        )
        in_cs = np.isin(members, cs_known)
        src = np.where((rng.random(n) < 0.15) & (in_cs.sum() >= 2), COMMUNITY_SAFETY, POLICE)
        cs_kind = (src == COMMUNITY_SAFETY) & ~np.isin(kinds, ["incident", "intelligence"])
        kinds[cs_kind] = "intelligence"
        ev_rows, pid_rows, role_rows = [], [], []
        lead = set(grp.leaders.tolist())
        for i in range(n):
            pool = members[in_cs] if src[i] == COMMUNITY_SAFETY else members
            k = min(len(pool), int(rng.integers(2, 6)))
            w = np.array([2.0 if m in lead else 1.0 for m in pool])
            chosen = rng.choice(pool, size=k, replace=False, p=w / w.sum())
            for m in chosen:
                ev_rows.append(i)
                pid_rows.append(m)
                if kinds[i] in ("incident", "arrest"):
                    role_rows.append("suspect")
                elif kinds[i] == "intelligence":
                    role_rows.append("subject" if m in lead else "associate")
                else:
                    role_rows.append("subject")
        rows = [(np.array(ev_rows), np.array(pid_rows), np.array(role_rows, dtype=object))]
        # Some incidents have a victim from elsewhere.
        inc = np.flatnonzero((kinds == "incident") & (rng.random(n) < 0.5))
        if len(inc):
            police = world.known(POLICE)
            victims = police[rng.integers(0, len(police), len(inc))]
            ok = ~np.isin(victims, members)
            rows.append((inc[ok], victims[ok], np.full(ok.sum(), "victim", dtype=object)))
        label = np.where(kinds == "intelligence", grp.label, "").astype(object)
        events.add(src, kinds, t, harm, place, lat, lon, "group", rows, label)
        # Fights and concerns at school involving two members.
        pairs = max(1, len(members) // 3)
        kinds_e = rng.choice(np.array(["concern", "exclusion"], dtype=object), size=pairs)
        ev_rows, pid_rows = [], []
        for i in range(pairs):
            a, b = rng.choice(members, size=2, replace=False)
            ev_rows += [i, i]
            pid_rows += [a, b]
        t_e = _times(rng, world.clock, np.full(pairs, lo), np.full(pairs, hi), "school")
        harm_e = rng.choice(np.array(["syv", "cce", "substance", ""], dtype=object), size=pairs)
        first = np.array(pid_rows[::2])
        place_e = people.school[first]
        events.add(
            EDUCATION,
            kinds_e,
            t_e,
            harm_e,
            place_e,
            np.full(pairs, np.nan),
            np.full(pairs, np.nan),
            "group",
            [
                (
                    np.array(ev_rows),
                    np.array(pid_rows),
                    np.full(len(ev_rows), "subject", dtype=object),
                )
            ],
        )


def exploitation(world: World, events: Events) -> None:
    """Each exploiter as suspect with children from several groups as victims or subjects."""
    rng, people = world.rng, world.people
    sc_known = world.known(SOCIAL_CARE)
    for ex in people.exploiters:
        kids = ex.children
        n = 6 + 2 * len(kids)
        span = int(rng.integers(180, HISTORY_DAYS))
        lo = world.clock.end - span * DAY_S
        t = _times(rng, world.clock, np.full(n, lo), np.full(n, world.clock.end), "evening")
        kinds = rng.choice(
            np.array(
                ["intelligence", "stop_search", "incident", "arrest", "concern"], dtype=object
            ),
            size=n,
            p=[0.4, 0.2, 0.2, 0.1, 0.1],
        )
        harm = rng.choice(
            np.array(
                ["cce", "cce;county_lines", "county_lines", "cse", "cse;missing", "trafficking",
                 "financial;cce", "modern_slavery", "substance;cce"],
                dtype=object,
            ),
            size=n,
            p=[0.22, 0.2, 0.12, 0.1, 0.08, 0.06, 0.08, 0.04, 0.1],
        )  # fmt: skip
        src = np.where(kinds == "concern", SOCIAL_CARE, POLICE)
        ex_in_sc = bool(np.isin(ex.pid, sc_known))
        at_place = rng.random(n) < 0.7
        place = np.where(at_place, ex.places[rng.integers(0, len(ex.places), n)], -1)
        ev_rows: list[int] = []
        pid_rows: list[int] = []
        role_rows: list[str] = []
        for i in range(n):
            pool = kids if src[i] == POLICE else kids[np.isin(kids, sc_known)]
            if not len(pool):
                pool = kids
                src[i] = POLICE
            k = min(len(pool), int(rng.integers(1, 4)))
            chosen = rng.choice(pool, size=k, replace=False)
            if (kinds[i] != "arrest" or rng.random() < 0.5) and (src[i] == POLICE or ex_in_sc):
                ev_rows.append(i)
                pid_rows.append(ex.pid)
                role_rows.append("associate" if kinds[i] == "stop_search" else "suspect")
            for c in chosen:
                ev_rows.append(i)
                pid_rows.append(int(c))
                if kinds[i] == "arrest":
                    role_rows.append("suspect")
                elif kinds[i] in ("incident", "concern") or "cse" in harm[i]:
                    role_rows.append("victim")
                else:
                    role_rows.append("subject")
        rows = [(np.array(ev_rows), np.array(pid_rows), np.array(role_rows, dtype=object))]
        nan = np.full(n, np.nan)
        events.add(src, kinds, t, harm, place, nan, nan.copy(), "exploitation", rows)


@dataclass
class Hotspot:
    lat: float
    lon: float
    radius_m: int
    start: np.datetime64
    end: np.datetime64
    harm: str


def hotspots(world: World, events: Events) -> list[Hotspot]:
    """Incidents of one harm type clustered in space and time around a few places."""
    rng, people, places = world.rng, world.people, world.places
    n_spots = max(3, round(world.children / 6000))
    inner = in_box(places.lat, places.lon, margin=0.0045)
    cand = places.of_type("park", "estate", "transport", "takeaway", "shop", "street", "licensed")
    cand = cand[inner[cand]]
    chosen = cand[rng.permutation(len(cand))[:n_spots]]
    police = world.known(POLICE)
    police_older = police[(world.age[police] >= 12)]
    cs = world.known(COMMUNITY_SAFETY)
    cs_older = cs[(world.age[cs] >= 12)]
    harms = np.array(["syv", "cce", "county_lines", "cse", "substance", "syv"], dtype=object)
    spots: list[Hotspot] = []
    today = np.datetime64(world.clock.as_of, "D")
    for place in chosen:
        radius = int(rng.integers(150, 401))
        length = int(rng.integers(60, 122))
        first = today - int(rng.integers(length + 10, HISTORY_DAYS - 20)) * np.timedelta64(1, "D")
        last = first + (length - 1) * np.timedelta64(1, "D")
        harm = str(harms[rng.integers(0, len(harms))])
        spots.append(
            Hotspot(float(places.lat[place]), float(places.lon[place]), radius, first, last, harm)
        )
        n = max(15, round(world.children / n_spots / 90))
        lo = world.clock.day(np.array([first]))[0]
        hi = world.clock.day(np.array([last]))[0] + DAY_S - 1
        t = _times(rng, world.clock, np.full(n, lo), np.full(n, hi), "evening")
        src = np.where(rng.random(n) < 0.75, POLICE, COMMUNITY_SAFETY)
        if not len(cs_older):
            src[:] = POLICE
        kinds = rng.choice(
            np.array(["incident", "stop_search", "intelligence", "arrest"], dtype=object),
            size=n,
            p=[0.5, 0.3, 0.1, 0.1],
        )
        kinds[(src == COMMUNITY_SAFETY) & (kinds != "incident")] = "intelligence"
        harm_col = np.full(n, harm, dtype=object)
        lat, lon = in_disc(rng, places.lat[place], places.lon[place], radius * 0.95, n)
        near = distance_m(lat[:, None], lon[:, None], places.lat[None, :], places.lon[None, :])
        nearest = np.argmin(near, axis=1)
        use_place = (rng.random(n) < 0.4) & (near[np.arange(n), nearest] < radius)
        ev_place = np.where(use_place, nearest, -1)
        lat[use_place] = np.nan
        lon[use_place] = np.nan
        # People: older children and adults known to the agency, living nearby.
        d_p = distance_m(
            people.lat[police_older], people.lon[police_older], places.lat[place], places.lon[place]
        )
        w = np.exp(-d_p / 800.0) * people.risk[police_older]
        rows_ev, rows_pid, rows_role = [], [], []
        for i in range(n):
            pool = police_older if src[i] == POLICE else cs_older
            pw = w if src[i] == POLICE else np.ones(len(pool))
            k = min(len(pool), int(rng.integers(1, 4)))
            chosen_p = rng.choice(pool, size=k, replace=False, p=pw / pw.sum())
            for j, pid in enumerate(chosen_p):
                rows_ev.append(i)
                rows_pid.append(int(pid))
                if kinds[i] == "incident":
                    rows_role.append("victim" if j == 0 and rng.random() < 0.4 else "suspect")
                elif kinds[i] == "arrest":
                    rows_role.append("suspect")
                else:
                    rows_role.append("subject")
        rows = [(np.array(rows_ev), np.array(rows_pid), np.array(rows_role, dtype=object))]
        events.add(src, kinds, t, harm_col, ev_place, lat, lon, "hotspot", rows)
    return spots


def recorded_times(
    rng: np.random.Generator, clock: Clock, src: np.ndarray, kind: np.ndarray, t: np.ndarray
) -> np.ndarray:
    median = np.array([_DELAY_MIN[s] for s in range(7)], dtype=float)[src]
    median = np.where(kind == "intelligence", median * 20, median)
    delay = (rng.lognormal(0, 1.1, len(t)) * median * 60).astype(np.int64)
    delay = np.maximum(delay, 60) - np.maximum(delay, 60) % 60
    return clock.fix(np.minimum(t + delay, clock.end))


# --- missing -------------------------------------------------------------------------------


def plan_missing(rng: np.random.Generator, people: People, as_of: date) -> np.ndarray:
    """Episodes per person: a heavy tail (Pareto, alpha 1.3), the most to the most at risk."""
    nc = people.n_children
    age = people.age_years(as_of)[:nc]
    mean = 3.1
    m = max(5, round(0.15 * nc / mean))
    w = np.interp(age, [0, 9, 11, 13, 15, 17.9], [0, 0.0, 0.3, 1.0, 1.4, 1.3])
    w = w * people.risk[:nc] * np.where(people.looked_after[:nc], 6.0, 1.0)
    cand = np.flatnonzero(w > 0)
    m = min(m, len(cand))
    chosen = cand[np.sort(rng.choice(len(cand), size=m, replace=False, p=w[cand] / w[cand].sum()))]
    q = (np.arange(m) + 0.5) / m
    counts = np.minimum(np.floor((1 - q) ** (-1 / 1.3)), 100).astype(np.int64)
    counts = np.sort(counts)[::-1]
    order = np.argsort(-(people.risk[chosen] * rng.lognormal(0, 0.7, m)), kind="stable")
    out = np.zeros(len(people), dtype=np.int64)
    out[chosen[order]] = counts
    return out


@dataclass
class Missing:
    pid: np.ndarray
    src: np.ndarray
    missing_from: np.ndarray
    went: np.ndarray
    reported: np.ndarray  # -1 = empty
    returned: np.ndarray
    found_place: np.ndarray  # -1 = none
    found_lat: np.ndarray
    found_lon: np.ndarray
    rhi_offered: np.ndarray
    rhi_completed: np.ndarray
    with_pids: list[list[int]]


def missing_episodes(world: World, counts: np.ndarray) -> Missing:
    rng, people, places, clock = world.rng, world.people, world.places, world.clock
    pid = np.repeat(np.arange(len(counts)), counts)
    n = len(pid)
    lo = np.maximum(clock.day(people.dob[pid]) + int(10 * 365.25) * DAY_S, clock.start)
    went = _times(rng, clock, lo, np.full(n, clock.end), "evening")
    edu_known = np.isin(pid, world.known(EDUCATION))
    sc_known = np.isin(pid, world.known(SOCIAL_CARE))
    lac = people.looked_after[pid]
    u = rng.random(n)
    missing_from = np.where(lac & (u < 0.9), "care", "home").astype(object)
    from_edu = ~lac & edu_known & (u > 0.9) & (people.school[pid] >= 0)
    missing_from[from_edu] = "education"
    school_time = _times(rng, clock, lo[from_edu], np.full(from_edu.sum(), clock.end), "school")
    went[from_edu] = school_time
    src = np.full(n, POLICE, dtype=np.int64)
    src[from_edu] = EDUCATION
    src[(missing_from == "care") & sc_known & (rng.random(n) < 0.25)] = SOCIAL_CARE

    # Group members go missing together: align one episode of a companion with this one.
    with_pids: list[list[int]] = [[] for _ in range(n)]
    starts = np.concatenate([[0], np.cumsum(counts)])
    used = np.zeros(n, dtype=bool)
    for grp in people.groups:
        missers = [int(m) for m in grp.members if counts[m] > 0]
        if len(missers) < 2:
            continue
        for m in missers:
            for e in range(starts[m], starts[m + 1]):
                if used[e] or rng.random() >= 0.3 or src[e] != POLICE:
                    continue
                c = missers[int(rng.integers(len(missers)))]
                if c == m:
                    continue
                free = [x for x in range(starts[c], starts[c + 1]) if not used[x]]
                if not free:
                    continue
                f = free[int(rng.integers(len(free)))]
                went[f] = clock.fix(np.array([went[e] + int(rng.integers(-20, 21)) * 60]))[0]
                went[f] = min(max(went[f], clock.start), clock.end)
                src[f] = POLICE
                if missing_from[f] == "education":
                    missing_from[f] = "home"
                used[e] = used[f] = True
                with_pids[e].append(c)
                with_pids[f].append(m)
    # Exploited children are sometimes missing with their exploiter.
    for ex in people.exploiters:
        for c in ex.children:
            for e in range(starts[c], starts[c + 1]):
                if rng.random() < 0.12 and src[e] == POLICE:
                    with_pids[e].append(ex.pid)

    delay = rng.lognormal(np.log(3 * HOUR_S), 0.8, n).astype(np.int64)
    delay = np.where(from_edu, rng.integers(1, 4, n) * HOUR_S, np.minimum(delay, 36 * HOUR_S))
    reported = clock.fix(np.minimum(went + delay - delay % 60, clock.end))
    duration = np.minimum(rng.lognormal(np.log(14 * HOUR_S), 1.1, n), 30 * DAY_S).astype(np.int64)
    returned = clock.fix(went + duration - duration % 60)
    gone = (returned > clock.end) | (rng.random(n) < 0.004)
    returned[gone] = -1
    reported[rng.random(n) < 0.03] = -1  # reported time not recorded

    offered = rng.random(n) < 0.9
    off_delay = rng.lognormal(np.log(20 * HOUR_S), 0.75, n).astype(np.int64)
    rhi_offered = np.where(offered & ~gone, returned + off_delay - off_delay % 60, -1)
    done = rng.random(n) < 0.8
    done_delay = rng.lognormal(np.log(8 * HOUR_S), 1.3, n).astype(np.int64)
    rhi_completed = np.where(
        (rhi_offered >= 0) & done, rhi_offered + done_delay - done_delay % 60, -1
    )
    rhi_offered = np.where(rhi_offered > clock.end, -1, rhi_offered)
    rhi_completed = np.where((rhi_completed > clock.end) | (rhi_offered < 0), -1, rhi_completed)
    rhi_offered = np.where(rhi_offered >= 0, clock.fix(rhi_offered), -1)
    rhi_completed = np.where(rhi_completed >= 0, clock.fix(rhi_completed), -1)

    # Where they were found.
    nw = len(world.wards.name)
    found_kinds = places.of_type(
        "estate", "park", "transport", "takeaway", "shop", "hotel", "street"
    )
    table = places_by_ward(places, found_kinds, nw)
    ward = np.where(rng.random(n) < 0.6, people.ward[pid], rng.integers(0, nw, n))
    v = rng.random(n)
    found_place = np.where((v < 0.55) & ~gone, pick_in_ward(rng, table, ward), -1)
    exploiter_of = {int(c): ex for ex in people.exploiters for c in ex.children}
    for e in np.flatnonzero(found_place >= 0):
        ex = exploiter_of.get(int(pid[e]))
        if ex is not None and rng.random() < 0.4:
            found_place[e] = ex.places[int(rng.integers(len(ex.places)))]
    at_point = (v >= 0.55) & (v < 0.7) & ~gone
    found_lat = np.full(n, np.nan)
    found_lon = np.full(n, np.nan)
    found_lat[at_point], found_lon[at_point] = scatter(
        rng, world.wards.lat[ward[at_point]], world.wards.lon[ward[at_point]], 500
    )
    return Missing(
        pid, src, missing_from, went, reported, returned, found_place, found_lat, found_lon,
        rhi_offered, rhi_completed, with_pids,
    )  # fmt: skip


# --- associations ----------------------------------------------------------------------------


@dataclass
class Associations:
    """Rows before records are resolved: (source, person, other kind, other, kind, dates)."""

    src: list[int] = field(default_factory=list)
    pid: list[int] = field(default_factory=list)
    other_kind: list[str] = field(default_factory=list)
    other: list[object] = field(default_factory=list)  # person id, place index or group label
    kind: list[str] = field(default_factory=list)
    first: list[int] = field(default_factory=list)  # day number (datetime64[D] as int), -1
    last: list[int] = field(default_factory=list)

    def add(self, s: int, p: int, ok: str, other: object, kind: str, first: int, last: int) -> None:
        self.src.append(s)
        self.pid.append(p)
        self.other_kind.append(ok)
        self.other.append(other)
        self.kind.append(kind)
        self.first.append(first)
        self.last.append(last)


def group_labels(label: str) -> dict[int, str]:
    """How each agency names a group: police in full, others abbreviated or respelt (the same
    way every time for a given group)."""
    words = label.split()
    initials = "".join(w[0] for w in words).upper()
    alt = label.replace("Boys", "Boyz").replace("Youngers", "Yungers").replace("Gang", "gang")
    v = sum(map(ord, label))
    return {
        POLICE: label,
        COMMUNITY_SAFETY: initials if v % 2 else label,
        YOUTH_JUSTICE: alt if (v // 2) % 2 else label,
        SOCIAL_CARE: f"{label} (suspected)",
        EDUCATION: label.lower(),
    }


def associations(world: World, missing: Missing) -> Associations:
    rng, people = world.rng, world.people
    rec = world.records
    out = Associations()
    today = int(np.datetime64(world.clock.as_of, "D").astype(np.int64))
    start = today - HISTORY_DAYS

    def knows(s: int, p: int) -> bool:
        keys = rec.index[s][0]
        i = int(np.searchsorted(keys, p))
        return i < len(keys) and keys[i] == p

    def dates(lo: int, hi: int) -> tuple[int, int]:
        lo = min(max(lo, start), today)
        hi = min(max(hi, lo), today)
        f = int(rng.integers(lo, hi + 1))
        last = -1 if rng.random() < 0.3 else int(rng.integers(f, hi + 1))
        return f, last

    for grp in people.groups:
        g0 = int(grp.start.astype(np.int64))
        g1 = int(grp.end.astype(np.int64))
        names = group_labels(grp.label)
        share = {POLICE: 0.85, COMMUNITY_SAFETY: 0.6, YOUTH_JUSTICE: 0.7, SOCIAL_CARE: 0.2,
                 EDUCATION: 0.05}  # fmt: skip
        for m in grp.members:
            for s, p in share.items():
                if knows(s, int(m)) and rng.random() < p:
                    out.add(s, int(m), "group", names[s], "member_of", *dates(g0, g1))
            for place in grp.places:
                if rng.random() < 0.45:
                    out.add(POLICE, int(m), "place", int(place), "frequents", *dates(g0, g1))
                if rng.random() < 0.2 and knows(COMMUNITY_SAFETY, int(m)):
                    out.add(
                        COMMUNITY_SAFETY, int(m), "place", int(place), "frequents", *dates(g0, g1)
                    )
        mem = grp.members
        for i in range(len(mem)):
            for j in range(i + 1, len(mem)):
                a, b = (
                    (int(mem[i]), int(mem[j])) if rng.random() < 0.5 else (int(mem[j]), int(mem[i]))
                )
                u = rng.random()
                if u < 0.5:
                    kind = "associate" if rng.random() < 0.65 else "friend"
                    out.add(POLICE, a, "person", b, kind, *dates(g0, g1))
                elif u < 0.65:
                    out.add(EDUCATION, a, "person", b, "friend", *dates(g0 - 365, g1))
                elif u < 0.72 and knows(YOUTH_JUSTICE, a) and knows(YOUTH_JUSTICE, b):
                    out.add(YOUTH_JUSTICE, a, "person", b, "associate", *dates(g0, g1))
    # Exploiters.
    for ex in people.exploiters:
        for c in ex.children:
            c = int(c)
            kind = "suspected_exploiter" if rng.random() < 0.75 else "associate"
            out.add(POLICE, c, "person", ex.pid, kind, *dates(start + 180, today))
            if knows(SOCIAL_CARE, ex.pid) and rng.random() < 0.6:
                out.add(
                    SOCIAL_CARE,
                    c,
                    "person",
                    ex.pid,
                    "suspected_exploiter",
                    *dates(start + 240, today),
                )
            if (
                knows(COMMUNITY_SAFETY, ex.pid)
                and knows(COMMUNITY_SAFETY, c)
                and rng.random() < 0.4
            ):
                out.add(
                    COMMUNITY_SAFETY, c, "person", ex.pid, "associate", *dates(start + 240, today)
                )
            if people.sex[c] == "F" and world.age[c] >= 13 and rng.random() < 0.35:
                out.add(POLICE, c, "person", ex.pid, "partner", *dates(start + 300, today))
        for place in ex.places:
            out.add(POLICE, ex.pid, "place", int(place), "frequents", *dates(start, today))
    # Adults of concern hang around a group.
    aoc = np.flatnonzero(people.kind == KIND_ADULT_OF_CONCERN)
    for i, a in enumerate(aoc):
        if not people.groups:
            break
        grp = people.groups[(i * 7) % len(people.groups)]
        for m in grp.members[rng.permutation(len(grp.members))[: int(rng.integers(2, 5))]]:
            out.add(POLICE, int(a), "person", int(m), "associate", *dates(start, today))
    # Siblings recorded by social care and schools.
    for s, p_share in ((SOCIAL_CARE, 0.7), (EDUCATION, 0.2)):
        keys = rec.index[s][0]
        keys = keys[keys < people.n_children]
        hh = people.household[keys]
        order = np.argsort(hh, kind="stable")
        k_sorted, hh_sorted = keys[order], hh[order]
        same = np.flatnonzero(hh_sorted[1:] == hh_sorted[:-1])
        for i in same:
            if rng.random() < p_share:
                out.add(s, int(k_sorted[i]), "person", int(k_sorted[i + 1]), "sibling", -1, -1)
    # Homes on estates, schools attended.
    for s, p_share in ((POLICE, 0.3), (SOCIAL_CARE, 0.2)):
        keys = rec.index[s][0]
        est = people.estate[keys]
        pick = np.flatnonzero((est >= 0) & (rng.random(len(keys)) < p_share))
        for i in pick:
            out.add(s, int(keys[i]), "place", int(est[i]), "lives_at", *dates(start - 365, today))
    for s, p_share in ((POLICE, 0.12), (YOUTH_JUSTICE, 0.5), (SOCIAL_CARE, 0.2), (VCS, 0.3)):
        keys = rec.index[s][0]
        sch = people.school[keys]
        pick = np.flatnonzero((sch >= 0) & (rng.random(len(keys)) < p_share))
        for i in pick:
            out.add(s, int(keys[i]), "place", int(sch[i]), "attends", *dates(start, today))
    # Background peers: police associates in the same ward, friends at the same school.
    nc = people.n_children
    for s, share, kind in ((POLICE, 0.3, "associate"), (COMMUNITY_SAFETY, 0.05, "associate"),
                           (VCS, 0.04, "friend"), (YOUTH_JUSTICE, 0.03, "associate")):  # fmt: skip
        keys = rec.index[s][0]
        older = keys[(world.age[keys] >= 11) & (keys < nc)]
        if len(older) < 2:
            continue
        table = world.by_ward(older)
        n = round(share * nc)
        a = older[rng.integers(0, len(older), n)]
        b = pick_in_ward(rng, table, people.ward[a])
        for x, y in zip(a, b, strict=True):
            if x != y:
                out.add(s, int(x), "person", int(y), kind, *dates(start, today))
    keys = rec.index[EDUCATION][0]
    keys = keys[world.age[keys] >= 8]
    if len(keys) > 1:
        n = round(0.2 * nc)
        a = keys[rng.integers(0, len(keys), n)]
        b = _schoolmates(world, a)
        for x, y in zip(a, b, strict=True):
            if y >= 0 and x != y:
                out.add(EDUCATION, int(x), "person", int(y), "friend", *dates(start, today))
    # Teenage partners.
    police = rec.index[POLICE][0]
    teens = police[(world.age[police] >= 14) & (police < nc)]
    girls, boys = teens[people.sex[teens] == "F"], teens[people.sex[teens] == "M"]
    if len(girls) and len(boys):
        n = round(0.004 * nc) + 1
        table = world.by_ward(boys)
        g = girls[rng.integers(0, len(girls), n)]
        b = pick_in_ward(rng, table, people.ward[g])
        for x, y in zip(g, b, strict=True):
            out.add(POLICE, int(x), "person", int(y), "partner", *dates(start, today))
    # Where missing children were found.
    for e in np.flatnonzero((missing.found_place >= 0) & (rng.random(len(missing.pid)) < 0.25)):
        day = int(missing.went[e] // DAY_S)
        out.add(int(missing.src[e]), int(missing.pid[e]), "place", int(missing.found_place[e]),
                "found_at", day, day)  # fmt: skip
    return out
