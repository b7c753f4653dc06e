// The hotspot map: Leaflet, with map tiles only where the deployment configures a tile server
// (EFH_MAP_TILE_URL); without tiles, a plain background with the hotspots as circles and each
// ward's representative point, so nothing is fetched from the internet.
//
// Data come from a <script type="application/json"> element (json_script) named by the map's
// data-map attribute: hotspots [{lat, lng, radius (metres), status, label}] and wards
// [{lat, lng, name}]. The same hotspots are in the table below the map. Without JavaScript the
// map stays hidden and the table is the page.

/* global L */

const STATUS_COLOURS = { emerging: "#d4351c", persistent: "#f47738", past: "#505a5f" };

function drawMap(element) {
  const source = document.getElementById(element.dataset.map);
  if (!source || typeof L === "undefined") return;
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch {
    return;
  }
  element.hidden = false;
  const tiles = element.dataset.tiles;
  const map = L.map(element, { attributionControl: Boolean(tiles), zoomSnap: 0.25 });
  if (tiles) {
    L.tileLayer(tiles, { attribution: element.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  } else {
    element.classList.add("efh-map--plain");
  }
  const bounds = [];
  for (const w of data.wards || []) {
    L.circleMarker([w.lat, w.lng], {
      radius: 3,
      color: "#0b0c0c",
      weight: 1,
      fillColor: "#ffffff",
      fillOpacity: 1,
    })
      .bindTooltip(w.name, { direction: "top" })
      .addTo(map);
    bounds.push([w.lat, w.lng]);
  }
  for (const h of data.hotspots || []) {
    const colour = STATUS_COLOURS[h.status] || STATUS_COLOURS.past;
    L.circle([h.lat, h.lng], {
      radius: h.radius || 150,
      color: colour,
      weight: 2,
      fillColor: colour,
      fillOpacity: 0.3,
    })
      .bindTooltip(h.label)
      .addTo(map);
    const extent = L.latLng(h.lat, h.lng).toBounds(2 * (h.radius || 150));
    bounds.push(extent.getSouthWest(), extent.getNorthEast());
  }
  if (bounds.length) map.fitBounds(bounds, { padding: [20, 20], maxZoom: 16 });
  else map.setView([51.5465, -0.0553], 13);
}

document.querySelectorAll("[data-map]").forEach(drawMap);
