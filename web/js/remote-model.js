// The model in a worker of its own (model-worker.js) where the browser gives workers WebGL on an
// OffscreenCanvas: TF.js' script, the model's build and its shaders' compilation then run off
// the thread that paints and answers input (tools/BENCH.md, "TF.js in a worker"). Where the
// worker finds no WebGL (Safari's TF.js refuses OffscreenCanvas; a browser without WebGL) or
// loses its context, the model moves to the main thread (`onMain`, model.js), rebuilt from the
// same checked bytes, which the worker hands back.

import { NoWebGL, TFJS } from "./model.js";

/** Whether a worker here could have a canvas (whether it gets WebGL, it finds out itself). */
export const offscreen = () => typeof OffscreenCanvas === "function";

/** A call to the worker: a promise of its value, rejected with NoWebGL where it has none. */
function caller(worker) {
  const calls = new Map(); // id → {resolve, reject}
  let lastId = 0;
  worker.onmessage = ({ data }) => {
    const call = calls.get(data.id);
    calls.delete(data.id);
    if (!("error" in data)) return call.resolve(data.value);
    call.reject(data.lost ? new NoWebGL(data.error) : new Error(data.error));
  };
  return (op, args = {}) => new Promise((resolve, reject) => {
    calls.set(++lastId, { resolve, reject });
    worker.postMessage({ id: lastId, op, args }, args.port ? [args.port] : []);
  });
}

/**
 * The model's worker, started: a promise of its `call(op, args)` once TF.js is in and has its
 * WebGL context, or of null where the worker has no WebGL. TF.js is fetched here with its SRI
 * value (`integrity`, build.json) and the worker runs it as its first part, so the worker runs
 * only the script the build checked.
 */
export async function startWorker(base, integrity) {
  const url = new URL(TFJS, base);
  const response = await fetch(url, { integrity: integrity[TFJS] }).catch(() => null);
  if (!response?.ok) throw new Error(`could not load ${url}`);
  // TF.js' bytes as they came (never decoded on this thread), then the worker's own module.
  const source = new Blob([await response.blob(),
    `\nawait import(${JSON.stringify(new URL("js/model-worker.js", base).href)});\n`],
  { type: "text/javascript" });
  const worker = new Worker(URL.createObjectURL(source), { type: "module" });
  const webgl = await new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => resolve(data.webgl);
    worker.onerror = (event) => reject(new Error(`the model's worker failed: ${event.message}`));
  });
  if (webgl) return caller(worker);
  worker.terminate();
  return null;
}

/**
 * The model of the artifacts that arrive on `port` (download.js), in the worker of `call`: the
 * interface of model.js' loadModel. `onMain(fetched, skip)` loads artifacts on the main thread
 * instead (with the backends in `skip` skipped): at once where the worker finds no WebGL after
 * all, and for good where its context is lost (the worker hands the artifacts back; the page is
 * told, as model.js tells it of its own moves).
 */
export async function loadRemote(call, port, manifest, onMain) {
  const info = await call("load", { port, manifest });
  if (info.handle === null) return onMain(info.fetched, []);
  const { handle, inputSize, sparse } = info;
  let local = null; // the model once it has moved to the main thread
  let moved = null;
  const moveToMain = () => (moved ??= (async () => {
    local = await onMain(await call("artifacts", { handle }), ["webgl"]);
    call("dispose", { handle });
    window.dispatchEvent(new CustomEvent("animerec:backend", { detail: local.backend }));
  })());

  async function predictBatch(flat, rows) {
    if (!local) {
      try {
        return await call("predict", { handle, flat, rows });
      } catch (err) {
        if (!(err instanceof NoWebGL)) throw err;
        await moveToMain();
      }
    }
    return local.predictBatch(flat, rows);
  }
  return {
    get backend() {
      return local ? local.backend : info.backend;
    },
    get sparse() {
      return local ? local.sparse : sparse;
    },
    /** Where TF.js runs this model: "worker", or "main" once it has moved. */
    get thread() {
      return local ? "main" : "worker";
    },
    inputSize, predictBatch,
    predict: (row) => predictBatch(row, 1),
    memory: () => (local ? local.memory() : call("memory", { handle })),
    loseContext: () => (local ? local.loseContext() : call("loseContext", { handle })),
    dispose: () => (local ? local.dispose() : call("dispose", { handle })),
  };
}
