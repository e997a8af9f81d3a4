// Where the page's Python (py/main.py) runs, decided before PyScript starts: in PyScript's
// worker, so that Python's start-up and each request's work never block the thread that paints
// and answers input; on the main thread where the page is not cross-origin isolated (Safari:
// PyScript's synchronous worker bridge needs SharedArrayBuffer), with the same Python.
// web/py/bridge.py reaches the page the same way in both. The mode shows as
// <html data-python="worker|main">.

// A test's init script may set this to run the Python on the main thread where the worker
// would do (the fallback tested in Chromium); nothing else sets it.
export const MAIN_THREAD_HOOK = "animerecMainThreadPython";

// PyScript imports Pyodide only after its own chunks and config; Pyodide then imports its
// runtime and fetches the stdlib: on the main thread, ask for them now. A worker has its own
// module map and preload cache: there these would be fetched twice. (pyodide.mjs itself, 6 kB,
// is preloaded by index.html in both modes, with SRI.)
const RUNTIME = [
  ["preload", "vendor/pyodide/pyodide.asm.wasm"],
  ["modulepreload", "vendor/pyodide/pyodide.asm.mjs"],
  ["preload", "vendor/pyodide/python_stdlib.zip"],
  ["preload", "vendor/pyodide/pyodide-lock.json"],
];

function preloadRuntime() {
  for (const [rel, href] of RUNTIME) {
    const link = Object.assign(document.createElement("link"), { rel, href });
    if (rel === "preload") Object.assign(link, { as: "fetch", crossOrigin: "anonymous" });
    document.head.append(link);
  }
}

const inWorker = globalThis.crossOriginIsolated === true && globalThis[MAIN_THREAD_HOOK] !== true;
if (!inWorker) preloadRuntime();
const script = document.createElement("script");
script.type = "py";
script.src = "py/main.py";
script.setAttribute("config", "pyscript.json");
if (inWorker) script.setAttribute("worker", "");
document.documentElement.dataset.python = inWorker ? "worker" : "main";
document.body.append(script);
