"""The intelligence pages' pictures under the Content-Security-Policy: the network view
(Cytoscape) and the hotspot map (Leaflet, no tiles) draw, and the browser reports no violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_network_view_and_hotspot_map_draw_under_the_policy(
    page: Any, live_server: Any, picture: dict[str, Any], sign_in: Any, csp_violations: list
) -> None:
    sign_in(page, live_server, picture["users"]["analyst"])

    page.goto(f"{live_server.url}{reverse('insight:peer-group', args=['PG-0001'])}")
    canvas = page.locator("#network-view canvas").first
    expect(canvas).to_be_attached()
    box = canvas.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 100
    # Cytoscape drew its nodes: one of its canvases (it draws in layers) is not blank.
    page.wait_for_function(
        """() => [...document.querySelectorAll('#network-view canvas')].some(c => {
                   const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                   for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
                   return false; })""",
        timeout=10000,
    )

    page.goto(f"{live_server.url}{reverse('insight:hotspots')}")
    expect(page.locator("#hotspot-map.leaflet-container")).to_be_visible()
    expect(page.locator("#hotspot-map path.leaflet-interactive")).to_have_count(4)
    # Leaflet's own style sheet applied (it positions the panes absolutely).
    pane = page.locator("#hotspot-map .leaflet-pane").first
    assert pane.evaluate("e => getComputedStyle(e).position") == "absolute"
    assert csp_violations == []
