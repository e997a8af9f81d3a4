// The model folder's files download in a worker (download-worker.js). Pyodide's start-up holds
// the main thread for up to a second at a time, and a body read there advances only between
// those tasks; the worker reads, hashes and hands each file over whole, ready when needed.

import { IntegrityError } from "./integrity.js";

const worker = new Worker(new URL("download-worker.js", import.meta.url), { type: "module" });
const jobs = new Map(); // id → {resolve, reject, onBytes}
let lastId = 0;

worker.onmessage = ({ data }) => {
  const job = jobs.get(data.id);
  if (data.received) return job.onBytes(data.received);
  jobs.delete(data.id);
  if (data.bytes) job.resolve(data.bytes);
  else job.reject(data.integrity ? new IntegrityError(data.error) : new Error(data.error));
};

/**
 * name → the bytes of that file of the model folder `dir` (a URL ending in "/"), once they
 * match `manifest`'s sha256; onBytes(name, n) as they arrive. A name that leaves the folder, or
 * that the manifest does not list, is refused.
 */
export function checkedFiles(dir, manifest, onBytes) {
  return (name) => new Promise((resolve, reject) => {
    const url = new URL(name, dir);
    if (!url.href.startsWith(dir.href)) throw new IntegrityError(`The model refers to ${url.href}.`);
    const path = decodeURIComponent(url.href.slice(dir.href.length));
    const sha256 = manifest.files?.[path]?.sha256;
    if (!sha256) throw new IntegrityError(`The model's manifest does not list ${path}.`);
    const id = ++lastId;
    jobs.set(id, { resolve, reject, onBytes: (n) => onBytes(path, n) });
    worker.postMessage({ id, url: url.href, name: path, sha256 });
  });
}
