"""Which agencies know whom, and the person records each agency holds.

Each child is known to one agency, or (for the share ``duplicate_rate`` of children, and always
for those whose circumstances involve several agencies: group members, exploited, missing,
looked-after children) to two to four. An agency may hold two records of the same child. Records
carry the errors real systems have: nicknames, other spellings, typing errors, hyphenated or
changed surnames, day and month swapped, stale or missing postcodes, missing identifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from efh.synth.names import NamePools, nickname, respell, typo
from efh.synth.population import KIND_ADULT, KIND_CHILD, People

SOURCES = (
    "police",
    "education",
    "health",
    "social_care",
    "youth_justice",
    "community_safety",
    "vcs",
)
POLICE, EDUCATION, HEALTH, SOCIAL_CARE, YOUTH_JUSTICE, COMMUNITY_SAFETY, VCS = range(7)
PERSON_PREFIX = ("PN-", "P-", "H-", "SC-", "YJ-", "CS-", "VCS-")


@dataclass(frozen=True)
class Policy:
    """What an agency records: the share of its records carrying each field, which status flags
    it fills, how error-prone its records are (``noise``) and how often it writes surnames in
    capitals."""

    nhs: float
    upn: float
    pnc: float
    eth: float
    dob: float
    aka: float
    addr: float
    phone: float
    school: float
    lac: float
    send: float
    cpp: float
    noise: float
    caps: float


# Columns: nhs  upn   pnc   eth   dob   aka   addr  phone school lac  send cpp  noise caps
_POLICY = {
    POLICE: Policy(0.04, 0.0, 0.92, 0.8, 0.96, 0.8, 0.85, 0.5, 0.1, 0.5, 0.0, 0.0, 1.0, 0.12),
    EDUCATION: Policy(0.02, 0.97, 0.0, 0.95, 1.0, 0.0, 0.95, 0.0, 1.0, 1.0, 1.0, 0.6, 0.5, 0.0),
    HEALTH: Policy(0.97, 0.0, 0.0, 0.85, 1.0, 0.05, 0.9, 0.3, 0.0, 0.3, 0.5, 0.3, 0.6, 0.0),
    SOCIAL_CARE: Policy(0.72, 0.45, 0.1, 0.95, 0.99, 0.2, 0.95, 0.4, 0.55, 1.0, 1.0, 1.0, 0.7, 0.0),
    YOUTH_JUSTICE: Policy(0.2, 0.3, 0.9, 0.9, 1.0, 0.6, 0.9, 0.5, 0.4, 0.8, 0.6, 0.0, 0.8, 0.05),
    COMMUNITY_SAFETY: Policy(0.0, 0.0, 0.2, 0.5, 0.85, 0.5, 0.6, 0.3, 0.0, 0.0, 0.0, 0.0, 1.2, 0.2),
    VCS: Policy(0.02, 0.0, 0.0, 0.6, 0.9, 0.3, 0.4, 0.5, 0.0, 0.3, 0.3, 0.0, 1.2, 0.0),
}

# Codes an agency may record instead of the true one.
_ETH_CONFUSED = {
    "W1": "W5", "W5": "W1", "B1": "B3", "B3": "B1", "B2": "M3", "M3": "B2", "M2": "B1",
    "A3": "A2", "A2": "A1", "O2": "W5", "M4": "O2", "M1": "A5", "W2": "W1", "W4": "W5",
}  # fmt: skip


@dataclass
class Records:
    pid: np.ndarray
    src: np.ndarray
    dup: np.ndarray
    source_id: np.ndarray
    fields: dict[str, np.ndarray]
    school_place: np.ndarray  # place index the record names as school, -1 for none
    index: list[tuple[np.ndarray, np.ndarray, np.ndarray]]  # per source: pids, record, duplicate
    known: np.ndarray  # (people, sources) bool

    def __len__(self) -> int:
        return len(self.pid)

    def lookup(
        self, s: int, pids: np.ndarray, u: np.ndarray | None = None, dup_share: float = 0.3
    ) -> np.ndarray:
        """The record of each person in source ``s`` (-1 if unknown); a duplicate record, where
        one exists, is used with probability ``dup_share`` (``u`` uniform numbers)."""
        keys, primary, second = self.index[s]
        pids = np.asarray(pids, dtype=np.int64)
        if len(keys) == 0:
            return np.full(len(pids), -1, dtype=np.int64)
        pos = np.clip(np.searchsorted(keys, pids), 0, len(keys) - 1)
        found = keys[pos] == pids
        rec = np.where(found, primary[pos], -1)
        if u is not None:
            use_dup = found & (second[pos] >= 0) & (u < dup_share)
            rec = np.where(use_dup, second[pos], rec)
        return rec


def make_ids(rng: np.random.Generator, prefix: str, n: int, width: int = 7) -> np.ndarray:
    """``n`` distinct ids like ``PN-0012345``, not in any meaningful order."""
    space = max(10 * n, 1000)
    nums = rng.permutation(space)[:n] + 1
    return np.array([f"{prefix}{v:0{width}d}" for v in nums], dtype=object)


def sequential_ids(rng: np.random.Generator, prefix: str, n: int, width: int = 7) -> np.ndarray:
    """Increasing ids with gaps, as case and incident numbers are issued."""
    nums = np.cumsum(1 + rng.integers(0, 4, n)) + int(rng.integers(1000, 9000))
    return np.array([f"{prefix}{v:0{width}d}" for v in nums], dtype=object)


def coverage(
    rng: np.random.Generator,
    people: People,
    as_of: date,
    duplicate_rate: float,
    missing_count: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """(known, extra): which sources know each person; which person gets a second record in
    which source (-1 for none)."""
    n, nc = len(people), people.n_children
    age = people.age_years(as_of)
    req = np.zeros((n, 7), dtype=bool)
    in_group = np.array([bool(g) for g in people.group_of] + [False] * (n - nc))
    exploited = np.zeros(n, dtype=bool)
    for e in people.exploiters:
        exploited[e.children] = True
    req[in_group, POLICE] = req[in_group, EDUCATION] = True
    req[exploited, POLICE] = req[exploited, SOCIAL_CARE] = True
    req[missing_count > 0, POLICE] = True
    req[people.looked_after | people.cpp, SOCIAL_CARE] = True
    req[people.pnc != "", POLICE] = True
    child = people.kind == KIND_CHILD
    req[~child, POLICE] |= people.kind[~child] != KIND_ADULT

    school_age = people.school >= 0
    older = age >= 10
    w = np.zeros((n, 7))
    w[:, EDUCATION] = np.where(school_age, 6.0, 0.0)
    w[:, HEALTH] = 5.0
    w[:, SOCIAL_CARE] = 2.5
    w[:, POLICE] = np.where(older, 3.0, 0.3)
    w[:, YOUTH_JUSTICE] = np.where(older & (people.pnc != ""), 3.0, 0.0)
    w[:, COMMUNITY_SAFETY] = np.where(older, 1.2, 0.0)
    w[:, VCS] = 1.0
    adult = ~child
    w[adult] = [6.0, 0.0, 2.5, 0.4, 0.0, 1.5, 0.3]

    n_req = req.sum(axis=1)
    multi = n_req >= 2
    target = round(duplicate_rate * nc)
    room = target - int(multi[:nc].sum())
    cand = np.flatnonzero(~multi[:nc])
    if room > 0 and len(cand):
        score = people.risk[cand] * rng.lognormal(0, 1.0, len(cand))
        multi[cand[np.argsort(-score, kind="stable")[:room]]] = True
    adult_multi = adult & ((people.kind != KIND_ADULT) | (rng.random(n) < 0.2))
    multi[adult] = adult_multi[adult]

    # Multi-agency people: 2-4 sources (required ones first), the rest by weight.
    k = rng.choice([2, 3, 4], size=n, p=[0.25, 0.35, 0.40])
    k[adult] = rng.choice([2, 3], size=int(adult.sum()), p=[0.75, 0.25])
    k = np.where(multi, np.maximum(k, n_req), np.maximum(1, n_req))
    with np.errstate(divide="ignore"):
        score = np.log(w) + rng.gumbel(size=w.shape)
    score[req] = np.inf
    # Single-agency children: one source chosen by weight (required source wins).
    rank = np.argsort(np.argsort(-score, axis=1, kind="stable"), axis=1, kind="stable")
    known = (rank < k[:, None]) & np.isfinite(score) | req
    # Young single children: mostly health; school-age ones mostly education.
    single = ~multi & (n_req == 0)
    pick = np.where(
        (people.school >= 0) & (rng.random(n) < 0.72),
        EDUCATION,
        np.where(rng.random(n) < 0.85, HEALTH, SOCIAL_CARE),
    )
    pick[adult] = np.where(rng.random(int(adult.sum())) < 0.7, POLICE, COMMUNITY_SAFETY)
    pick[adult & (rng.random(n) < 0.2)] = HEALTH
    known[single] = False
    known[np.flatnonzero(single), pick[single]] = True

    # A second record in the same source for some people known to several agencies.
    extra = np.full(n, -1, dtype=np.int64)
    dup_w = np.array([2.0, 1.0, 3.0, 3.0, 1.0, 1.0, 1.0])
    wants = multi & (rng.random(n) < np.where(child, 0.1, 0.03))
    for p in np.flatnonzero(wants):
        options = np.flatnonzero(known[p])
        pw = dup_w[options]
        extra[p] = options[int(np.searchsorted(np.cumsum(pw) / pw.sum(), rng.random()))]
    return known, extra


def make_records(
    rng: np.random.Generator,
    pools: NamePools,
    people: People,
    as_of: date,
    known: np.ndarray,
    extra: np.ndarray,
) -> Records:
    today = np.datetime64(as_of, "D")
    p_idx, s_idx = np.nonzero(known)
    dup_p = np.flatnonzero(extra >= 0)
    pid = np.concatenate([p_idx, dup_p])
    src = np.concatenate([s_idx, extra[dup_p]]).astype(np.int64)
    dup = np.concatenate([np.zeros(len(p_idx), bool), np.ones(len(dup_p), bool)])
    order = np.lexsort((dup, pid, src))
    pid, src, dup = pid[order], src[order], dup[order]
    n = len(pid)

    source_id = np.empty(n, dtype=object)
    for s in range(7):
        m = np.flatnonzero(src == s)
        source_id[m] = make_ids(rng, PERSON_PREFIX[s], len(m))

    index = []
    for s in range(7):
        m = np.flatnonzero(src == s)
        first = m[~dup[m]]
        keys = pid[first]
        second = np.full(len(first), -1, dtype=np.int64)
        dm = m[dup[m]]
        second[np.searchsorted(keys, pid[dm])] = dm
        index.append((keys, first, second))

    fields = _fields(rng, pools, people, pid, src, dup, today)
    school_place = np.full(n, -1, dtype=np.int64)
    share = np.array([_POLICY[s].school for s in range(7)])
    keep = (people.school[pid] >= 0) & (rng.random(n) < share[src])
    school_place[keep] = people.school[pid[keep]]
    return Records(pid, src, dup, source_id, fields, school_place, index, known)


def _fields(
    rng: np.random.Generator,
    pools: NamePools,
    people: People,
    pid: np.ndarray,
    src: np.ndarray,
    dup: np.ndarray,
    today: np.datetime64,
) -> dict[str, np.ndarray]:
    """Each record's personal details, as the agency holds them."""
    n = len(pid)
    u = rng.random((n, 24))
    all_families = people.family
    n_people = len(people)
    other_person = rng.integers(0, n_people, n)
    cols = {
        c: np.full(n, "", dtype=object)
        for c in (
            "given_name family_name other_names date_of_birth sex ethnicity nhs_number upn "
            "pnc_id address postcode phone is_child looked_after send child_protection_plan"
        ).split()
    }
    dob_str = people.dob.astype(str)
    earliest = np.datetime64("1940-01-01")
    today_s = str(today)
    for r in range(n):
        p = int(pid[r])
        s = int(src[r])
        pol = _POLICY[s]
        x = u[r]
        noise = pol.noise * (2.0 if dup[r] else 1.0)
        child = people.kind[p] == KIND_CHILD
        given = people.given[p]
        family = people.family[p]
        aka: list[str] = []
        # Given name: nickname, another spelling, a typing error.
        if x[0] < 0.07 * noise:
            nick = nickname(given, pools, x[1])
            if nick:
                given = nick
        elif x[0] < 0.16 * noise:
            given = respell(given, pools, x[1]) or given
        elif x[0] < 0.20 * noise:
            given = typo(given, x[1], x[2])
        # Family name: typo, spelling, hyphenated, changed.
        if x[3] < 0.04 * noise:
            family = typo(family, x[4], x[5])
        elif x[3] < 0.09 * noise:
            family = respell(family, pools, x[4]) or family
        elif x[3] < 0.115 * noise:
            family = f"{family}-{all_families[other_person[r]]}"
        elif x[3] < 0.13 * noise and child:
            family = all_families[other_person[r]]
        if x[6] < pol.caps:
            family = family.upper()
        cols["given_name"][r] = given
        cols["family_name"][r] = family
        # Other names.
        if people.street[p] and x[7] < pol.aka:
            aka.append(people.street[p])
        if x[8] < pol.aka * 0.3:
            nick = nickname(people.given[p], pools, x[9])
            if nick and nick != given:
                aka.append(nick)
        cols["other_names"][r] = ";".join(aka)
        # Date of birth: missing, day and month swapped, a day or a year out.
        dob = dob_str[p]
        if x[10] >= pol.dob:
            dob = ""
        elif x[11] < 0.03 * noise:
            y, m, d = dob.split("-")
            if int(d) <= 12 and d != m:
                swapped = f"{y}-{d}-{m}"
                if swapped <= today_s:
                    dob = swapped
        elif x[11] < 0.045 * noise:
            shifted = people.dob[p] + (1 if x[12] < 0.5 else -1) * np.timedelta64(
                1 if x[12] < 0.25 or x[12] > 0.75 else 365, "D"
            )
            if earliest <= shifted <= today:
                dob = str(shifted)
        cols["date_of_birth"][r] = dob
        # Sex and ethnicity.
        sex = people.sex[p]
        if x[13] < 0.02 * noise:
            sex = "U"
        cols["sex"][r] = sex
        eth = people.ethnicity[p]
        if x[14] >= pol.eth:
            eth = ""
        elif x[15] < 0.04 * noise:
            eth = _ETH_CONFUSED.get(eth, eth)
        cols["ethnicity"][r] = eth
        # Identifiers.
        if x[16] < pol.nhs:
            cols["nhs_number"][r] = people.nhs[p]
        if people.upn[p] and x[17] < pol.upn:
            cols["upn"][r] = people.upn[p]
        if people.pnc[p] and x[17] < pol.pnc:
            cols["pnc_id"][r] = people.pnc[p]
        # Address: current, stale (before a move), missing.
        if x[18] < pol.addr:
            stale = people.prev_address[p] and x[19] < 0.5
            cols["address"][r] = people.prev_address[p] if stale else people.address[p]
            cols["postcode"][r] = people.prev_postcode[p] if stale else people.postcode[p]
            if x[20] < 0.08 * noise:
                cols["address"][r] = ""
            elif x[20] > 1 - 0.08 * noise:
                cols["postcode"][r] = ""
        if people.phone[p] and x[21] < pol.phone:
            cols["phone"][r] = people.phone[p]
        # Flags.
        if x[22] < 0.95:
            cols["is_child"][r] = "Y" if child else "N"
        if child:
            v = x[23]
            if v < pol.lac:
                cols["looked_after"][r] = "Y" if people.looked_after[p] else "N"
            if v < pol.send:
                cols["send"][r] = "Y" if people.send[p] else "N"
            if v < pol.cpp:
                cols["child_protection_plan"][r] = "Y" if people.cpp[p] else "N"
    return cols
