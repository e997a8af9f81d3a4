// Where the page's Python (py/main.py) runs, decided before PyScript starts: on the main thread
// or in PyScript's worker, as the build stamped in index.html's <meta name="animerec-python">
// (`build.py build --python`, tools/dist.py; the worker unless asked). PyScript's worker takes
// Python's start-up and each request off the thread that paints and answers input; on 2 cores
// it costs the waits some (README, "Speed"; tools/BENCH.md, "TF.js in a worker"). A
// page can override the build by setting WORKER_HOOK (true or false) before this module (the
// tests do). The worker runs only where the page is cross-origin isolated (PyScript's
// synchronous worker bridge needs SharedArrayBuffer); elsewhere (Safari) the main thread.
// web/py/bridge.py reaches the page the same way in both. The mode shows as
// <html data-python="worker|main">.

import { firstPaint } from "./first-paint.js";
import { workerCall } from "./page-calls.js";

export const WORKER_HOOK = "animerecWorkerPython";

/** What PyScript shows when Python fails to start on the main thread (its `.py-error` box), for
 * its worker, where it only logs it (the interpreter, its config or packages failed). */
function showPythonError(err) {
  const box = document.createElement("div");
  box.className = "py-error";
  box.textContent = err?.message ?? String(err);
  document.body.append(box);
}

const stamped = document.querySelector('meta[name="animerec-python"]')?.content === "worker";
const inWorker = globalThis.crossOriginIsolated === true && (globalThis[WORKER_HOOK] ?? stamped);
document.documentElement.dataset.python = inWorker ? "worker" : "main";
// Pyodide runs Python on a WebAssembly JSPI stack wherever `WebAssembly.Suspending` exists.
// Chromium's sampling heap profiler (on in some browser sessions) walks frame pointers past the
// top of such a stack and kills the tab (README, "Tests"). The page needs nothing JSPI adds
// (Safari has none), so on this thread Pyodide is not offered it. PyScript's worker has its own
// globals, out of this page's reach.
if (!inWorker) {
  for (const name of ["Suspending", "promising", "Suspender"]) delete WebAssembly[name];
}

function startPython() {
  const preloads = document.importNode(document.getElementById("python-preloads").content, true);
  // The worker imports its own Pyodide: this thread would compile its modules for nothing. The
  // files it fetches are fetched here too: they wait in the HTTP cache, and the progress rows
  // (js/loader.js) count them, as they cannot count a worker's requests.
  if (inWorker) preloads.querySelectorAll("link[rel=modulepreload]").forEach((l) => l.remove());
  document.head.append(preloads);
  const script = document.createElement("script");
  script.type = "py";
  script.src = "py/main.py";
  script.setAttribute("config", "pyscript.json");
  if (inWorker) script.setAttribute("worker", "");
  document.body.append(script);
  // Imported only now: PyScript reads its config from the page's scripts when it loads.
  return import("./pyscript-csp.js").then(({ hooks }) => {
    if (!inWorker) return;
    hooks.main.onWorker.add((_wrap, xw) => {
      xw.sync.call = workerCall(xw.sync); // web/py/bridge.py's calls (page-calls.js)
      xw.ready.catch(showPythonError);
    });
  });
}

firstPaint.then(startPython);
