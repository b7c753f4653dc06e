// Front-end build: everything under var/frontend/ comes from here and node_modules.
//
//   npm ci && npm run build
//
// Writes (served by Django's staticfiles at /static/, see STATICFILES_DIRS):
//   application.css        src/efh/web/assets/application.scss compiled with GOV.UK Frontend
//   application.js         our module entry point; imports and initialises GOV.UK Frontend
//   session-timeout.js     the timeout warning dialog for signed-in pages (accounts app)
//   govuk-frontend.min.js  GOV.UK Frontend's ES module bundle (and its source map)
//   assets/                GOV.UK Frontend's fonts, images and manifest.json
//   favicon.svg            the platform's own icon (the GOV.UK crown icons are for GOV.UK only)
//   htmx.min.js            htmx, for screens that are faster with partial page updates
//   leaflet/               Leaflet's script (and its source map), styles and images, for maps (no tiles unless configured)
//   cytoscape/             Cytoscape.js, for the intelligence pages' network views
//   screening-form.js      the screening form's autosave (casework app)
//   network-view.js        draws a network view from the page's JSON (intelligence pages)
//   hotspot-map.js         draws the hotspot map from the page's JSON (intelligence pages)
import { cp, mkdir, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import * as sass from "sass";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../../../..");
const out = path.join(root, "var", "frontend");
const govuk = path.join(
  path.dirname(createRequire(import.meta.url).resolve("govuk-frontend/package.json")),
  "dist",
  "govuk",
);

await rm(out, { recursive: true, force: true });
await mkdir(out, { recursive: true });

const css = sass.compile(path.join(here, "application.scss"), {
  importers: [new sass.NodePackageImporter(root)],
  style: "compressed",
  sourceMap: true,
  sourceMapIncludeSources: true,
  // GOV.UK Frontend's own deprecation notices are its maintainers' to act on, not ours.
  quietDeps: true,
});
await writeFile(
  path.join(out, "application.css"),
  `${css.css}\n/*# sourceMappingURL=application.css.map */\n`,
);
// Source paths relative to the map, not absolute paths of the machine that built it.
const sources = css.sourceMap.sources.map((source) =>
  source.startsWith("file:") ? path.relative(out, fileURLToPath(source)) : source,
);
await writeFile(
  path.join(out, "application.css.map"),
  JSON.stringify({ ...css.sourceMap, sources }),
);

for (const name of ["govuk-frontend.min.js", "govuk-frontend.min.js.map"]) {
  await cp(path.join(govuk, name), path.join(out, name));
}
await cp(path.join(govuk, "assets"), path.join(out, "assets"), { recursive: true });
const moduleDir = (name) =>
  path.dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
await cp(path.join(moduleDir("htmx.org"), "dist", "htmx.min.js"), path.join(out, "htmx.min.js"));
await mkdir(path.join(out, "leaflet"));
// leaflet.js names its source map, so collectstatic (which checks references) needs it too.
for (const name of ["leaflet.js", "leaflet.js.map", "leaflet.css", "images"]) {
  await cp(path.join(moduleDir("leaflet"), "dist", name), path.join(out, "leaflet", name), {
    recursive: true,
  });
}
// Cytoscape's package exports do not include its package.json: its main file is in dist/.
const cytoscapeDist = path.dirname(createRequire(import.meta.url).resolve("cytoscape"));
await mkdir(path.join(out, "cytoscape"));
await cp(
  path.join(cytoscapeDist, "cytoscape.min.js"),
  path.join(out, "cytoscape", "cytoscape.min.js"),
);
for (const name of [
  "application.js",
  "session-timeout.js",
  "concern-form.js",
  "screening-form.js",
  "network-view.js",
  "hotspot-map.js",
  "favicon.svg",
]) {
  await cp(path.join(here, name), path.join(out, name));
}

console.log(`front end built into ${path.relative(root, out)}/`);
