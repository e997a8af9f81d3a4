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

/** `text` (a file decoded as UTF-8) once its bytes are checked. */
export async function checkedText(text, name, manifest) {
  await check(new TextEncoder().encode(text), name, manifest);
  return text;
}

/** A fetch for TF.js's loaders that checks every file under `dir` against the manifest. */
export function checkedFetch(fetchFunc, dir, manifest) {
  return async (url, init) => {
    const href = new URL(url, dir).href;
    if (!href.startsWith(dir.href)) throw new IntegrityError(`The model refers to ${href}.`);
    const response = await fetchFunc(url, init);
    if (!response.ok) return response;
    const bytes = await response.arrayBuffer();
    await check(bytes, decodeURIComponent(href.slice(dir.href.length)), manifest);
    return new Response(bytes, { status: response.status, headers: response.headers });
  };
}
