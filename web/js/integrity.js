// Model files are used only if their bytes match the sha256 the model's manifest.json lists
// (written by the converter; tools/dist.py checks them at build time, this checks what arrived):
// a damaged or tampered shard stops the page with a clear error instead of giving wrong
// recommendations.

export class IntegrityError extends Error {}

async function sha256Hex(bytes) {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Throws IntegrityError unless `bytes` are the manifest's `name` (a file in the model folder). */
export async function check(bytes, name, manifest) {
  const expected = manifest.files?.[name]?.sha256;
  if (!expected) throw new IntegrityError(`The model's manifest does not list ${name}.`);
  if (await sha256Hex(bytes) !== expected) {
    throw new IntegrityError(`The model file ${name} arrived damaged (its checksum does not ` +
                             "match). Reload the page; if this persists, the site needs a fix.");
  }
}

/**
 * name → bytes of that file of the model folder `dir` (a URL ending in "/"), read by
 * `read(url)`, once they match the manifest: a name that leaves the folder is refused.
 */
export function checkedFiles(dir, manifest, read) {
  return async (name) => {
    const url = new URL(name, dir);
    if (!url.href.startsWith(dir.href)) throw new IntegrityError(`The model refers to ${url.href}.`);
    const bytes = await read(url);
    await check(bytes, decodeURIComponent(url.href.slice(dir.href.length)), manifest);
    return bytes;
  };
}
