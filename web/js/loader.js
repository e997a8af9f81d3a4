// Shows what is loading and how many bytes, and from the first paint on downloads TF.js, the
// model and the catalog so they are ready when Python (the slow part) is.
// Python takes the catalog from globalThis.animerec.catalogReady (enough to take input) and
// the model from globalThis.animerec.ready (needed only to score).

import * as ui from "./ui.js";
import * as charts from "./charts.js";
import * as controls from "./controls.js";
import { downloadFolder } from "./download.js";
import { TFJS, loadModel, loadScript, trustScripts } from "./model.js";
import { loadRemote, offscreen, startWorker } from "./remote-model.js";
import { firstMessage } from "./ports.js";
import { chooseModel } from "./models.js";
import { firstPaint } from "./first-paint.js";
import { call } from "./page-calls.js";

const BASE = new URL(".", document.baseURI); // the site's root, whatever sub-path it lives at
const NOT_MODEL = /(catalog|parity|manifest|atlas)\.json$|atlas\.bin$/; // a model folder's others
// Set to true before this module, TF.js runs on the main thread even where the model's worker
// could (the tests reach the main thread's path this way, as Safari does).
const MAIN_THREAD_HOOK = "animerecModelOnMain";

async function fetchOk(url, what) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} for ${url}`);
  return response;
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

/**
 * Starts everything at once, at the first paint; returns {catalog, model}: promises of the
 * default model folder's catalog (what the page needs to take input) and of its model on a
 * warmed-up backend.
 */
async function boot() {
  const started = performance.now();
  const [build, index] = await Promise.all(["build.json", "models/index.json"].map(
    async (path) => (await fetchOk(new URL(path, BASE), path)).json()));
  const sizes = build.sizes;
  await firstPaint;
  const python = ui.progressRow("Python runtime (Pyodide, PyScript)");
  watchResources(["vendor/pyodide/", "vendor/pyscript/"], python, sizes, ["vendor/pyodide/"]);
  window.addEventListener("py:ready", () => python.done(), { once: true });

  const tfRow = ui.progressRow("TensorFlow.js");
  watchResources(["vendor/tfjs/"], tfRow, sizes);
  trustScripts(build.integrity);
  const tf = startTf(build.integrity);
  tf.started.then(() => {
    performance.mark("animerec:tfjs-loaded");
    tfRow.done();
  });

  // The model selector (web/py/main.py) switches through this, after boot.
  globalThis.animerec.loadBundle = (other) =>
    loadBundle(other, sizes, tf.load, other).model.then(bundleJson);
  const bundle = loadBundle(chooseModel(index.models, location.search), sizes, tf.load);
  const withModels = async (stage) => ({ ...(await stage), models: index.models });
  const model = bundle.model.then((loaded) => {
    ui.setBackend(loaded.model.backend);
    return { ...loaded, timings: { modelReadyMs: Math.round(performance.now() - started) } };
  });
  return { catalog: withModels(bundle.catalog), model: withModels(model) };
}

/**
 * TF.js, started where it will run: {started, load(port, manifest)}, a promise that settles
 * once TF.js is in, and the model of download.js' artifacts on the best backend. In the model's
 * worker where workers have WebGL (remote-model.js), else, or where it fails to start, on this
 * thread (model.js), which is also where a model moves that the worker cannot keep.
 */
function startTf(integrity) {
  let here = null; // TF.js' script on this thread, added once
  const addHere = () => (here ??= loadScript(TFJS, BASE));
  const onMain = (manifest) => async (fetched, skip) => {
    await addHere();
    return loadModel(fetched, manifest, BASE, { skip });
  };
  const worker = offscreen() && !globalThis[MAIN_THREAD_HOOK]
    ? startWorker(BASE, integrity).catch((err) => console.warn("TF.js stays on this thread", err))
    : Promise.resolve(null);
  const started = worker.then((call) => call ?? addHere());
  /** The model of the artifacts that download.js posts to `port`. */
  const load = async (port, manifest) => {
    const call = await worker;
    if (call) return loadRemote(call, port, manifest, onMain(manifest));
    return onMain(manifest)(await firstMessage(port), []);
  };
  return { started, load };
}

/**
 * A bundle's {folder, manifest, catalogText, models} as one JSON text for the page's Python, the
 * catalog's own text spliced in as it came: {folder, manifest, models, catalog}. One value, so
 * one round trip from PyScript's worker where each field would be one.
 */
function bundleJson({ folder, manifest, catalogText, models }) {
  return `${JSON.stringify({ folder, manifest, models }).slice(0, -1)},"catalog":${catalogText}}`;
}

/**
 * The model folder `folder`, with progress rows (labelled with `label` when given): {catalog,
 * model}, promises of {folder, manifest, catalogText} and of that plus the model, which then is
 * globalThis.animerec.model. The folder downloads in a worker (download.js), each file checked
 * against its manifest; `loadTf(port, manifest)` builds the model of the artifacts that the
 * download posts to `port` (startTf).
 */
function loadBundle(folder, sizes, loadTf, label = "") {
  const prefix = `models/${folder}/`;
  const dir = new URL(prefix, BASE);
  const suffix = label ? ` (${label})` : "";
  const catalogRow = ui.progressRow(`Catalog${suffix}`);
  const modelRow = ui.progressRow(`Model${suffix}`);
  const modelTotal = Object.entries(sizes)
    .filter(([p]) => p.startsWith(prefix) && !NOT_MODEL.test(p))
    .reduce((sum, [, n]) => sum + n, 0);
  let modelBytes = 0;
  let catalogBytes = 0;
  const artifactsPort = new MessageChannel(); // the model's bytes, from the download to TF.js
  const folderFiles = downloadFolder(dir, (name, n) => {
    if (name === "catalog.json") catalogRow.update(catalogBytes += n, sizes[`${prefix}${name}`]);
    else modelRow.update(modelBytes += n, modelTotal);
  }, artifactsPort.port1);

  const catalog = (async () => {
    const [bytes, manifest] = await Promise.all([folderFiles.catalog, folderFiles.manifest]);
    catalogRow.done();
    performance.mark("animerec:catalog");
    return { folder, manifest, catalogText: new TextDecoder().decode(bytes) };
  })();
  const artifacts = folderFiles.artifacts.then(() => performance.mark("animerec:model-fetched"));
  const model = (async () => {
    const [ready] = await Promise.all([catalog, artifacts]);
    const loaded = await loadTf(artifactsPort.port2, ready.manifest);
    modelRow.done(`${ui.mb(modelBytes)} · ${loaded.backend}`);
    globalThis.animerec.model?.dispose();
    globalThis.animerec.model = loaded;
    return { ...ready, model: loaded };
  })();
  return { catalog, model };
}

// model.js moved off a lost WebGL context: say where the model runs now.
window.addEventListener("animerec:backend", (event) => ui.setBackend(event.detail));
const booting = boot(); // sets globalThis.animerec.loadBundle after its first await
// openAtlas(folder, itemsJson, onPick): the catalog map of models/FOLDER/ in #atlas; atlas.js
// is imported on the first call only (off the cold path), and its handle kept for the tests.
const openAtlas = async (folder, items, onPick) => {
  const { open } = await import("./atlas.js");
  const view = await open(document.getElementById("atlas"), new URL(`models/${folder}/`, BASE),
                          items, onPick);
  globalThis.animerec.atlasView = view;
  return view;
};
// catalogReady: what the page needs to take input (bundleJson's text); ready: that plus the
// model; call: what the page's Python calls (page-calls.js).
globalThis.animerec = {
  ui, controls, charts, chooseModel, openAtlas, call, model: null, atlasView: null,
  catalogReady: booting.then((bundle) => bundle.catalog).then(bundleJson),
  ready: booting.then((bundle) => bundle.model),
};
globalThis.animerec.ready.catch((err) => {
  document.body.classList.add("failed");
  ui.setReady(false);
  ui.setStatus("The page could not load what it needs.");
  ui.showError(`Loading failed: ${err.message}`);
});

// The service worker (sw.js) keeps this build for repeat visits and offline use. Its install
// revalidates every file this load fetched: registered once the first request has been
// answered (or the page has been idle a while), so it does not compete with that request for
// the CPU (4 cold loads each, registered at model load vs. not at all: first cards 3.27 vs.
// 3.15 s, explanations 3.96 vs. 3.64 s).
const SW_IDLE_MS = 5000;
if ("serviceWorker" in navigator) {
  globalThis.animerec.ready
    .then(() => Promise.race([ui.firstRun, new Promise((ok) => setTimeout(ok, SW_IDLE_MS))]))
    .then(() => navigator.serviceWorker.register(new URL("sw.js", BASE), { scope: "./" }))
    .catch((err) => console.warn("offline cache unavailable:", err));
}
