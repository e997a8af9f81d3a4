// The service worker: a repeat visit, and offline use, load the runtime and model from one cache
// per build (online, .wasm comes from the HTTP cache: COMPILED). tools/service_worker.py stamps
// BUILD and FILES (what a load needs) at build time.
// install caches FILES all at once (cache.addAll is all-or-nothing), so a model and its catalog
// always come from the same build. Pages get index.html network-first; a page whose fresh
// index.html is not this build's gets everything from the network until the new worker is in.

const BUILD = "__BUILD__";
const FILES = ["__FILES__"];
const CACHE = `animerec-${BUILD}`;
const SCOPE = new URL("./", self.location.href);
const INDEX = new URL("index.html", SCOPE).href;
const PRECACHED = new Set(FILES.map((path) => new URL(path, SCOPE).href));
const newerPages = new Set(); // client ids whose index.html came from a newer build
const cutOffPages = new Set(); // client ids whose index.html the network did not answer
// Whether the last navigation's index.html went unanswered: a page's workers (PyScript's, where
// the page's Python runs in one) fetch with client ids of their own, which no page set holds.
let lastPageCutOff = false;
// V8 keeps the code it compiled from a streamed .wasm beside the response it came from, in the
// HTTP cache or in CacheStorage, but not for a response this worker makes with fetch(). The
// cold load (before this worker) compiled Pyodide from a response the HTTP cache kept, so a
// repeat visit online leaves .wasm to that copy and skips the compile (tools/BENCH.md, "V8's
// code cache for Pyodide"); install's copy serves offline, and a page whose index.html the
// network failed to give (a network that is up only in name).
const COMPILED = /\.wasm$/;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE)
    .then((cache) => cache.addAll([...PRECACHED]))
    .then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((key) => key.startsWith("animerec-") && key !== CACHE)
                                    .map((key) => caches.delete(key))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET") return;
  if (request.mode === "navigate") {
    event.respondWith(page(request, event.resultingClientId));
  } else if (PRECACHED.has(request.url.split("#")[0]) && !newerPages.has(event.clientId)
             && !(COMPILED.test(request.url) && navigator.onLine && !lastPageCutOff
                  && !cutOffPages.has(event.clientId))) {
    event.respondWith(cached(request));
  }
});

async function page(request, clientId) {
  const ours = await caches.match(INDEX, { cacheName: CACHE });
  try {
    const response = await fetch(request);
    if (!ours || (await response.clone().text()) !== (await ours.text())) newerPages.add(clientId);
    lastPageCutOff = false;
    return response;
  } catch (err) {
    cutOffPages.add(clientId);
    lastPageCutOff = true;
    return ours || Response.error(); // offline: this build's page
  }
}

async function cached(request) {
  return (await caches.match(request, { cacheName: CACHE })) || fetch(request);
}
