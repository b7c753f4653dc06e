"""The analyst's pictures: the network view (a readable force-directed layout, people and links
told apart by shape and dash with a key, labels that do not overlap for a 12-member group) and
the hotspot map without tiles (ward areas and names served with the page, the key, a scale,
hotspots coloured by class); with axe-core on each page."""

from __future__ import annotations

import itertools
import math
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from efh.contexts.geometry import WardPoint, ward_areas
from efh.insight.selectors.network import network_of

HACKNEY = [
    WardPoint("E05009367", "Brownswood", 51.5695, -0.0985),
    WardPoint("E05009368", "Cazenove", 51.5665, -0.0685),
    WardPoint("E05009369", "Clissold", 51.5595, -0.0830),
    WardPoint("E05009370", "Dalston", 51.5475, -0.0735),
    WardPoint("E05009372", "Hackney Central", 51.5466, -0.0553),
]


def _inside(point: tuple[float, float], ring: list[list[float]]) -> bool:
    """Ray casting: is (lng, lat) inside the closed ring of [lng, lat]?"""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in itertools.pairwise(ring):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def _area(ring: list[list[float]]) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in itertools.pairwise(ring)))


def test_ward_areas_hold_their_own_point_and_nobody_else_s() -> None:
    areas = ward_areas(HACKNEY)
    assert areas["type"] == "FeatureCollection"
    features = {f["properties"]["code"]: f for f in areas["features"]}
    assert set(features) == {w.code for w in HACKNEY}
    for w in HACKNEY:
        f = features[w.code]
        ring = f["geometry"]["coordinates"][0]
        assert f["geometry"]["type"] == "Polygon" and ring[0] == ring[-1]
        assert f["properties"]["name"] == w.name
        assert _inside((w.longitude, w.latitude), ring)
        assert _inside(tuple(f["properties"]["label"]), ring)  # the name sits in its area
        others = [o for o in HACKNEY if o.code != w.code]
        assert not any(_inside((o.longitude, o.latitude), ring) for o in others)
    # The areas tile the box around the wards: their areas add up to the box's.
    lngs = [p[0] for f in areas["features"] for p in f["geometry"]["coordinates"][0]]
    lats = [p[1] for f in areas["features"] for p in f["geometry"]["coordinates"][0]]
    box = (max(lngs) - min(lngs)) * (max(lats) - min(lats))
    total = sum(_area(f["geometry"]["coordinates"][0]) / 2 for f in areas["features"])
    assert math.isclose(total, box, rel_tol=1e-3)


def test_ward_areas_of_one_ward_or_none() -> None:
    assert ward_areas([]) == {"type": "FeatureCollection", "features": []}
    one = ward_areas(HACKNEY[:1])["features"]
    assert len(one) == 1 and _inside((-0.0985, 51.5695), one[0]["geometry"]["coordinates"][0])


@pytest.mark.django_db
def test_network_links_have_their_kind_of_evidence_and_the_key_lists_them(
    picture: dict[str, Any],
) -> None:
    ids = picture["ids"]
    c1, c2, c3, c4 = ids["c1"], ids["c2"], ids["c3"], ids["c4"]
    summary = picture["pg"].summary | {
        "edges": [
            {"a": c1, "b": c2, "weight": 2.3},  # evidence: an event
            {"a": c2, "b": c3, "weight": 1.1},  # evidence: an association
            {"a": c1, "b": c3, "weight": 1.5, "kind": "phone"},  # the summary says
            {"a": c1, "b": c4, "weight": 0.7},  # no evidence in the summary
        ]
    }
    graph = network_of(summary, dict.fromkeys((c1, c2, c3, c4), "Member")).graph()
    kinds = {(e["source"], e["target"]): e["kind"] for e in graph["edges"]}
    assert kinds == {
        (f"p{c1}", f"p{c2}"): "event",
        (f"p{c2}", f"p{c3}"): "association",
        (f"p{c1}", f"p{c3}"): "contact",
        (f"p{c1}", f"p{c4}"): "other",
    }
    assert [k for k, _ in graph["links"]] == ["event", "association", "contact", "other"]
    assert graph["roles"] == ["child"]


# --- in a browser ----------------------------------------------------------------------------


