// The model's worker: TF.js on WebGL on an OffscreenCanvas, off the thread that paints and
// answers input (remote-model.js starts it and is its only caller). It runs as a blob: module
// that is TF.js' script, fetched with its SRI value, followed by an import of this file. Models
// load only on WebGL here: a load without WebGL hands its artifacts back, a call that finds the
// context lost is answered with {lost: true}, and the main thread takes the model over
// (model.js there has the wasm and cpu backends).
// Message out, once: {ready, webgl}, when TF.js has (or could not have) its WebGL context.
// Messages in: {id, op, args} (a port among the args is transferred); out: {id, value} or
// {id, error, lost}.

import { NoWebGL, loadModel, pickBackend } from "./model.js";
import { firstMessage } from "./ports.js";

const models = new Map(); // handle → {model (of loadModel), fetched (its artifacts)}
let lastHandle = 0;

const ops = {
  /**
   * {port, manifest}: the model of the artifacts that arrive on `port` (download.js):
   * {handle, backend, inputSize, sparse}, or {handle: null, fetched} where WebGL failed it.
   */
  async load({ port, manifest }) {
    const fetched = await firstMessage(port);
    try {
      const model = await loadModel(fetched, manifest, null, { webglOnly: true });
      models.set(++lastHandle, { model, fetched });
      return { handle: lastHandle, backend: model.backend, inputSize: model.inputSize,
               sparse: model.sparse };
    } catch (err) {
      if (err instanceof NoWebGL) return { handle: null, fetched };
      throw err;
    }
  },
  /** The model's artifacts, back to the main thread (which takes over a model that lost WebGL). */
  artifacts: ({ handle }) => models.get(handle).fetched,
  predict: ({ handle, flat, rows }) => models.get(handle).model.predictBatch(flat, rows),
  memory: ({ handle }) => models.get(handle).model.memory(),
  loseContext: ({ handle }) => models.get(handle).model.loseContext(),
  dispose({ handle }) {
    models.get(handle)?.model.dispose();
    models.delete(handle);
  },
};

self.onmessage = async ({ data: { id, op, args } }) => {
  try {
    const value = await ops[op](args);
    self.postMessage({ id, value }, value instanceof Float32Array ? [value.buffer] : []);
  } catch (err) {
    self.postMessage({ id, error: `${err.message}`, lost: err.name === "NoWebGL" });
  }
};
// WebGL's context, made while the model downloads: {ready, webgl} once it is (or is not).
pickBackend(null, [], true).then(() => true, () => false)
  .then((webgl) => self.postMessage({ ready: true, webgl }));
