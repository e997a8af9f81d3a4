// Downloads model files off the main thread (see download.js): reads each body as it arrives,
// reports its bytes, checks it against the manifest's sha256 and hands it over whole.

import { IntegrityError, check } from "./integrity.js";

async function download({ id, url, name, sha256 }) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`download: HTTP ${response.status} for ${url}`);
  const reader = response.body.getReader();
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    postMessage({ id, received: value.byteLength });
  }
  const bytes = await new Blob(chunks).arrayBuffer();
  await check(bytes, name, sha256);
  postMessage({ id, bytes }, [bytes]); // transferred, not copied
}

onmessage = ({ data }) => download(data).catch((err) => {
  postMessage({ id: data.id, error: err.message, integrity: err instanceof IntegrityError });
});
