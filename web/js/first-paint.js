// Resolves once the page has painted its first content. What is heavy (Pyodide's runtime and
// stdlib, TF.js, the model) is asked for after it: the first paint then waits on none of it,
// and Lighthouse's simulated slow 4G counts none of it before the largest paint, which it did
// for every file that had arrived by then (tools/BENCH.md, "The first paint before the heavy
// files"). A hidden tab paints nothing, and a paint that never comes must not hold the page
// up: then a timer stands in. Where the browser does not report paints, the task after the
// first frame's callbacks stands in for the paint (a frame can be presented later than that).
// A page the service worker serves (a repeat visit) waits for nothing: its files come from the
// visitor's own cache, so none competes with the paint for the network, and Lighthouse's cold
// load never has a service worker (tools/BENCH.md, "Repeat visits start at once").

const LONGEST_WAIT_MS = 1000;

function whenPainted(resolve) {
  if (!PerformanceObserver.supportedEntryTypes?.includes("paint")) {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    return;
  }
  new PerformanceObserver((list, observer) => {
    if (!list.getEntriesByName("first-contentful-paint").length) return;
    observer.disconnect();
    resolve();
  }).observe({ type: "paint", buffered: true });
}

export const firstPaint = new Promise((resolve) => {
  const repeatVisit = Boolean(navigator.serviceWorker?.controller);
  if (document.visibilityState === "hidden" || repeatVisit) return resolve();
  setTimeout(resolve, LONGEST_WAIT_MS);
  whenPainted(resolve);
});
