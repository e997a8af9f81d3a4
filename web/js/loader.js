// Runs at first paint: shows what is loading and how many bytes, and meanwhile downloads
// TF.js, the model and the catalog so they are ready when Python (the slow part) is.
// Python picks the results up from globalThis.animerec.ready.

import * as ui from "./ui.js";
import * as charts from "./charts.js";
import * as controls from "./controls.js";
import { checkedText } from "./integrity.js";
import { loadModel, loadScript, trustScripts } from "./model.js";
import { chooseModel } from "./models.js";

const BASE = new URL(".", document.baseURI); // the site's root, whatever sub-path it lives at

async function fetchOk(url, what) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} for ${url}`);
  return response;
}

/** Text of `url`, reporting bytes as they arrive. */
async function fetchText(url, row, total) {
  const response = await fetchOk(url, "download");
  const reader = response.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    row.update(loaded, total);
  }
  row.done();
  return new TextDecoder().decode(await new Blob(chunks).arrayBuffer());
}

/**
 * Count finished downloads under `prefixes` (those we do not fetch ourselves: Pyodide, TF.js).
 * The total starts as the size of everything under `expected` and grows with other files seen.
 */
function watchResources(prefixes, row, sizes, expected = prefixes) {
  const want = Object.entries(sizes).filter(([p]) => expected.some((x) => p.startsWith(x)));
  let total = want.reduce((sum, [, n]) => sum + n, 0);
  const seen = new Map();
  const count = (entry) => {
    const path = new URL(entry.name).pathname.slice(BASE.pathname.length);
    if (!prefixes.some((x) => path.startsWith(x)) || seen.has(path)) return;
    seen.set(path, sizes[path] ?? entry.decodedBodySize);
    if (!want.some(([p]) => p === path)) total += seen.get(path);
    row.update([...seen.values()].reduce((a, b) => a + b, 0), total);
  };
  performance.getEntriesByType("resource").forEach(count);
  new PerformanceObserver((list) => list.getEntries().forEach(count))
    .observe({ type: "resource", buffered: true });
}

async function boot() {
  const started = performance.now();
  const [build, index] = await Promise.all(["build.json", "models/index.json"].map(
    async (path) => (await fetchOk(new URL(path, BASE), path)).json()));
  const sizes = build.sizes;
  const python = ui.progressRow("Python runtime (Pyodide, PyScript)");
  watchResources(["vendor/pyodide/", "vendor/pyscript/"], python, sizes, ["vendor/pyodide/"]);
  window.addEventListener("py:ready", () => python.done(), { once: true });

  const tfRow = ui.progressRow("TensorFlow.js");
  watchResources(["vendor/tfjs/"], tfRow, sizes);
  trustScripts(build.integrity);
  const tfReady = loadScript("vendor/tfjs/tf.es2017.min.js", BASE).then(() => tfRow.done());

  const folder = chooseModel(index.models, location.search);
  const loaded = await loadBundle(folder, sizes, tfReady);
  // The model selector (web/py/main.py) switches through this, after boot.
  globalThis.animerec.loadBundle = (other) => loadBundle(other, sizes, tfReady, other);
  const timings = { modelReadyMs: Math.round(performance.now() - started) };
  return { ...loaded, models: index.models, timings };
}

/**
 * Catalog, manifest and model of the model folder `folder`, with progress rows (labelled with
 * `label` when given); the model becomes globalThis.animerec.model.
 */
async function loadBundle(folder, sizes, tfReady, label = "") {
  const prefix = `models/${folder}/`;
  const dir = new URL(prefix, BASE);
  const suffix = label ? ` (${label})` : "";
  const catalogRow = ui.progressRow(`Catalog${suffix}`);
  const catalogText = fetchText(new URL("catalog.json", dir), catalogRow,
                                sizes[`${prefix}catalog.json`]);

  const manifest = await (await fetchOk(new URL("manifest.json", dir), "manifest")).json();
  const modelRow = ui.progressRow(`Model${suffix}`);
  const modelTotal = Object.entries(sizes)
    .filter(([p]) => p.startsWith(prefix) && !/(catalog|parity|manifest)\.json$/.test(p))
    .reduce((sum, [, n]) => sum + n, 0);
  let modelBytes = 0;
  await tfReady;
  const model = await loadModel(dir, manifest, BASE, (n) => {
    modelBytes += n;
    modelRow.update(modelBytes, modelTotal);
  });
  modelRow.done(`${ui.mb(modelBytes)} · ${model.backend}`);
  const checked = await checkedText(await catalogText, "catalog.json", manifest);
  globalThis.animerec.model?.dispose();
  globalThis.animerec.model = model;
  return { folder, catalogText: checked, manifest, model };
}

// model.js moved off a lost WebGL context: say where the model runs now.
window.addEventListener("animerec:backend", (event) => ui.setBackend(event.detail));
globalThis.animerec = { ui, controls, charts, chooseModel, model: null, ready: boot() };
globalThis.animerec.ready.catch((err) => {
  document.body.classList.add("failed");
  ui.setStatus("The page could not load what it needs.");
  ui.showError(`Loading failed: ${err.message}`);
});

// The service worker (sw.js) keeps this build for repeat visits and offline use. Registered once
// the model is in, so its precaching (revalidations of what this load fetched) stays off the
// critical path.
if ("serviceWorker" in navigator) {
  globalThis.animerec.ready
    .then(() => navigator.serviceWorker.register(new URL("sw.js", BASE), { scope: "./" }))
    .catch((err) => console.warn("offline cache unavailable:", err));
}
