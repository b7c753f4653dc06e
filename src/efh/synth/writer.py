"""Turning the simulated borough into a delivery: each agency's own place records, source ids,
resolved references, and the CSV files of the exchange format (plus ``truth/``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from efh.synth.activity import (
    DAY_S,
    Associations,
    Clock,
    Events,
    Hotspot,
    Missing,
    group_labels,
    recorded_times,
    stamp,
)
from efh.synth.geography import Places, scatter
from efh.synth.population import People
from efh.synth.records import (
    EDUCATION,
    HEALTH,
    SOURCES,
    Records,
    make_ids,
    sequential_ids,
)
from efh.synth.texts import summaries

HEADERS = {
    "persons.csv": "source,source_id,given_name,family_name,other_names,date_of_birth,sex,"
    "ethnicity,nhs_number,upn,pnc_id,address,postcode,phone,is_child,looked_after,send,"
    "child_protection_plan,school_source_id,recorded_at",
    "organisations.csv": "source,source_id,name,kind,latitude,longitude,postcode",
    "locations.csv": "source,source_id,name,kind,latitude,longitude,postcode",
    "events.csv": "source,source_id,kind,occurred_at,recorded_at,harm_types,location_source_id,"
    "latitude,longitude,summary",
    "event_people.csv": "source,event_source_id,person_source_id,role",
    "associations.csv": "source,source_id,person_source_id,other_kind,other_source_id,kind,"
    "first_seen,last_seen,source_evaluation,intelligence_evaluation,handling_code",
    "missing_episodes.csv": "source,source_id,person_source_id,missing_from,went_missing_at,"
    "reported_at,returned_at,found_location_source_id,found_latitude,found_longitude,"
    "rhi_offered_at,rhi_completed_at,missing_with",
}
TRUTH_HEADERS = {
    "persons_truth.csv": "source,source_id,true_person_id",
    "groups_truth.csv": "true_person_id,group_id,role",
    "exploiters_truth.csv": "true_person_id",
    "hotspots_truth.csv": "latitude,longitude,radius_m,start,end,harm_type",
}
EVENT_PREFIX = ("CAD-", "EDU-", "HX-", "REF-", "YJE-", "ASB-", "VEV-")


def true_id(pid: np.ndarray) -> np.ndarray:
    return np.array([f"TP-{p + 1:07d}" for p in np.asarray(pid)], dtype=object)


def coord(x: np.ndarray) -> np.ndarray:
    """Five decimals (about a metre); empty where not given."""
    x = np.asarray(x, dtype=float)
    out = np.full(len(x), "", dtype=object)
    ok = ~np.isnan(x)
    out[ok] = np.char.mod("%.5f", x[ok]).astype(object)
    return out


def _date(days: np.ndarray) -> np.ndarray:
    days = np.asarray(days, dtype=np.int64)
    out = np.full(len(days), "", dtype=object)
    ok = days >= 0
    out[ok] = np.datetime_as_string(days[ok].astype("datetime64[D]")).astype(object)
    return out


def _stamp_or_empty(t: np.ndarray) -> np.ndarray:
    t = np.asarray(t, dtype=np.int64)
    out = np.full(len(t), "", dtype=object)
    ok = t >= 0
    out[ok] = stamp(t[ok]).astype(object)
    return out


@dataclass
class PlaceRecords:
    """Each agency's own records of the places it mentions."""

    src: np.ndarray
    place: np.ndarray
    source_id: np.ndarray
    name: np.ndarray
    lat: np.ndarray
    lon: np.ndarray

    def lookup(self, src: np.ndarray, place: np.ndarray) -> np.ndarray:
        """The source_id of each (source, place), "" where place is -1."""
        src = np.asarray(src, dtype=np.int64)
        place = np.asarray(place, dtype=np.int64)
        out = np.full(len(place), "", dtype=object)
        ok = place >= 0
        key = self.src * 1_000_000 + self.place
        want = src[ok] * 1_000_000 + place[ok]
        pos = np.searchsorted(key, want)
        assert (key[pos] == want).all(), "a place was referenced but not recorded"
        out[ok] = self.source_id[pos]
        return out

    def index_of(self, src: np.ndarray, place: np.ndarray) -> np.ndarray:
        key = self.src * 1_000_000 + self.place
        return np.searchsorted(key, np.asarray(src) * 1_000_000 + np.asarray(place))


