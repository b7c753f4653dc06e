// The hotspot map: Leaflet, with map tiles only where the deployment configures a tile server
// (EFH_MAP_TILE_URL). Without tiles the map still says where it is: the wards' areas with their
// names (served by the platform with the page: approximate areas from each ward's centre
// point), a scale bar and a note that north is up; nothing is fetched from the internet.
//
// Data come from a <script type="application/json"> element (json_script) named by the map's
// data-map attribute: hotspots [{number, lat, lng, radius (metres), status, cells (each a
// hexagon's [lat, lng] corners), label}], wards (a GeoJSON FeatureCollection: properties name
// and label [lng, lat]) and statuses (the legend's classes). Each hotspot is drawn as its hot
// cells filled in its class's colour inside a circle whose outline also differs by class
// (solid, dashed, dotted), so the classes do not rest on colour alone; the key below the map
// says what they mean. The same hotspots are in the table below. Without JavaScript the map and
// its key stay hidden and the table is the page.

/* global L */

const STYLES = {
  emerging: { color: "#d4351c", dashArray: null },
  persistent: { color: "#f47738", dashArray: "10 5" },
  past: { color: "#4c2c92", dashArray: "2 6" },
};
const HACKNEY = [51.5465, -0.0553];

function drawWards(map, wards, bounds) {
  if (!wards || !Array.isArray(wards.features) || wards.features.length === 0) return;
  const layer = L.geoJSON(wards, {
    interactive: false,
    style: { color: "#505a5f", weight: 1.5, fillColor: "#ffffff", fillOpacity: 0.6 },
  }).addTo(map);
  const labels = [];
  for (const feature of wards.features) {
    const props = feature.properties || {};
    if (!Array.isArray(props.label)) continue;
    labels.push(
      L.tooltip({ permanent: true, direction: "center", className: "efh-map__ward-label", interactive: false })
        .setLatLng([props.label[1], props.label[0]])
        .setContent(props.name || "")
        .addTo(map),
    );
  }
  // Names that would overlap a hotspot's number or a name already shown (the larger areas come
  // first) are hidden until the map is zoomed in far enough for them.
  const declutter = () => {
    // The hotspots' numbers first: a ward's name gives way to them.
    const shown = [...map.getContainer().querySelectorAll(".efh-map__hotspot-number")].map((el) =>
      el.getBoundingClientRect(),
    );
    for (const label of labels) {
      const el = label.getElement();
      if (!el) continue;
      el.style.visibility = "";
      const r = el.getBoundingClientRect();
      const hit = shown.some((s) => r.left < s.right && r.right > s.left && r.top < s.bottom && r.bottom > s.top);
      if (hit) el.style.visibility = "hidden";
      else shown.push(r);
    }
  };
  map.on("zoomend moveend resize", declutter);
  const extent = layer.getBounds();
  if (extent.isValid()) bounds.push(extent.getSouthWest(), extent.getNorthEast());
}

function drawHotspots(map, hotspots, bounds) {
  for (const h of hotspots || []) {
    const style = STYLES[h.status] || STYLES.past;
    for (const cell of h.cells || []) {
      L.polygon(cell, { color: style.color, weight: 0.5, fillColor: style.color, fillOpacity: 0.55 })
        .bindTooltip(h.label)
        .addTo(map);
    }
    L.circle([h.lat, h.lng], {
      radius: h.radius || 150,
      color: style.color,
      weight: 3,
      dashArray: style.dashArray,
      fill: (h.cells || []).length === 0,
      fillColor: style.color,
      fillOpacity: 0.25,
    })
      .bindTooltip(h.label)
      .addTo(map);
    L.marker([h.lat, h.lng], {
      // Beside the centre, up and to the right, so that it does not hide the hot cells.
      icon: L.divIcon({
        className: "efh-map__hotspot-number",
        html: String(h.number || ""),
        iconSize: [22, 22],
        iconAnchor: [-8, 30],
      }),
      interactive: false,
      keyboard: false,
    }).addTo(map);
    const extent = L.latLng(h.lat, h.lng).toBounds(2 * (h.radius || 150));
    bounds.push(extent.getSouthWest(), extent.getNorthEast());
  }
}

function drawMap(element) {
  const source = document.getElementById(element.dataset.map);
  if (!source || typeof L === "undefined") return;
  let data;
  try {
    data = JSON.parse(source.textContent);
  } catch {
    return;
  }
  const wrapper = element.closest("[data-map-wrapper]") || element;
  wrapper.hidden = false;
  element.hidden = false;
  const tiles = element.dataset.tiles;
  // A view before any layer: Leaflet places tooltips from the map's pixel origin.
  const map = L.map(element, { zoomSnap: 0.25 }).setView(HACKNEY, 13);
  map.attributionControl.setPrefix(false);
  if (tiles) {
    L.tileLayer(tiles, { attribution: element.dataset.attribution || "", maxZoom: 19 }).addTo(map);
  } else {
    element.classList.add("efh-map--plain");
    map.attributionControl.addAttribution("Ward areas approximate. North is up.");
  }
  L.control.scale({ imperial: false, maxWidth: 120, position: "topright" }).addTo(map);
  const wardBounds = [];
  if (!tiles) drawWards(map, data.wards, wardBounds);
  const spotBounds = [];
  drawHotspots(map, data.hotspots, spotBounds);
  // The whole borough when there is no other context; with tiles, the hotspots.
  const bounds = tiles && spotBounds.length ? spotBounds : [...wardBounds, ...spotBounds];
  if (bounds.length) map.fitBounds(bounds, { padding: [10, 10], maxZoom: 16 });
  map.fire("resize");
  element.dataset.drawn = "true";
}

document.querySelectorAll("[data-map]").forEach(drawMap);
