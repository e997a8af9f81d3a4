// Downloads a model folder off the main thread (see download.js): its manifest, then the
// catalog and the model's files, each read as it arrives, checked against the manifest's sha256
// and handed over whole (transferred, not copied); a tied model is expanded here too (tied.js),
// so that no step of the model's arrival holds the page's main thread. Messages: {id, dir} in;
// {id, manifest}, {id, name, received}, {id, catalog}, {id, artifacts} or
// {id, error, integrity} out.

import { IntegrityError, check } from "./integrity.js";
import { expandTied } from "./tied.js";

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

/**
 * TF.js model artifacts (for tf.io.fromMemory) from model.json and the weight files it names,
 * a tied model's expanded (tied.js: with its `residual`, or null).
 */
async function fetchModel(file) {
  const json = JSON.parse(new TextDecoder().decode(await file("model.json")));
  const groups = json.weightsManifest ?? [];
  const shards = await Promise.all(groups.flatMap((group) => group.paths).map(file));
  const weightData = new Uint8Array(shards.reduce((n, shard) => n + shard.byteLength, 0));
  shards.reduce((at, shard) => (weightData.set(new Uint8Array(shard), at), at + shard.byteLength), 0);
  const { weightsManifest, ...artifacts } = json;
  return expandTied({ ...artifacts, weightSpecs: groups.flatMap((group) => group.weights),
                      weightData: weightData.buffer });
}

/** The buffers of `artifacts` that move to the page rather than being copied. */
function buffers({ weightData, residual }) {
  return [weightData, ...Object.values(residual ?? {}).map((array) => array.buffer)];
}

async function download(id, dir, port) {
  const manifest = await (await fetchOk(new URL("manifest.json", dir))).json();
  postMessage({ id, manifest });
  const received = (name, n) => postMessage({ id, name, received: n });
  const file = (name) => checkedFile(dir, name, manifest, received);
  await Promise.all([
    file("catalog.json").then((catalog) => postMessage({ id, catalog }, [catalog])),
    fetchModel(file).then((artifacts) => {
      port.postMessage(artifacts, buffers(artifacts));
      postMessage({ id, artifacts: null });
    }),
  ]);
}

onmessage = ({ data: { id, dir, port } }) => download(id, dir, port).catch((err) => {
  postMessage({ id, error: err.message, integrity: err instanceof IntegrityError });
});