def _place_variant(name: str, u: float) -> str:
    if u < 0.78:
        return name
    if u < 0.88:
        for long, short in (
            (" Estate", " Est."),
            (" Primary School", " Primary"),
            (" Academy", " Acad."),
            (" Overground station", " station"),
            (" Convenience Store", " Store"),
            (" Road", " Rd"),
            (" Street", " St"),
        ):
            if long in name:
                return name.replace(long, short)
        return name
    if u < 0.95:
        return f"{name} (outside)" if not name.endswith(")") else name
    return name.upper()


def place_records(
    rng: np.random.Generator,
    places: Places,
    refs: list[tuple[np.ndarray, np.ndarray]],
) -> PlaceRecords:
    """One record per (source, place) referenced, with the agency's spelling and pin."""
    src = np.concatenate([np.asarray(s, dtype=np.int64) for s, _ in refs])
    place = np.concatenate([np.asarray(p, dtype=np.int64) for _, p in refs])
    ok = place >= 0
    key = np.unique(src[ok] * 1_000_000 + place[ok])
    src, place = key // 1_000_000, key % 1_000_000
    n = len(key)
    source_id = np.empty(n, dtype=object)
    is_org = places.is_org[place]
    for s in range(len(SOURCES)):
        for org in (True, False):
            m = np.flatnonzero((src == s) & (is_org == org))
            prefix = ("SCH-" if s == EDUCATION else "ORG-") if org else "LOC-"
            source_id[m] = make_ids(rng, prefix, len(m), width=5)
    u = rng.random(n)
    name = np.array(
        [_place_variant(places.name[p], x) for p, x in zip(place, u, strict=True)], dtype=object
    )
    lat, lon = scatter(rng, places.lat[place], places.lon[place], 15)
    return PlaceRecords(src, place, source_id, name, lat, lon)


def _frame(header: str, columns: dict[str, np.ndarray | list[str]]) -> pl.DataFrame:
    names = header.split(",")
    frame = pl.DataFrame(
        {c: pl.Series(c, list(columns[c]) if not isinstance(columns[c], list) else columns[c],
                      dtype=pl.String) for c in names}
    )  # fmt: skip
    return frame.with_columns(
        [pl.when(pl.col(c) != "").then(pl.col(c)).otherwise(None).alias(c) for c in names]
    )


def write_csv(path: Path, header: str, columns: dict[str, np.ndarray | list[str]]) -> int:
    frame = _frame(header, columns)
    frame.write_csv(path, line_terminator="\n", quote_style="necessary")
    return frame.height


@dataclass
class Delivery:
    counts: dict[str, int]


