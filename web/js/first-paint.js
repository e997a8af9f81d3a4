// Resolves once the page has painted its first content. What is heavy (Pyodide's runtime and
// stdlib, TF.js, the model) is asked for after it: the first paint then waits on none of it,
// and Lighthouse's simulated slow 4G counts none of it before the largest paint, which it did
// for every file that had arrived by then (tools/BENCH.md, "The first paint before the heavy
// files"). A hidden tab paints nothing, and a paint that never comes, or a browser that does
// not report it, must not hold the page up: then a timer stands in.

const LONGEST_WAIT_MS = 1000;

export const firstPaint = new Promise((resolve) => {
  if (document.visibilityState === "hidden") return resolve();
  setTimeout(resolve, LONGEST_WAIT_MS);
  try {
    new PerformanceObserver((list, observer) => {
      if (!list.getEntriesByName("first-contentful-paint").length) return;
      observer.disconnect();
      resolve();
    }).observe({ type: "paint", buffered: true });
  } catch {
    // no paint timing here: the timer decides
  }
});
