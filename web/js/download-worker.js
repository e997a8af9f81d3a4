// Downloads a model folder off the main thread (see download.js): its manifest, then the
// catalog and the model's files, each read as it arrives, checked against the manifest's sha256
// and handed over whole (transferred, not copied). Messages: {id, dir} in; {id, manifest},
// {id, name, received}, {id, catalog}, {id, artifacts} or {id, error, integrity} out.

import { IntegrityError, check } from "./integrity.js";

const TILE = 64; // expandTied's transpose tile, in values

async function fetchOk(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download: HTTP ${response.status} for ${url}`);
  return response;
}

/** The bytes of `name` in the folder `dir`, once they match the manifest. */
async function checkedFile(dir, name, manifest, onBytes) {
  const url = new URL(name, dir);
  if (!url.href.startsWith(dir)) throw new IntegrityError(`The model refers to ${url.href}.`);
  const path = decodeURIComponent(url.href.slice(dir.length));
  const sha256 = manifest.files?.[path]?.sha256;
  if (!sha256) throw new IntegrityError(`The model's manifest does not list ${path}.`);
  const reader = (await fetchOk(url)).body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    onBytes(path, value.byteLength);
  }
  const bytes = await new Blob(chunks).arrayBuffer();
  await check(bytes, path, sha256);
  return bytes;
}

/** TF.js model artifacts (for tf.io.fromMemory) from model.json and the weight files it names. */
async function fetchModel(file) {
  const json = JSON.parse(new TextDecoder().decode(await file("model.json")));
  const groups = json.weightsManifest ?? [];
  const shards = await Promise.all(groups.flatMap((group) => group.paths).map(file));
  const weightData = new Uint8Array(shards.reduce((n, shard) => n + shard.byteLength, 0));
  shards.reduce((at, shard) => (weightData.set(new Uint8Array(shard), at), at + shard.byteLength), 0);
  const { weightsManifest, tied, ...artifacts } = json;
  const specs = groups.flatMap((group) => group.weights);
  const weights = tied ? expandTied(tied, specs, weightData.buffer)
                       : { weightSpecs: specs, weightData: weightData.buffer };
  return { ...artifacts, ...weights };
}

/**
 * A tied model (converter/tied.py) ships one factor Q (uint8, n × r), root (n) and scale (r);
 * its two kernels are U = Q / root (n × r) and V = (scale · Qᵀ) · root (r × n), each value
 * computed in float64 and rounded to float32, as converter/export.py's `expand` does.
 */
function expandTied(tied, [qSpec, rootSpec, scaleSpec], buffer) {
  const [n, r] = qSpec.shape;
  const { min, scale: step } = qSpec.quantization;
  const codes = new Uint8Array(buffer, 0, n * r);
  const root = new Float32Array(buffer.slice(n * r, n * r + 4 * n)); // copied: aligned
  const scale = new Float32Array(buffer.slice(n * r + 4 * n, n * r + 4 * (n + r)));
  if (rootSpec.shape[0] !== n || scaleSpec.shape[0] !== r) throw new Error("tied: bad shapes");
  const q = Float32Array.from({ length: 256 }, (_, code) => code * step + min); // TF.js' rule
  const out = new Float32Array(2 * n * r);
  const u = out.subarray(0, n * r);
  const v = out.subarray(n * r);
  for (let i = 0; i < n; i++) {
    for (let j = 0, at = i * r; j < r; j++) u[at + j] = q[codes[at + j]] / root[i];
  }
  // V is Q transposed (r × n): written in tiles, so that reads and writes both stay in cache.
  for (let i0 = 0; i0 < n; i0 += TILE) {
    for (let j0 = 0; j0 < r; j0 += TILE) {
      for (let j = j0; j < Math.min(j0 + TILE, r); j++) {
        for (let i = i0; i < Math.min(i0 + TILE, n); i++) {
          v[j * n + i] = scale[j] * q[codes[i * r + j]] * root[i];
        }
      }
    }
  }
  return {
    weightSpecs: [{ name: tied.factor, shape: [n, r], dtype: "float32" },
                  { name: tied.output, shape: [r, n], dtype: "float32" }],
    weightData: out.buffer,
  };
}

async function download(id, dir) {
  const manifest = await (await fetchOk(new URL("manifest.json", dir))).json();
  postMessage({ id, manifest });
  const received = (name, n) => postMessage({ id, name, received: n });
  const file = (name) => checkedFile(dir, name, manifest, received);
  await Promise.all([
    file("catalog.json").then((catalog) => postMessage({ id, catalog }, [catalog])),
    fetchModel(file).then((artifacts) => postMessage({ id, artifacts }, [artifacts.weightData])),
  ]);
}

onmessage = ({ data: { id, dir } }) => download(id, dir).catch((err) => {
  postMessage({ id, error: err.message, integrity: err instanceof IntegrityError });
});