@pytest.fixture
def twelve(picture: dict[str, Any], make_person: Any) -> str:
    """A peer group of twelve children, linked as a realistic group is: a dense core, a few on
    the edge, evidence of every kind."""
    from efh.insight.models import Candidate, CandidateKind, CandidateMember

    ids = [make_person(source="police").pk for _ in range(12)]
    kinds = ["event", "association", "missing", "address"]
    edges, evidence = [], []
    for i, a in enumerate(ids):
        for j, b in enumerate(ids[i + 1 :], start=i + 1):
            if (i < 7 and j < 7) or j == i + 1 or (i * j) % 5 == 1:
                weight = 1.0 + ((i + j) % 4) * 0.6
                edges.append({"a": a, "b": b, "weight": weight})
                evidence.append(
                    {
                        "a": a,
                        "b": b,
                        "kind": kinds[(i + j) % 4],
                        "ref": f"event:{i}{j}",
                        "at": "2026-10-01",
                        "weight": weight,
                    }
                )
    summary = picture["pg"].summary | {"members": ids, "edges": edges, "evidence": evidence}
    c = Candidate.objects.create(
        kind=CandidateKind.PEER_GROUP,
        code="PG-0012",
        first_run=picture["run"],
        last_run=picture["run"],
        rank=2,
        size=12,
        summary=summary,
    )
    CandidateMember.objects.bulk_create([CandidateMember(candidate=c, person_id=p) for p in ids])
    return c.code


