// The model in TF.js: picks the best backend that works here (WebGL, else wasm, else cpu),
// loads the weights counting bytes, and exposes predict(Float32Array) -> Float32Array.

const WASM_DIR = "vendor/tfjs-backend-wasm/";

/** Add a classic <script> (TF.js builds are not modules) and wait for it. */
export function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
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
    await loadScript(new URL(WASM_DIR + "tf-backend-wasm.min.js", base).href);
  }
  tf.wasm.setWasmPaths(new URL(WASM_DIR, base).href);
}

/** The first backend of webgl → wasm → cpu that initialises; returns its name. */
export async function pickBackend(base) {
  await tf.ready().catch(() => {});
  if (await tryBackend("webgl")) return "webgl";
  try {
    await loadWasmBackend(base);
    if (await tryBackend("wasm")) return "wasm";
  } catch (err) {
    console.warn("wasm backend unavailable", err);
  }
  await tryBackend("cpu");
  return tf.getBackend();
}

/** A fetch for TF.js's loaders that reports every byte received through onBytes(n). */
export function countingFetch(onBytes) {
  return async (url, init) => {
    const response = await fetch(url, init);
    if (!response.ok || !response.body) return response;
    const reader = response.body.getReader();
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      onBytes(value.byteLength);
    }
    return new Response(new Blob(chunks), { status: response.status, headers: response.headers });
  };
}

/**
 * Load the model in `dir` (an absolute URL ending in "/") described by `manifest`.
 * Returns {backend, inputSize, predict, predictBatch, dispose}; predict runs one profile row.
 */
export async function loadModel(dir, manifest, base, onBytes) {
  const backend = await pickBackend(base);
  const options = { fetchFunc: countingFetch(onBytes) };
  const url = new URL("model.json", dir).href;
  const graph = String(manifest.format || "").includes("graph");
  const model = graph
    ? await tf.loadGraphModel(url, options)
    : await tf.loadLayersModel(url, options);
  const inputSize = model.inputs[0].shape[1];

  async function predict(row) {
    if (row.length !== inputSize) {
      throw new Error(`model takes ${inputSize} inputs, got ${row.length}`);
    }
    const output = tf.tidy(() => {
      const out = model.predict(tf.tensor2d(row, [1, inputSize]));
      return Array.isArray(out) ? out[0] : out;
    });
    try {
      return await output.data();
    } finally {
      output.dispose();
    }
  }

  /** `rows` profile rows in one call (leave-one-out explanations): flat in, flat out. */
  async function predictBatch(flat, rows) {
    if (flat.length !== rows * inputSize) {
      throw new Error(`${rows} rows of ${inputSize} inputs, got ${flat.length} values`);
    }
    const input = tf.tensor2d(flat, [rows, inputSize]);
    const output = tf.tidy(() => {
      const out = model.predict(input);
      return Array.isArray(out) ? out[0] : out;
    });
    try {
      return await output.data();
    } finally {
      input.dispose();
      output.dispose();
    }
  }

  await predict(new Float32Array(inputSize)); // compiles the shaders while Python boots
  return { backend, inputSize, predict, predictBatch, dispose: () => model.dispose() };
}
