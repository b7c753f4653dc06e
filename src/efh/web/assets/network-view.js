// The network view of the intelligence pages: a peer group, an adult's connections, or one
// person's direct links, drawn with Cytoscape.js (bundled into the static files, so it works
// offline and fetches nothing from the internet).
//
// The graph comes from a <script type="application/json"> element (Django's json_script) named
// by the container's data-network attribute: nodes {id, label, kind: child|adult|focus|other,
// indirect, href} and edges {source, target, weight, kind: event|association|missing|contact|
// other}. People differ by shape as well as colour (child: circle, adult: diamond, the person
// the page is about: star, not known: square; linked through one other person: hollow), links
// by dash as well as colour; the key beside the picture says which is which, and thicker lines
// are stronger links.
//
// Layout: Cytoscape's force-directed "cose" with the labels counted in each node's size, from a
// deterministic start (a circle, strongest-linked first), then a pass that pushes apart any
// two people whose labels still overlap, so that every pseudonym can be read. Selecting a node
// opens that person's connections; the tables beside the picture carry the same people as
// links, for keyboard and screen-reader users. Without JavaScript the container stays hidden
// and the tables are the page.

/* global cytoscape */

const NODE = {
  child: { colour: "#1d70b8", shape: "ellipse", size: 16 },
  adult: { colour: "#d4351c", shape: "diamond", size: 20 },
  focus: { colour: "#0b0c0c", shape: "star", size: 28 },
  other: { colour: "#505a5f", shape: "round-rectangle", size: 15 },
};
const LINK = {
  event: { colour: "#505a5f", style: "solid" },
  association: { colour: "#00703c", style: "solid" },
  missing: { colour: "#f47738", style: "dashed" },
  contact: { colour: "#4c2c92", style: "dotted" },
  other: { colour: "#b1b4b6", style: "solid" },
};
const FONT_SIZE = 11;
const LABEL_GAP = 10; // pixels kept clear between two labels

function overlap(a, b) {
  const x = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const y = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return x > 0 && y > 0 ? [x, y] : null;
}

// Push apart any two people whose boxes (node and label, plus a gap) overlap, along the line
// between them, until none do (or a bound on the passes: a dense picture stays legible).
function separateLabels(cy) {
  const nodes = cy.nodes().toArray();
  for (let pass = 0; pass < 200; pass += 1) {
    let moved = false;
    const boxes = labelBoxes(nodes);
    for (let i = 0; i < nodes.length; i += 1) {
      for (let j = i + 1; j < nodes.length; j += 1) {
        const o = overlap(boxes[i], boxes[j]);
        if (!o) continue;
        const a = nodes[i].position();
        const b = nodes[j].position();
        // Move along the axis that needs less movement, in the direction they already lie.
        const dx = b.x - a.x || (i % 2 ? 1 : -1);
        const dy = b.y - a.y || (j % 2 ? 1 : -1);
        const shiftX = o[0] <= o[1] ? (o[0] / 2 + 1) * Math.sign(dx) : 0;
        const shiftY = o[0] > o[1] ? (o[1] / 2 + 1) * Math.sign(dy) : 0;
        nodes[i].position({ x: a.x - shiftX, y: a.y - shiftY });
        nodes[j].position({ x: b.x + shiftX, y: b.y + shiftY });
        boxes[i] = { x1: boxes[i].x1 - shiftX, x2: boxes[i].x2 - shiftX, y1: boxes[i].y1 - shiftY, y2: boxes[i].y2 - shiftY };
        boxes[j] = { x1: boxes[j].x1 + shiftX, x2: boxes[j].x2 + shiftX, y1: boxes[j].y1 + shiftY, y2: boxes[j].y2 + shiftY };
        moved = true;
      }
    }
    if (!moved) return;
  }
}

function labelBoxes(nodes) {
  return nodes.map((n) => {
    const b = n.boundingBox({ includeLabels: true, includeOverlays: false });
    return { x1: b.x1 - LABEL_GAP / 2, x2: b.x2 + LABEL_GAP / 2, y1: b.y1 - LABEL_GAP / 2, y2: b.y2 + LABEL_GAP / 2 };
  });
}

function anyOverlap(boxes) {
  for (let i = 0; i < boxes.length; i += 1) {
    for (let j = i + 1; j < boxes.length; j += 1) if (overlap(boxes[i], boxes[j])) return true;
  }
  return false;
}

// A force-directed layout spreads people further apart than their labels need, and a picture
// fitted to its box then shrinks the labels below reading size. Draw the layout's shape as
// small as it goes before two labels would touch (the labels keep their size), so that the
// fitted picture's labels are as large as they can be.
function compact(cy) {
  const nodes = cy.nodes().toArray();
  if (nodes.length < 2) return;
  // First stretch the shape to the box's proportions (stretching only moves people apart),
  // so that a tall layout in a wide box is not fitted by its height alone.
  const box = cy.nodes().boundingBox();
  const aspect = cy.width() / Math.max(cy.height(), 1);
  if (box.w > 0 && box.h > 0) {
    const kx = Math.max(1, (aspect * box.h) / box.w);
    const ky = Math.max(1, box.w / (aspect * box.h));
    const mx = (box.x1 + box.x2) / 2;
    const my = (box.y1 + box.y2) / 2;
    nodes.forEach((n) => {
      const p = n.position();
      n.position({ x: mx + kx * (p.x - mx), y: my + ky * (p.y - my) });
    });
  }
  const home = nodes.map((n) => ({ ...n.position() }));
  const cx = home.reduce((t, p) => t + p.x, 0) / home.length;
  const cyy = home.reduce((t, p) => t + p.y, 0) / home.length;
  const place = (s) => {
    nodes.forEach((n, i) => n.position({ x: cx + s * (home[i].x - cx), y: cyy + s * (home[i].y - cyy) }));
    return !anyOverlap(labelBoxes(nodes));
  };
  if (!place(1)) {
    place(1);
    return;
  }
  let lo = 0.05;
  let hi = 1;
  for (let k = 0; k < 14; k += 1) {
    const mid = (lo + hi) / 2;
    if (place(mid)) hi = mid;
    else lo = mid;
  }
  place(hi);
  // Then squeeze further and let the overlaps that makes push apart locally, as long as they
  // all come apart: the shape packs closer than a uniform scale alone allows.
  for (let round = 0; round < 6; round += 1) {
    const before = nodes.map((n) => ({ ...n.position() }));
    const mx = before.reduce((t, p) => t + p.x, 0) / before.length;
    const my = before.reduce((t, p) => t + p.y, 0) / before.length;
    nodes.forEach((n, i) => n.position({ x: mx + 0.85 * (before[i].x - mx), y: my + 0.85 * (before[i].y - my) }));
    separateLabels(cy);
    if (anyOverlap(labelBoxes(nodes))) {
      nodes.forEach((n, i) => n.position(before[i]));
      break;
    }
  }
}

