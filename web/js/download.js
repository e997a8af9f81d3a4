// A model folder downloads in a worker (download-worker.js), manifest first: Pyodide's start-up
// holds the main thread for up to a second at a time, and a fetch chained on the main thread
// (manifest → model.json → shards) advanced only between those tasks. The worker reads, checks
// against the manifest and hands over each part whole; the main thread only receives them.

import { IntegrityError } from "./integrity.js";

const worker = new Worker(new URL("download-worker.js", import.meta.url), { type: "module" });
const jobs = new Map(); // id → {parts: {manifest, catalog, artifacts} deferreds, onBytes}
let lastId = 0;

function deferred() {
  let settle;
  const promise = new Promise((resolve, reject) => { settle = { resolve, reject }; });
  return { promise, ...settle };
}

worker.onmessage = ({ data }) => {
  const job = jobs.get(data.id);
  if (data.received) return job.onBytes(data.name, data.received);
  if (data.error) {
    const error = data.integrity ? new IntegrityError(data.error) : new Error(data.error);
    Object.values(job.parts).forEach((part) => part.reject(error));
    return jobs.delete(data.id);
  }
  for (const [name, part] of Object.entries(job.parts)) {
    if (name in data) part.resolve(data[name]);
  }
  if ("artifacts" in data || "catalog" in data) job.done += 1;
  if (job.done === 2) jobs.delete(data.id);
};

/**
 * The model folder `dir` (an absolute URL ending in "/"): {manifest, catalog, artifacts},
 * promises of its manifest, its catalog's bytes and of its model's TF.js artifacts having been
 * posted to `port` (a MessagePort, transferred: the model's bytes go straight to the thread
 * that builds it), each file checked against the manifest; onBytes(name, n) as bytes arrive.
 */
export function downloadFolder(dir, onBytes, port) {
  const id = ++lastId;
  const parts = { manifest: deferred(), catalog: deferred(), artifacts: deferred() };
  jobs.set(id, { parts, onBytes, done: 0 });
  worker.postMessage({ id, dir: dir.href, port }, [port]);
  const [manifest, catalog, artifacts] = Object.values(parts).map((part) => part.promise);
  return { manifest, catalog, artifacts };
}
