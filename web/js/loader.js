// Runs at first paint: shows what is loading and how many bytes, and meanwhile downloads
// TF.js, the model and the catalog so they are ready when Python (the slow part) is.
// Python picks the results up from globalThis.animerec.ready.

import * as ui from "./ui.js";
import { loadModel, loadScript } from "./model.js";

const BASE = new URL(".", document.baseURI); // the site's root, whatever sub-path it lives at
const MODEL_DIR = new URL("models/default/", BASE);

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
  const sizes = (await (await fetchOk(new URL("build.json", BASE), "build.json")).json()).sizes;
  const python = ui.progressRow("Python runtime (Pyodide, PyScript)");
  watchResources(["vendor/pyodide/", "vendor/pyscript/"], python, sizes, ["vendor/pyodide/"]);
  window.addEventListener("py:ready", () => python.done(), { once: true });

  const tfRow = ui.progressRow("TensorFlow.js");
  watchResources(["vendor/tfjs/"], tfRow, sizes);
  const tfReady = loadScript(new URL("vendor/tfjs/tf.es2017.min.js", BASE).href).then(() => tfRow.done());

  const catalogRow = ui.progressRow("Catalog");
  const catalogText = fetchText(new URL("catalog.json", MODEL_DIR), catalogRow,
                                sizes["models/default/catalog.json"]);

  const manifest = await (await fetchOk(new URL("manifest.json", MODEL_DIR), "manifest")).json();
  const modelRow = ui.progressRow("Model");
  const modelTotal = Object.entries(sizes)
    .filter(([p]) => p.startsWith("models/default/") && !/(catalog|parity|manifest)\.json$/.test(p))
    .reduce((sum, [, n]) => sum + n, 0);
  let modelBytes = 0;
  await tfReady;
  const model = await loadModel(MODEL_DIR, manifest, BASE, (n) => {
    modelBytes += n;
    modelRow.update(modelBytes, modelTotal);
  });
  modelRow.done(`${ui.mb(modelBytes)} · ${model.backend}`);
  globalThis.animerec.model = model;
  const timings = { modelReadyMs: Math.round(performance.now() - started) };
  return { catalogText: await catalogText, manifest, model, timings };
}

globalThis.animerec = { ui, model: null, ready: boot() };
globalThis.animerec.ready.catch((err) => {
  document.body.classList.add("failed");
  ui.setStatus("The page could not load what it needs.");
  ui.showError(`Loading failed: ${err.message}`);
});