function draw(container) {
  const source = document.getElementById(container.dataset.network);
  if (!source || typeof cytoscape !== "function") return;
  let graph;
  try {
    graph = JSON.parse(source.textContent);
  } catch {
    return;
  }
  if (!graph.nodes || graph.nodes.length === 0) return;
  const wrapper = container.closest("[data-network-wrapper]") || container;
  wrapper.hidden = false;
  const edges = graph.edges || [];
  const top = Math.max(1, ...edges.map((e) => e.weight || 0));
  // A deterministic start: people on a circle, the most linked first, so that the same page
  // always draws the same picture.
  const degree = new Map();
  for (const e of edges) {
    degree.set(e.source, (degree.get(e.source) || 0) + 1);
    degree.set(e.target, (degree.get(e.target) || 0) + 1);
  }
  const order = [...graph.nodes].sort((a, b) => (degree.get(b.id) || 0) - (degree.get(a.id) || 0) || a.id.localeCompare(b.id));
  const radius = 20 * Math.max(3, order.length);
  const start = new Map(
    order.map((n, i) => [n.id, { x: radius * Math.cos((2 * Math.PI * i) / order.length), y: radius * Math.sin((2 * Math.PI * i) / order.length) }]),
  );
  const big = graph.nodes.length > 150;
  const cy = cytoscape({
    container,
    elements: [
      ...graph.nodes.map((n) => ({
        data: { id: n.id, label: n.label, kind: NODE[n.kind] ? n.kind : "other", indirect: Boolean(n.indirect), href: n.href },
        position: start.get(n.id),
      })),
      ...edges.map((e, i) => ({
        data: {
          id: `e${i}`,
          source: e.source,
          target: e.target,
          kind: LINK[e.kind] ? e.kind : "other",
          width: 1 + (4 * (e.weight || 0)) / top,
        },
      })),
    ],
    style: [
      {
        selector: "node",
        style: {
          shape: (n) => NODE[n.data("kind")].shape,
          "background-color": (n) => NODE[n.data("kind")].colour,
          width: (n) => NODE[n.data("kind")].size,
          height: (n) => NODE[n.data("kind")].size,
          label: "data(label)",
          "font-size": FONT_SIZE,
          "font-family": "arial, sans-serif",
          color: "#0b0c0c",
          "text-valign": "bottom",
          "text-halign": "center",
          "text-margin-y": 3,
          // A white band behind each label keeps lines from running through its letters.
          "text-background-color": "#ffffff",
          "text-background-opacity": 0.85,
          "text-background-padding": 1,
          "min-zoomed-font-size": 0,
        },
      },
      {
        selector: "node[?indirect]",
        style: { "background-color": "#ffffff", "border-width": 3, "border-color": (n) => NODE[n.data("kind")].colour },
      },
      {
        selector: "edge",
        style: {
          width: "data(width)",
          "line-color": (e) => LINK[e.data("kind")].colour,
          "line-style": (e) => LINK[e.data("kind")].style,
          "line-dash-pattern": [6, 3],
          "curve-style": "straight",
          opacity: 0.85,
        },
      },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#ffdd00" } },
    ],
    layout: big
      ? { name: "circle", animate: false, padding: 20 }
      : {
          name: "cose",
          animate: false,
          randomize: false,
          // Count each label in its node's size, and keep people well apart.
          nodeDimensionsIncludeLabels: true,
          idealEdgeLength: () => 80,
          edgeElasticity: () => 80,
          nodeRepulsion: () => 200000,
          nodeOverlap: 20,
          gravity: 0.5,
          componentSpacing: 80,
          numIter: 2500,
          initialTemp: 400,
          coolingFactor: 0.97,
          minTemp: 1.0,
          padding: 20,
        },
    wheelSensitivity: 0.3,
    // A small graph fitted to the box would be blown up until its labels are huge.
    maxZoom: 1.4,
    minZoom: 0.2,
  });
  if (!big) {
    separateLabels(cy);
    compact(cy);
  }
  cy.fit(undefined, 24);
  if (cy.zoom() > 1.4) cy.zoom(1.4);
  cy.center();
  cy.on("tap", "node", (event) => {
    const href = event.target.data("href");
    if (href) window.location.assign(href);
  });
  // The canvas itself is not in the tab order: the tables beside it hold the same links.
  container.querySelectorAll("canvas").forEach((canvas) => canvas.setAttribute("aria-hidden", "true"));
  // For tests and for anyone inspecting the page: the Cytoscape instance of this picture.
  container.cy = cy;
  container.dataset.drawn = "true";
}

document.querySelectorAll("[data-network]").forEach(draw);
