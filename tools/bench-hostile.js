// One hostile upload, timed inside the page (tools/bench_hostile.py): the file is already on
// the form's input. Submits the form; returns the seconds to the outcome (new cards or the
// error message), the longest main-thread task from the submit to the request's end (the
// probe's Long Tasks, tools/bench-probe.js) and the message shown ("" for cards).
async () => {
  const error = document.getElementById("error");
  const count = (key) => Number(document.body.dataset[key] || 0);
  const until = async (done) => {
    while (!done()) await new Promise((ok) => setTimeout(ok, 5));
  };
  error.hidden = true;
  const [renders, runs] = [count("renders"), count("runs")];
  const start = performance.now();
  document.getElementById("file-form").requestSubmit();
  await until(() => count("renders") > renders || !error.hidden);
  const outcome = performance.now();
  await until(() => count("runs") > runs);
  await new Promise((ok) => setTimeout(ok, 100)); // the observer reports the last long tasks
  const during = window.__bench.longtasks.filter(([at]) => at >= start);
  return { seconds: (outcome - start) / 1000, longest_task_ms: Math.max(0, ...during.map(([, d]) => d)),
           error: error.hidden ? "" : error.textContent };
}
