"""Where a repeat visit spends its time, with the page's Python on the main thread and in
PyScript's worker (web/js/python-mode.js), back to back: a small probe for issue 22, not the
bench (tools/BENCH.md, "Where the worker's repeat visit goes").

    .venv/bin/python -m tools.python_mode_timeline [--pairs N] [--site DIR --site DIR2]
        [--modes main worker ...] [--out FILE]

For each mode (and each site), in one fresh Chromium profile: a cold load (the fixture export
uploaded, as the bench does), the service worker's install awaited, then two repeat visits
(the second and third loads), each traced. It records, per visit, the page's marks (ms from
navigation start), when each of Pyodide's files arrived where Python runs (the page's and each
worker's resource timing, on the page's clock), and V8's wasm and cache events by thread
(counts and summed durations): whether pyodide.asm.wasm was compiled or came from V8's code
cache (`v8.wasm.moduleCacheHit`), its lazy and top-tier compiles; and the cold load's longest
main-thread tasks after the first paint and in its request (as the bench's). The JSON goes to
--out.
"""

from __future__ import annotations

import argparse
import json
import statistics
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tools.bench import (
    MARKS,
    PROBE,
    PROFILE,
    ROOT,
    fresh_profile,
    longest,
    overlay,
    rerank_timings,
    settle,
    visit,
)
from tools.serve import serve_in_thread

WORKER_HOOK = "globalThis.animerecWorkerPython = true;"  # web/js/python-mode.js's hook
# name → (init script, whether the bench's re-rank probe runs before the repeat visit)
MODES = {"main": ("", False), "worker": (WORKER_HOOK, False),
         "worker after the re-rank probe": (WORKER_HOOK, True)}  # fmt: skip
# Each execution context's Pyodide fetches, on the page's clock (performance.timeOrigin).
RESOURCES = """() => performance.getEntriesByType("resource")
  .filter((e) => e.name.includes("/vendor/pyodide/") || e.name.endsWith("/py/main.py"))
  .map((e) => [e.name.split("/").pop(), performance.timeOrigin + e.startTime,
               performance.timeOrigin + e.responseEnd, e.transferSize])"""
SUMMARY = [("cold", "recs"), ("cold", "explained"), ("cold", "longest_task_after_paint"),
           ("cold", "longest_task_in_request"), ("warm", "recs"), ("warm", "explained"),
           ("again", "recs")]  # (visit, figure): the medians printed at the end
CATEGORIES = [
    "v8.wasm",
    "v8",
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-v8.wasm.detailed",
]


def fetches(page: Any) -> dict[str, list[float]]:
    """Pyodide's files as fetched by the page and its workers: name → [start, end] in ms from
    the page's navigation start, and which context fetched it."""
    origin = page.evaluate("performance.timeOrigin")
    found: dict[str, list[float]] = {}
    for where, context in [("page", page), *(("worker", w) for w in page.workers)]:
        for name, start, end, size in context.evaluate(RESOURCES):
            found[f"{where}:{name}"] = [round(start - origin), round(end - origin), size]
    return found


def traced_visit(page: Any, url: str, errors: list[str]) -> dict[str, Any]:
    """A repeat visit with V8's wasm events recorded: the page's marks, fetches and events."""
    cdp = page.context.new_cdp_session(page)
    events: list[dict[str, Any]] = []
    cdp.on("Tracing.dataCollected", lambda data: events.extend(data["value"]))
    cdp.send("Tracing.start", {"traceConfig": {"includedCategories": CATEGORIES},
                               "transferMode": "ReportEvents"})  # fmt: skip
    marks = visit(page, url, PROFILE, errors, lambda: {"total": 0.0})
    done: list[bool] = []
    cdp.on("Tracing.tracingComplete", lambda _: done.append(True))
    cdp.send("Tracing.end")
    while not done:
        page.wait_for_timeout(100)
    threads = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
               if e.get("name") == "thread_name"}  # fmt: skip
    wasm: dict[str, list[float]] = {}
    for e in events:
        if "wasm" in e.get("name", "").lower() or "cache" in e.get("name", "").lower():
            key = f"{e['name']} @{threads.get((e['pid'], e['tid']), '?')}"
            count, ms = wasm.get(key, [0, 0.0])
            wasm[key] = [count + 1, round(ms + e.get("dur", 0) / 1000, 1)]
    return {"marks": page.evaluate(MARKS) | {"cpu": marks.get("cpu")}, "fetches": fetches(page),
            "wasm": wasm}  # fmt: skip


def one_mode(playwright: Any, url: str, init_script: str, rerank: bool) -> dict[str, Any]:
    with fresh_profile(playwright) as (context, cpu):
        context.add_init_script(PROBE + init_script)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        settle(page, cpu)
        cold = visit(page, url, PROFILE, errors, cpu)
        cold_fetches = fetches(page)
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        if rerank:  # as the bench does between its cold and warm visits
            rerank_timings(page)
        page.goto("about:blank")
        warm = traced_visit(page, url, errors)
        page.goto("about:blank")
        again = traced_visit(page, url, errors)
        tasks = cold.pop("longtasks")
        cold["longest_task_after_paint"] = longest(tasks, cold["first-paint"], cold["submitted"])
        cold["longest_task_in_request"] = longest(tasks, cold["submitted"], cold["explained"])
        return {"cold": {k: v for k, v in cold.items() if k != "cpu"},
                "cold_fetches": cold_fetches, "warm": warm, "again": again}  # fmt: skip


def figure(run: dict[str, Any], visit: str, mark: str) -> float:
    """One figure of a run: the cold visit's are at its top, the repeat visits' in "marks"."""
    got = run[visit]
    return got[mark] if visit == "cold" else got["marks"][mark]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument(
        "--site",
        action="append",
        type=Path,
        help="a built site (default dist/); given twice, each mode on both",
    )
    parser.add_argument("--modes", nargs="+", choices=list(MODES), default=list(MODES))
    parser.add_argument("--out", default=str(ROOT / "python-mode-timeline.json"))
    args = parser.parse_args()
    sites = [site.resolve() for site in args.site or [ROOT / "dist"]]
    with ExitStack() as stack:
        configs = {}
        for site in sites:
            url, stop = serve_in_thread(stack.enter_context(overlay(site)))
            stack.callback(stop)
            for mode in args.modes:
                name = f"{mode} · {site.name}" if len(sites) > 1 else mode
                configs[name] = (url, *MODES[mode])
        runs = run_pairs(configs, args.pairs)
    for name, got in runs.items():
        print(name, json.dumps({f"{visit} {mark}": statistics.median(figure(r, visit, mark)
                                                                      for r in got)
                                for visit, mark in SUMMARY}))  # fmt: skip
    with open(args.out, "w") as out:
        json.dump(runs, out, indent=1)


def run_pairs(
    configs: dict[str, tuple[str, str, bool]], pairs: int
) -> dict[str, list[dict[str, Any]]]:
    """Each config (name → site URL, init script, re-rank first) once per pair, in turn."""
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in configs}
    with sync_playwright() as playwright:
        for _ in range(pairs):
            for name, (url, init, rerank) in configs.items():
                runs[name].append(one_mode(playwright, url, init, rerank))
                warm = runs[name][-1]["warm"]
                print(name, json.dumps({k: round(v) for k, v in warm["marks"].items()
                                        if isinstance(v, float)}))  # fmt: skip
    return runs


if __name__ == "__main__":
    main()
