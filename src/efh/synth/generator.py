"""The synthetic borough generator: a delivery in the exchange format, with its ground truth.

The model of the borough
------------------------
*Geography* (``geography``): the 21 wards of ``contexts/data/wards_hackney.csv``; postcodes in
the districts E2, E5, E8, E9, N1, N4 and N16; schools (about one per 300 children, a few
alternative provision units), estates, parks, stations, shops, takeaways, licensed premises,
youth clubs, hotels, surgeries, street corners, all with invented names and scattered around
the ward centroids inside 51.53-51.58 N, 0.10-0.02 W.

*People* (``population``): ``children`` children aged 0-17 in households (siblings, twins,
half-siblings with another surname), with the ethnic mix of an inner-London borough and names
from the communities that live there; about 1% looked after, 15% with SEND, 3% on a child
protection plan. Adults (about 15% of people): exploiters (one per 1000 children, at least two),
young adults around peer groups, and adults who are victims, witnesses or suspects. Peer groups
of 3-15 older children (one per 150 children) with one or two leaders, some children in two
groups; exploiters reach children in two to four groups.

*Agencies* (``records``): seven sources. Each child is known to one, or for the share
``duplicate_rate`` (and always for children whose circumstances involve several agencies) to two
to four; a few have two records in one agency. Records differ as real ones do (nicknames, other
spellings, typing errors, hyphenated surnames, swapped day and month, stale postcodes, missing
identifiers). NHS numbers are in the 999 test range with valid check digits; UPNs and PNC ids
carry their check letters.

*Activity* (``activity``): two years of events before ``as_of``: background events everywhere
(weighted to 10-17 year-olds and to a heavy-tailed risk), peer-group events at the group's places,
exploitation events, spatio-temporal hotspots; missing episodes with a Pareto tail (the top 5% of
missing children have about 40% of episodes), group members missing together, return home
interviews; associations (membership, friends, suspected exploiters, places frequented, homes,
schools, siblings, where missing children were found).

*Delivery* (``writer``): each agency's own place records and ids, every reference resolved within
the same source; ``truth/`` holds which records are the same person, the groups, the exploiters,
the hotspots and a manifest. The same seed gives byte-identical files: every random draw comes from
numpy generators seeded from ``seed`` (one stream per stage) and nothing depends on set or hash
order or on the clock.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np

from efh.synth import activity, geography, names, population, records, writer

GENERATOR_VERSION = 1
DELIVERY_FILES = tuple(writer.HEADERS)
TRUTH_DIR = "truth"
MANIFEST = "manifest.json"


def generate(
    out_dir: Path,
    children: int,
    seed: int,
    as_of: date = date(2026, 10, 31),
    duplicate_rate: float = 0.3,
    activity_scale: float = 1.0,
    progress: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Write a synthetic delivery for a borough of ``children`` children into ``out_dir``.

    ``activity_scale`` multiplies the rate of background events (the bulk of all events; 1.0
    gives about three events per child over two years); the other layers are unchanged.

    Returns the number of rows written per file (truth files as ``truth/<name>``).
    """
    if children < 50:
        raise ValueError("children must be at least 50")
    if not 0.0 <= duplicate_rate <= 1.0:
        raise ValueError("duplicate_rate must be between 0 and 1")
    if not 0.0 < activity_scale <= 50.0:
        raise ValueError("activity_scale must be more than 0 and at most 50")
    say = progress or (lambda _m: None)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in DELIVERY_FILES:
        (out_dir / name).unlink(missing_ok=True)
    shutil.rmtree(out_dir / TRUTH_DIR, ignore_errors=True)

    streams = [
        np.random.Generator(np.random.PCG64(s)) for s in np.random.SeedSequence(seed).spawn(9)
    ]
    clock = activity.Clock.for_date(as_of)

    say("drawing the map")
    pools = names.build_pools(seed)
    wards = geography.load_wards()
    postcodes = geography.make_postcodes(
        streams[0], wards, per_ward=max(12, round(children / len(wards.name) / 14))
    )
    places = geography.make_places(streams[0], wards, postcodes, pools, children)

    say(f"creating {children:,} children and the adults around them")
    people = population.make_people(streams[1], pools, wards, postcodes, places, children, as_of)
    counts_missing = activity.plan_missing(streams[2], people, as_of)

    say("deciding which agencies know whom")
    known, extra = records.coverage(streams[3], people, as_of, duplicate_rate, counts_missing)
    recs = records.make_records(streams[3], pools, people, as_of, known, extra)

    world = activity.World(
        rng=streams[4],
        people=people,
        records=recs,
        places=places,
        wards=wards,
        clock=clock,
        children=children,
        age=people.age_years(as_of),
        activity=activity_scale,
    )
    say("simulating two years of events")
    events = activity.Events()
    activity.background(world, events)
    activity.group_activity(world, events)
    activity.exploitation(world, events)
    world.rng = streams[5]
    spots = activity.hotspots(world, events)
    say("simulating missing episodes")
    world.rng = streams[6]
    missing = activity.missing_episodes(world, counts_missing)
    world.rng = streams[7]
    assoc = activity.associations(world, missing)

    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "children": children,
        "as_of": as_of.isoformat(),
        "duplicate_rate": duplicate_rate,
    }
    if activity_scale != 1.0:
        # Only when set, so that default deliveries stay byte-identical to earlier ones.
        manifest["activity_scale"] = activity_scale
    counts = writer.write_delivery(
        out_dir, streams[8], clock, people, places, recs, events, missing, assoc, spots,
        manifest, say,
    )  # fmt: skip
    say("done")
    return counts


def is_synth_output(path: Path) -> bool:
    """Whether ``path`` holds a previous output of this generator (safe to overwrite)."""
    return (Path(path) / TRUTH_DIR / MANIFEST).is_file()