def write_delivery(
    out: Path,
    rng: np.random.Generator,
    clock: Clock,
    people: People,
    places: Places,
    records: Records,
    events: Events,
    missing: Missing,
    assoc: Associations,
    spots: list[Hotspot],
    manifest: dict[str, object],
    progress: object,
) -> dict[str, int]:
    say = progress if callable(progress) else (lambda _m: None)
    counts: dict[str, int] = {}
    srcs = np.array(SOURCES, dtype=object)

    # Events: resolve people to the source's records, order by time, number them.
    say("resolving events")
    ev = events.columns()
    p_event, p_pid, p_role = events.participants()
    p_src = ev["src"][p_event]
    u = rng.random(len(p_pid))
    p_rec = np.full(len(p_pid), -1, dtype=np.int64)
    for s in range(len(SOURCES)):
        m = p_src == s
        p_rec[m] = records.lookup(s, p_pid[m], u[m])
    keep = p_rec >= 0
    p_event, p_rec, p_role = p_event[keep], p_rec[keep], p_role[keep]
    _, first = np.unique(p_event * 10_000_000 + p_rec, return_index=True)
    first = np.sort(first)
    p_event, p_rec, p_role = p_event[first], p_rec[first], p_role[first]

    order = np.lexsort((ev["t"], ev["src"]))
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    ev = {k: v[order] for k, v in ev.items()}
    p_event = rank[p_event]
    ev_id = np.empty(len(order), dtype=object)
    for s in range(len(SOURCES)):
        m = np.flatnonzero(ev["src"] == s)
        ev_id[m] = sequential_ids(rng, EVENT_PREFIX[s], len(m))
    recorded = recorded_times(rng, clock, ev["src"], ev["kind"], ev["t"])

    # Persons' recorded_at: before their first event or episode in that source.
    first_seen = np.full(len(records), clock.end + 1, dtype=np.int64)
    np.minimum.at(first_seen, p_rec, ev["t"][p_event])
    m_rec = _missing_records(rng, records, missing)
    ok_m = m_rec >= 0
    np.minimum.at(first_seen, m_rec[ok_m], missing.went[ok_m])
    dob_s = clock.day(people.dob[records.pid])
    earliest = np.maximum(dob_s, clock.end - 6 * 365 * DAY_S)
    base = earliest + (rng.random(len(records)) * (clock.end - earliest)).astype(np.int64)
    lead = (rng.lognormal(np.log(20 * DAY_S), 1.2, len(records))).astype(np.int64)
    rec_at = np.minimum(base, first_seen - np.minimum(lead, first_seen - dob_s))
    rec_at = np.maximum(rec_at, dob_s)
    rec_at = clock.fix(rec_at - rec_at % 60)
    rec_at = np.minimum(rec_at, np.minimum(first_seen, clock.end))

    # Places each agency mentions get a record of that agency.
    say("recording places")
    a_src = np.array(assoc.src, dtype=np.int64)
    a_place = np.array(
        [o if k == "place" else -1 for o, k in zip(assoc.other, assoc.other_kind, strict=True)],
        dtype=np.int64,
    )
    schools = places.of_type("primary", "secondary", "ap")
    health = places.of_type("hospital", "gp")
    prec = place_records(
        rng,
        places,
        [
            (ev["src"], ev["place"]),
            (missing.src, missing.found_place),
            (a_src, a_place),
            (records.src, records.school_place),
            (np.full(len(schools), EDUCATION), schools),
            (np.full(len(health), HEALTH), health),
        ],
    )

    say("writing persons")
    f = records.fields
    order_r = np.lexsort((records.source_id, records.src))
    cols = {k: v[order_r] for k, v in f.items()}
    cols["source"] = srcs[records.src[order_r]]
    cols["source_id"] = records.source_id[order_r]
    cols["school_source_id"] = prec.lookup(records.src[order_r], records.school_place[order_r])
    cols["recorded_at"] = stamp(rec_at[order_r])
    counts["persons.csv"] = write_csv(out / "persons.csv", HEADERS["persons.csv"], cols)

    say("writing places")
    for file, org in (("organisations.csv", True), ("locations.csv", False)):
        m = np.flatnonzero(places.is_org[prec.place] == org)
        m = m[np.lexsort((prec.source_id[m], prec.src[m]))]
        counts[file] = write_csv(
            out / file,
            HEADERS[file],
            {
                "source": srcs[prec.src[m]],
                "source_id": prec.source_id[m],
                "name": prec.name[m],
                "kind": places.kind[prec.place[m]],
                "latitude": coord(prec.lat[m]),
                "longitude": coord(prec.lon[m]),
                "postcode": places.postcode[prec.place[m]],
            },
        )

    say("writing events")
    n_ev = len(ev_id)
    subject_rec = np.full(n_ev, -1, dtype=np.int64)
    named, first_named = np.unique(p_event, return_index=True)
    subject_rec[named] = p_rec[first_named]  # the first person named in each event
    n_people = np.bincount(p_event, minlength=n_ev)
    has = subject_rec >= 0
    subj_name = np.full(n_ev, "", dtype=object)
    subj_name[has] = records.fields["given_name"][subject_rec[has]]
    place_name = np.full(n_ev, "", dtype=object)
    at = ev["place"] >= 0
    place_name[at] = prec.name[prec.index_of(ev["src"][at], ev["place"][at])]
    label = ev["label"].copy()
    for s in range(len(SOURCES)):
        m = np.flatnonzero((label != "") & (ev["src"] == s))
        for i in m:
            label[i] = group_labels(label[i]).get(s, label[i])
    text = summaries(rng, ev["kind"], ev["harm"], subj_name, place_name, label, n_people)
    counts["events.csv"] = write_csv(
        out / "events.csv",
        HEADERS["events.csv"],
        {
            "source": srcs[ev["src"]],
            "source_id": ev_id,
            "kind": ev["kind"],
            "occurred_at": stamp(ev["t"]),
            "recorded_at": stamp(recorded),
            "harm_types": ev["harm"],
            "location_source_id": prec.lookup(ev["src"], ev["place"]),
            "latitude": coord(ev["lat"]),
            "longitude": coord(ev["lon"]),
            "summary": text,
        },
    )
    ep_order = np.lexsort((records.source_id[p_rec], p_event))
    counts["event_people.csv"] = write_csv(
        out / "event_people.csv",
        HEADERS["event_people.csv"],
        {
            "source": srcs[ev["src"][p_event[ep_order]]],
            "event_source_id": ev_id[p_event[ep_order]],
            "person_source_id": records.source_id[p_rec[ep_order]],
            "role": p_role[ep_order],
        },
    )

    say("writing associations")
    counts["associations.csv"] = _write_associations(out, rng, records, places, prec, assoc)
    say("writing missing episodes")
    counts["missing_episodes.csv"] = _write_missing(out, rng, records, prec, missing, m_rec)

    say("writing truth")
    truth = out / "truth"
    truth.mkdir(exist_ok=True)
    counts["truth/persons_truth.csv"] = write_csv(
        truth / "persons_truth.csv",
        TRUTH_HEADERS["persons_truth.csv"],
        {
            "source": srcs[records.src[order_r]],
            "source_id": records.source_id[order_r],
            "true_person_id": true_id(records.pid[order_r]),
        },
    )
    g_pid, g_id, g_role = [], [], []
    for grp in people.groups:
        for m in grp.members:
            g_pid.append(int(m))
            g_id.append(grp.gid)
            g_role.append("leader" if m in grp.leaders else "member")
    counts["truth/groups_truth.csv"] = write_csv(
        truth / "groups_truth.csv",
        TRUTH_HEADERS["groups_truth.csv"],
        {"true_person_id": true_id(np.array(g_pid)), "group_id": g_id, "role": g_role},
    )
    counts["truth/exploiters_truth.csv"] = write_csv(
        truth / "exploiters_truth.csv",
        TRUTH_HEADERS["exploiters_truth.csv"],
        {"true_person_id": true_id(np.array([e.pid for e in people.exploiters]))},
    )
    counts["truth/hotspots_truth.csv"] = write_csv(
        truth / "hotspots_truth.csv",
        TRUTH_HEADERS["hotspots_truth.csv"],
        {
            "latitude": coord(np.array([h.lat for h in spots])),
            "longitude": coord(np.array([h.lon for h in spots])),
            "radius_m": [str(h.radius_m) for h in spots],
            "start": [str(h.start) for h in spots],
            "end": [str(h.end) for h in spots],
            "harm_type": [h.harm for h in spots],
        },
    )
    manifest = {**manifest, "counts": counts}
    (truth / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return counts


def _missing_records(rng: np.random.Generator, records: Records, missing: Missing) -> np.ndarray:
    rec = np.full(len(missing.pid), -1, dtype=np.int64)
    u = rng.random(len(missing.pid))
    for s in range(len(SOURCES)):
        m = missing.src == s
        rec[m] = records.lookup(s, missing.pid[m], u[m], dup_share=0.15)
    return rec


def _grading(rng: np.random.Generator, src: np.ndarray) -> tuple[np.ndarray, ...]:
    n = len(src)
    graded = np.where(src == 0, rng.random(n) < 0.9, (src == 5) & (rng.random(n) < 0.3))
    se = np.array(["1", "2", "3"], dtype=object)[rng.choice(3, n, p=[0.2, 0.6, 0.2])]
    ie = np.array(list("ABCDE"), dtype=object)[rng.choice(5, n, p=[0.08, 0.35, 0.35, 0.17, 0.05])]
    hc = np.where(rng.random(n) < 0.85, "P", "C").astype(object)
    empty = np.full(n, "", dtype=object)
    return (np.where(graded, se, empty), np.where(graded, ie, empty), np.where(graded, hc, empty))


def _write_associations(
    out: Path,
    rng: np.random.Generator,
    records: Records,
    places: Places,
    prec: PlaceRecords,
    assoc: Associations,
) -> int:
    src = np.array(assoc.src, dtype=np.int64)
    pid = np.array(assoc.pid, dtype=np.int64)
    okind = np.array(assoc.other_kind, dtype=object)
    kind = np.array(assoc.kind, dtype=object)
    n = len(src)
    u = rng.random((n, 2))
    rec = np.full(n, -1, dtype=np.int64)
    other_id = np.full(n, "", dtype=object)
    is_person = okind == "person"
    is_place = okind == "place"
    other_pid = np.array(
        [o if k == "person" else -1 for o, k in zip(assoc.other, okind, strict=True)],
        dtype=np.int64,
    )
    other_place = np.array([o if k == "place" else -1 for o, k in zip(assoc.other, okind, strict=True)], dtype=np.int64)  # fmt: skip
    other_rec = np.full(n, -1, dtype=np.int64)
    for s in range(len(SOURCES)):
        m = src == s
        rec[m] = records.lookup(s, pid[m], u[m, 0], dup_share=0.2)
        mp = m & is_person
        other_rec[mp] = records.lookup(s, other_pid[mp], u[mp, 1], dup_share=0.2)
    other_id[is_person & (other_rec >= 0)] = records.source_id[
        other_rec[is_person & (other_rec >= 0)]
    ]
    other_id[is_place] = prec.lookup(src[is_place], other_place[is_place])
    groups = okind == "group"
    other_id[groups] = np.array(
        [o for o, k in zip(assoc.other, okind, strict=True) if k == "group"], dtype=object
    )
    out_kind = okind.copy()
    out_kind[is_place] = np.where(places.is_org[other_place[is_place]], "organisation", "location")
    valid = (rec >= 0) & (other_id != "") & ~(is_person & (other_rec == rec))
    first = np.array(assoc.first, dtype=np.int64)
    last = np.array(assoc.last, dtype=np.int64)
    # One row per (source, person, other, kind): the first one given.
    key = np.array(
        [f"{a}|{b}|{c}|{d}|{e}" for a, b, c, d, e in zip(src, rec, out_kind, other_id, kind, strict=True)],
        dtype=object,
    )  # fmt: skip
    idx = np.flatnonzero(valid)
    _, first_idx = np.unique(key[idx], return_index=True)
    idx = np.sort(idx[first_idx])
    idx = idx[np.lexsort((records.source_id[rec[idx]], src[idx]))]
    se, ie, hc = _grading(rng, src[idx])
    srcs = np.array(SOURCES, dtype=object)
    ids = np.empty(len(idx), dtype=object)
    for s in range(len(SOURCES)):
        m = np.flatnonzero(src[idx] == s)
        ids[m] = make_ids(rng, "AS-", len(m))
    return write_csv(
        out / "associations.csv",
        HEADERS["associations.csv"],
        {
            "source": srcs[src[idx]],
            "source_id": ids,
            "person_source_id": records.source_id[rec[idx]],
            "other_kind": out_kind[idx],
            "other_source_id": other_id[idx],
            "kind": kind[idx],
            "first_seen": _date(first[idx]),
            "last_seen": _date(last[idx]),
            "source_evaluation": se,
            "intelligence_evaluation": ie,
            "handling_code": hc,
        },
    )


def _write_missing(
    out: Path,
    rng: np.random.Generator,
    records: Records,
    prec: PlaceRecords,
    missing: Missing,
    rec: np.ndarray,
) -> int:
    keep = np.flatnonzero(rec >= 0)
    srcs = np.array(SOURCES, dtype=object)
    with_ids = np.full(len(missing.pid), "", dtype=object)
    for e in keep:
        if not missing.with_pids[e]:
            continue
        s = int(missing.src[e])
        others = records.lookup(s, np.array(missing.with_pids[e], dtype=np.int64))
        ids = [records.source_id[o] for o in others if o >= 0 and o != rec[e]]
        with_ids[e] = ";".join(dict.fromkeys(ids))
    order = keep[np.lexsort((missing.went[keep], missing.src[keep]))]
    ids = np.empty(len(order), dtype=object)
    for s in range(len(SOURCES)):
        m = np.flatnonzero(missing.src[order] == s)
        ids[m] = sequential_ids(rng, "MS-", len(m), width=6)
    return write_csv(
        out / "missing_episodes.csv",
        HEADERS["missing_episodes.csv"],
        {
            "source": srcs[missing.src[order]],
            "source_id": ids,
            "person_source_id": records.source_id[rec[order]],
            "missing_from": missing.missing_from[order],
            "went_missing_at": stamp(missing.went[order]),
            "reported_at": _stamp_or_empty(missing.reported[order]),
            "returned_at": _stamp_or_empty(missing.returned[order]),
            "found_location_source_id": prec.lookup(missing.src[order], missing.found_place[order]),
            "found_latitude": coord(missing.found_lat[order]),
            "found_longitude": coord(missing.found_lon[order]),
            "rhi_offered_at": _stamp_or_empty(missing.rhi_offered[order]),
            "rhi_completed_at": _stamp_or_empty(missing.rhi_completed[order]),
            "missing_with": with_ids[order],
        },
    )
