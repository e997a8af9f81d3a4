// `build.py bench`'s probe, added to every page before its scripts (tools/bench.py). Marks by
// performance.now() (0 = navigation start): py:ready, loader done, page ready (body.ready),
// the form submitted, first card, first request done (explanations shown); and every
// main-thread task over 50 ms (Long Tasks API) as [start, duration]. Submits the file form
// once the page is ready and the file is set.
(() => {
  const b = (window.__bench = { longtasks: [] });
  const mark = (key) => { if (!(key in b)) b[key] = performance.now(); };
  const submit = () => {
    mark("submitted");
    document.getElementById("file-form").requestSubmit();
  };
  b.arm = () => { b.armed = true; if ("ready" in b) submit(); };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longtasks.push([e.startTime, e.duration]);
  }).observe({ type: "longtask", buffered: true });
  addEventListener("py:ready", () => mark("pyReady"));
  let site;
  Object.defineProperty(globalThis, "animerec", { configurable: true,
    get: () => site,
    set: (value) => { site = value; value?.ready?.then?.(() => mark("modelReady"), () => {}); } });
  new MutationObserver(() => {
    if (!("ready" in b) && document.body?.classList.contains("ready")) {
      mark("ready");
      if (b.armed) submit();
    }
    if (document.querySelector("#recommendations li.card")) mark("recs");
    if (document.body?.dataset.runs) mark("explained");  // the request ended, explanations shown
  }).observe(document, { subtree: true, childList: true, attributes: true,
                         attributeFilter: ["class", "data-runs"] });
})();
