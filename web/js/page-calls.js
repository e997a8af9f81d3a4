// What the page's Python (web/py/bridge.py) calls on this thread: one function, `call(name,
// ...args)`, that takes values and returns values (strings, numbers, booleans, null, typed
// arrays, or a promise of one). In PyScript's worker it is polyscript's `xworker.sync.call`
// (python-mode.js registers `workerCall`): one message each way per call, the promise settled
// here first.
// A page object handed to the worker instead becomes a proxy there, and Pyodide's type checks
// of each proxy (its prototype chain, `size`, `length`, `then`…) cost dozens of round trips:
// 2,300 per repeat visit (tools/BENCH.md, "Values, not proxies, across the worker's bridge").
// On the main thread the Python calls it as `animerec.call`.

const site = () => globalThis.animerec;
// The page's Python's one handler, `dispatch(event, ...args)`, handed over by its `listen` call:
// on the main thread the Python's own function; from PyScript's worker that worker's
// `xworker.sync.event` (workerCall), whose arguments travel as structured clones (an uploaded
// File too, read in the worker then).
let dispatch = () => {};

const on = (event) => (...args) => dispatch(event, ...args);

/** The page's own calls; "ui.NAME", "controls.NAME" and "charts.NAME" are the loader modules'. */
const PAGE = {
  mark: (name) => { performance.mark(`animerec:${name}`); },
  location: () => [location.search, location.pathname, location.hash],
  pushUrl: (url) => history.pushState(null, "", url),
  baseUri: () => document.baseURI,
  hook: (name) => { const value = globalThis[name]; return value === undefined ? null : value; },
  catalog: () => site().catalogReady,
  chooseModel: (modelsJson, query) => site().chooseModel(JSON.parse(modelsJson), query),
  loadBundle: (folder) => site().loadBundle(folder),
  backend: () => site().model?.backend ?? null,
  predict: (row) => site().model.predict(row),
  predictBatch: (flat, rows) => site().model.predictBatch(flat, rows),
  // The Python's events: ui.js' (`events`, a JSON list), the filter form's, the model
  // selector's and back/forward's.
  listen: (events, handler) => {
    dispatch = handler;
    site().ui.listen(Object.fromEntries(JSON.parse(events).map((event) => [event, on(event)])));
    addEventListener("popstate", () => dispatch("popstate"));
  },
  mountFilters: (spec) => site().controls.mount(spec, on("filters")),
  mountModels: (models, current) => site().controls.mountModels(models, current, on("model")),
};
const MODULES = new Set(["ui", "controls", "charts"]);

export function call(name, ...args) {
  const dot = name.indexOf(".");
  if (dot < 0) return PAGE[name](...args);
  const module = name.slice(0, dot);
  if (!MODULES.has(module)) throw new Error(`no page call ${name}`);
  return site()[module][name.slice(dot + 1)](...args);
}

/** `call` for the Python in the PyScript worker whose `xworker.sync` is `sync` (python-mode.js
 * registers it there): its `listen` hands the page that worker's dispatcher. Other PyScript
 * workers on the page (the bench's re-rank probe) call the page without taking its events. */
export function workerCall(sync) {
  return (name, ...args) => name === "listen"
    ? call(name, args[0], (...event) => sync.event(...event))
    : call(name, ...args);
}
