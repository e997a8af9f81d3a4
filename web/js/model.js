// The model in TF.js, from artifacts the loader downloaded and checked (download.js): picks the
// best backend that works here (WebGL, else wasm, else cpu) and exposes predict(Float32Array)
// -> Float32Array. If the WebGL context is lost, the model moves to the next backend, rebuilt
// from the checked bytes it keeps in memory. It runs in the model's worker (model-worker.js,
// WebGL only: there a lost context or no WebGL is the main thread's to handle, remote-model.js)
// or on the main thread.

import { sparseHead } from "./sparse.js";

/** TF.js' script (its es2017 build: tools/csp.py says why), for this thread or the worker's. */
export const TFJS = "vendor/tfjs/tf.es2017.min.js";
const WASM_DIR = "vendor/tfjs-backend-wasm/";

// SRI of the vendored scripts added at run time, path → "sha256-…" (build.json, from dist.py).
let scriptIntegrity = {};

/** Remember the build's SRI values; loadScript refuses a vendored script without one. */
export function trustScripts(integrity) {
  scriptIntegrity = integrity;
}

/**
 * Add a classic <script> for the vendored file at `path` (TF.js builds are not modules), with
 * its Subresource Integrity, and wait for it.
 */
export function loadScript(path, base) {
  const integrity = scriptIntegrity[path];
  if (!integrity) return Promise.reject(new Error(`no integrity value for ${path}`));
  const src = new URL(path, base).href;
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.integrity = integrity;
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

async function tryBackend(name) {
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch (err) {
    console.warn(`TF.js backend ${name} failed`, err);
    return false;
  }
}

async function loadWasmBackend(base) {
  if (!tf.wasm) {
    await loadScript(WASM_DIR + "tf-backend-wasm.es2017.min.js", base);
  }
  tf.wasm.setWasmPaths(new URL(WASM_DIR, base).href);
  // The page is cross-origin isolated (tools/csp.py), so TF.js would pick its threaded build,
  // whose workers start from blob: URLs that the CSP refuses: stay single-threaded.
  tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
}

/**
 * Thrown where a model that may only run on WebGL (`webglOnly`) finds none, or loses it: the
 * caller moves it (remote-model.js).
 */
export class NoWebGL extends Error {
  name = "NoWebGL";
}

/**
 * The first backend of webgl → wasm → cpu (less those in `skip`) that initialises; with
 * `webglOnly`, webgl or NoWebGL.
 */
export async function pickBackend(base, skip = [], webglOnly = false) {
  await tf.ready().catch(() => {});
  if (!skip.includes("webgl") && await tryBackend("webgl")) return "webgl";
  if (webglOnly) throw new NoWebGL("no WebGL here");
  try {
    await loadWasmBackend(base);
    if (await tryBackend("wasm")) return "wasm";
  } catch (err) {
    console.warn("wasm backend unavailable", err);
  }
  await tryBackend("cpu");
  return tf.getBackend();
}

/**
 * A new task: the page paints and answers input (and PyScript's worker gets its answers)
 * between the model's build steps, which otherwise ran as one task of the download worker's
 * message (tools/BENCH.md, "Fewer round trips from the worker").
 */
const nextTask = () => globalThis.scheduler?.yield?.() ??
  new Promise((resolve) => setTimeout(resolve, 0));

/**
 * The model of `artifacts` (download.js) on the best backend here (with `webglOnly`, on WebGL or
 * NoWebGL), its one-row shape warmed up. Returns {backend, inputSize, sparse, thread, predict,
 * predictBatch, memory, loseContext, dispose}; predict runs one profile row; `thread` says
 * where this module runs it ("main" or "worker").
 */
export async function loadModel(fetched, manifest, base, { skip = [], webglOnly = false } = {}) {
  await nextTask();
  let backend = await pickBackend(base, skip, webglOnly);
  performance.mark("animerec:backend");
  await nextTask();
  const { residual = null, ...artifacts } = fetched; // expanded in the download worker
  const graph = String(manifest.format || "").includes("graph");
  const build = () => (graph ? tf.loadGraphModel : tf.loadLayersModel)(tf.io.fromMemory(artifacts));
  let model = await build();
  await nextTask();
  let head = sparseHead(model, residual); // null: the model takes its rows whole
  if (residual && !head) throw new Error("a model with a sparse residual must start sparse");
  performance.mark("animerec:model-built");
  const inputSize = model.inputs[0].shape[1];
  const outputSize = model.outputs[0].shape[1];

  /** `rows` profile rows (flat) through the model in one call: their scores, flat. */
  async function run(flat, rows) {
    if (flat.length !== rows * inputSize) {
      throw new Error(`${rows} rows of ${inputSize} inputs, got ${flat.length} values`);
    }
    const output = tf.tidy(() => {
      if (head) return head.apply(flat, rows);
      const out = model.predict(tf.tensor2d(flat, [rows, inputSize]));
      return Array.isArray(out) ? out[0] : out;
    });
    try {
      const scores = (await output.data()).subarray(0, rows * outputSize);
      return head ? head.withResidual(scores, flat, rows) : scores;
    } finally {
      output.dispose();
    }
  }

  const contextLost = () => backend === "webgl" && tf.backend().gpgpu?.gl?.isContextLost?.();

  /** Off WebGL for good: the next backend, the same checked weights; the page is told. */
  async function moveOff() {
    if (webglOnly) throw new NoWebGL("the WebGL context was lost");
    const [lost, lostHead] = [model, head];
    backend = await pickBackend(base, ["webgl"]);
    model = await build();
    head = sparseHead(model, residual);
    try {
      lostHead?.dispose();
      lost.dispose();
    } catch (err) {
      console.warn("disposing the model of the lost WebGL context", err);
    }
    window.dispatchEvent(new CustomEvent("animerec:backend", { detail: backend }));
  }
  // Once: calls that find the context lost while another moves the model (the batch shapes'
  // warm-up beside a request) wait for that move instead of starting a second one.
  let moved = null;
  const fallBack = () => (moved ??= moveOff());

  /** `compute()` on a live backend; what ran while the context was lost is computed again. */
  async function guarded(compute) {
    if (contextLost()) await fallBack();
    try {
      const out = await compute();
      if (!contextLost()) return out;
    } catch (err) {
      if (!contextLost()) throw err;
    }
    await fallBack();
    return compute();
  }

  const predict = (row) => guarded(() => run(row, 1));
  /** `rows` profile rows in one call (leave-one-out explanations): flat in, flat out. */
  const predictBatch = (flat, rows) => guarded(() => run(flat, rows));

  await nextTask();
  await predict(new Float32Array(inputSize)); // compiles the shaders while Python boots
  performance.mark("animerec:model-warm");
  return {
    get backend() {
      return backend;
    },
    sparse: head !== null,
    thread: globalThis.document ? "main" : "worker",
    inputSize, predict, predictBatch,
    /** {backend, tensors}: TF.js' own backend and tensor count (the tests count leaks). */
    memory: async () => ({ backend: tf.getBackend(), tensors: tf.memory().numTensors }),
    /** What a GPU reset does to the WebGL context (the tests and the bench call it). */
    loseContext() {
      tf.backend().gpgpu?.gl?.getExtension("WEBGL_lose_context")?.loseContext();
    },
    dispose() {
      head?.dispose();
      model.dispose();
    },
  };
}

