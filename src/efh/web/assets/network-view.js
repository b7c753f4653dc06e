// The network view of the intelligence pages: a peer group, an adult's connections, or one
// person's direct links, drawn with Cytoscape.js (bundled into the static files, so it works
// offline and fetches nothing from the internet).
//
// The graph comes from a <script type="application/json"> element (Django's json_script) named
// by the container's data-network attribute: nodes {id, label, kind: child|adult|focus|other,
// href} and edges {source, target, weight}. Thicker lines are stronger links. Selecting a node
// (click, or Enter on the focused canvas cycles nothing: the tables beside the picture carry
// the same people as links, for keyboard and screen-reader users) opens that person's
// connections. Without JavaScript the container stays hidden and the tables are the page.

/* global cytoscape */

const COLOURS = { child: "#1d70b8", adult: "#d4351c", focus: "#0b0c0c", other: "#505a5f" };

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
  const weights = (graph.edges || []).map((e) => e.weight || 0);
  const top = Math.max(1, ...weights);
  const cy = cytoscape({
    container,
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: n.label, kind: n.kind, href: n.href } })),
      ...(graph.edges || []).map((e, i) => ({
        data: { id: `e${i}`, source: e.source, target: e.target, width: 1 + (5 * (e.weight || 0)) / top },
      })),
    ],
    style: [
      {
        selector: "node",
        style: {
          "background-color": (n) => COLOURS[n.data("kind")] || COLOURS.other,
          label: "data(label)",
          "font-size": 10,
          "font-family": "arial, sans-serif",
          color: "#0b0c0c",
          "text-valign": "bottom",
          "text-margin-y": 3,
          width: (n) => (n.data("kind") === "focus" ? 22 : 14),
          height: (n) => (n.data("kind") === "focus" ? 22 : 14),
        },
      },
      { selector: "edge", style: { width: "data(width)", "line-color": "#b1b4b6", "curve-style": "straight" } },
      { selector: "node:selected", style: { "border-width": 3, "border-color": "#ffdd00" } },
    ],
    layout: {
      name: graph.nodes.length > 150 ? "circle" : "cose",
      animate: false,
      randomize: false,
      nodeRepulsion: () => 6000,
      idealEdgeLength: () => 60,
      padding: 20,
    },
    wheelSensitivity: 0.3,
    // A small graph fitted to the box would be blown up until its labels overlap.
    maxZoom: 1.2,
    minZoom: 0.2,
  });
  cy.fit(undefined, 20);
  if (cy.zoom() > 1.2) cy.zoom(1.2);
  cy.center();
  cy.on("tap", "node", (event) => {
    const href = event.target.data("href");
    if (href) window.location.assign(href);
  });
  // The canvas itself is not in the tab order: the tables beside it hold the same links.
  container.querySelectorAll("canvas").forEach((canvas) => canvas.setAttribute("aria-hidden", "true"));
}

document.querySelectorAll("[data-network]").forEach(draw);