LABEL_OVERLAPS = """() => {
  const cy = document.querySelector('#network-view').cy;
  const boxes = cy.nodes().map((n) => n.renderedBoundingBox({ includeLabels: true }));
  const worst = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    const x = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
    const y = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
    if (x > 0 && y > 0) worst.push((x * y) / Math.min(a.w * a.h, b.w * b.h));
  }
  const shapes = [...new Set(cy.nodes().map((n) => n.style('shape')))];
  const dashes = [...new Set(cy.edges().map((e) => e.style('line-style')))];
  return { nodes: cy.nodes().length, zoom: cy.zoom(), worst: Math.max(0, ...worst),
           shapes, dashes, width: cy.width() };
}"""


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_a_twelve_member_group_is_drawn_with_labels_apart_and_a_key(
    page: Any,
    live_server: Any,
    picture: dict[str, Any],
    twelve: str,
    sign_in: Any,
    assert_accessible: Any,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server, picture["users"]["analyst"])
    page.goto(f"{live_server.url}{reverse('insight:peer-group', kwargs={'code': twelve})}")
    expect(page.locator("#network-view[data-drawn='true']")).to_be_attached()
    found = page.evaluate(LABEL_OVERLAPS)
    assert found["nodes"] == 12
    assert found["worst"] < 0.05, found  # no two pseudonyms on top of each other
    assert found["zoom"] * 11 >= 8, found  # and large enough to read
    assert found["shapes"] == ["ellipse"] and set(found["dashes"]) >= {"solid", "dashed", "dotted"}
    key = page.locator(".efh-network__key")
    for text in [
        "Child (circle)",
        "In the same event",
        "A recorded association",
        "Missing together",
        "A shared address or phone",
    ]:
        expect(key.get_by_text(text)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_adult_is_a_star_among_children_in_the_key_too(
    page: Any, live_server: Any, picture: dict[str, Any], sign_in: Any, assert_accessible: Any
) -> None:
    sign_in(page, live_server, picture["users"]["analyst"])
    page.goto(f"{live_server.url}{reverse('insight:adult', kwargs={'code': 'AD-0001'})}")
    expect(page.locator("#network-view[data-drawn='true']")).to_be_attached()
    shapes = page.evaluate(
        "() => Object.fromEntries(document.querySelector('#network-view').cy.nodes()"
        ".map((n) => [n.data('kind'), n.style('shape')]))"
    )
    assert shapes == {"focus": "star", "child": "ellipse"}
    key = page.locator(".efh-network__key")
    expect(key.get_by_text("The adult")).to_be_visible()
    expect(key.get_by_text("Linked through one other person (hollow)")).to_be_visible()
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 375])
def test_the_map_without_tiles_shows_wards_names_key_and_scale(
    page: Any,
    live_server: Any,
    picture: dict[str, Any],
    sign_in: Any,
    assert_accessible: Any,
    width: int,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    sign_in(page, live_server, picture["users"]["manager"])
    page.goto(f"{live_server.url}{reverse('insight:hotspots')}")
    expect(page.locator("#hotspot-map[data-drawn='true']")).to_be_attached()
    # The ward areas come with the page (no request leaves the platform).
    data = page.evaluate("JSON.parse(document.getElementById('hotspot-map-data').textContent)")
    assert data["wards"]["type"] == "FeatureCollection"
    assert {f["properties"]["name"] for f in data["wards"]["features"]} == {
        "Dalston",
        "Hackney Central",
    }
    assert all(url.startswith(live_server.url) for url in requests), requests
    # Two ward areas drawn (not interactive) and their names on the map.
    expect(page.locator("#hotspot-map path:not(.leaflet-interactive)")).to_have_count(2)
    labels = page.locator("#hotspot-map .efh-map__ward-label")
    expect(labels).to_have_count(2)
    expect(labels.filter(has_text="Hackney Central")).to_be_visible()
    if width >= 1000:
        expect(labels.filter(has_text="Dalston")).to_be_visible()
    # A name that would overlap another name or a hotspot's number waits for a closer zoom.
    assert (
        page.evaluate(
            """() => {
        const boxes = [...document.querySelectorAll(
            '#hotspot-map .efh-map__ward-label, #hotspot-map .efh-map__hotspot-number')]
          .filter((e) => getComputedStyle(e).visibility !== 'hidden')
          .map((e) => e.getBoundingClientRect());
        return boxes.some((a, i) => boxes.slice(i + 1).some((b) =>
          a.left < b.right && a.right > b.left && a.top < b.bottom && a.bottom > b.top));
        }"""
        )
        is False
    )
    # Hotspots coloured by class, not grey: emerging red (solid), persistent orange (dashed).
    strokes = page.evaluate(
        "() => [...document.querySelectorAll('#hotspot-map path.leaflet-interactive')]"
        ".map((p) => [p.getAttribute('stroke'), p.getAttribute('stroke-dasharray')])"
    )
    assert ["#d4351c", None] in strokes and ["#f47738", "10 5"] in strokes
    assert not any(s == "#505a5f" for s, _ in strokes)
    # A scale bar, north, and the key.
    expect(page.locator("#hotspot-map .leaflet-control-scale-line")).to_be_visible()
    expect(page.locator("#hotspot-map .leaflet-control-attribution")).to_contain_text("North is up")
    key = page.locator("#map-key")
    expect(key.get_by_role("heading", name="Key to the map")).to_be_visible()
    for text in ["Emerging", "Persistent", "Past", "A ward, named in its area"]:
        expect(key.get_by_text(text, exact=False).first).to_be_visible()
    assert page.locator("#hotspot-map img.leaflet-tile").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_analyst_s_home_page_leads_to_the_intelligence_picture(
    page: Any, live_server: Any, picture: dict[str, Any], sign_in: Any, assert_accessible: Any
) -> None:
    sign_in(page, live_server, picture["users"]["analyst"])
    link = page.get_by_role("main").get_by_role("link", name="The intelligence picture")
    expect(link).to_be_visible()
    assert_accessible(page)
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Intelligence picture")


@pytest.mark.django_db
def test_a_person_s_connections_keep_each_link_s_kind(picture: dict[str, Any]) -> None:
    from efh.insight.selectors import person_connections

    ids = picture["ids"]
    pg = picture["pg"]
    pg.summary = pg.summary | {
        "edges": [
            {"a": ids["c1"], "b": ids["c4"], "weight": 0.7, "kind": "association"},
            {"a": ids["c1"], "b": ids["c2"], "weight": 2.3},  # the evidence says: an event
        ]
    }
    pg.save()
    c = person_connections(picture["users"]["analyst"], ids["c1"])
    assert c is not None
    kinds = {(e["source"], e["target"]): e["kind"] for e in c.network.graph()["edges"]}
    assert kinds[(f"p{ids['c1']}", f"p{ids['c4']}")] == "association"
    assert kinds[(f"p{ids['c1']}", f"p{ids['c2']}")] == "event"
