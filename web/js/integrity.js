// Model files are used only if their bytes match the sha256 the model's manifest.json lists
// (written by the converter; tools/dist.py checks them at build time, this checks what arrived):
// a damaged or tampered shard stops the page with a clear error instead of giving wrong
// recommendations. Runs in the download worker (download-worker.js).

export class IntegrityError extends Error {}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Throws IntegrityError unless `bytes` hash to `expected`, the manifest's sha256 of `name`. */
export async function check(bytes, name, expected) {
  if (await sha256Hex(bytes) !== expected) {
    throw new IntegrityError(`The model file ${name} arrived damaged (its checksum does not ` +
                             "match). Reload the page; if this persists, the site needs a fix.");
  }
}
