"""`build.py bench`: how fast the site is for a visitor, in headless Chromium on this machine.

A benchmark, not a test: it prints a table against the targets and writes JSON, and fails only
when it cannot measure. Each run uses fresh browser profiles (empty HTTP cache, no service
worker), each settled on about:blank before its first load, and measures, on one served copy of
dist/:

- cold: navigation start → first recommendation card in the DOM, the fixture export uploaded
  (set on the file input during load; the form is submitted the moment the page is ready);
- the bare Pyodide boot (`loadPyodide` on the same files, from a page served beside dist/);
- model inference (`animerec.model.predict`, the page's own path) and the re-rank of
  `animerec.ranking.time_rerank`, both inside the page after the cold load (and its service
  worker's install);
- the catalog map on that page (tools/bench_atlas.py): opening it, and frames while zooming;
- warm: the same as cold, a second navigation in the same profile (the first visit served by
  its service worker); third: a third navigation, what a returning visitor sees;
- inference again on TF.js's wasm backend, for comparison, on the third page: its WebGL context
  is lost on purpose and the model moves to wasm as on a real context loss (model.js);
- bytes on the wire, counted by the server, so a service worker's own fetches count too;
- the CPU time Chromium's processes used (tools/cpu_time.py) for the bare boot and up to the
  first card: divided by the cores, the shortest the load could be with that much work;
- the longest main-thread task (Long Tasks API) after the first paint of the cold load, and
  during its request;
- once per bench, after the runs: a cold load under Lighthouse's slow 4G (DevTools network
  throttling), the hostile corpus's uploads on that page (tools/bench_hostile.py), and
  Lighthouse's mobile and desktop performance score and blocking time (tools/lighthouse.py).

Figures are medians over runs with min and max; percentiles are per run, then medianed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from tools import cpu_time, dist, lighthouse, precompress
from tools.bench_atlas import atlas_timings
from tools.bench_hostile import hostile_timings
from tools.browser import CHROMIUM, FLAGS
from tools.serve import SiteHandler, serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT.parent / "shared" / "fixtures" / "mal-export-v110-igorv.xml"
LOAD_TIMEOUT_MS = 120_000
INFERENCE_WARMUP, INFERENCE_CALLS = 20, 200
RERANK_REPEAT = 25
MB = 1_000_000
CORES = os.cpu_count() or 1
# A new browser counts as started once a window of SETTLE_WINDOW_S uses under SETTLE_IDLE_SHARE
# of one core (NaN without /proc: then it waits SETTLE_MAX_S).
SETTLE_WINDOW_S, SETTLE_IDLE_SHARE, SETTLE_MAX_S = 0.25, 0.05, 5.0
# Debian's Chromium 156 crashes the page's renderer in about 1 of 35 cold loads here (no V8
# message; a minidump from a renderer running wasm, with SwiftShader): such a run is run again,
# at most this many times in all, and the report counts them.
CRASH_RETRIES = 3
# Other hosts (cover images) fail at once, without Playwright routing: routing turns off the cache.
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"

PROBE = (Path(__file__).parent / "bench-probe.js").read_text()  # marks and long tasks
BOOT_PAGE = """<!doctype html>
<meta charset="utf-8"><title>bare Pyodide boot</title>
<script type="module" src="pyodide-boot.js"></script>
"""  # the script is a file: the site's CSP allows no inline script
BOOT_SCRIPT = """import { loadPyodide } from "../vendor/pyodide/pyodide.mjs";
await loadPyodide({ indexURL: new URL("../vendor/pyodide/", import.meta.url).href });
window.__bench = { booted: performance.now() };
"""
INFERENCE = """async ([indices, values, warmup, calls]) => {
  const model = animerec.model;
  const row = new Float32Array(model.inputSize);
  indices.forEach((i, k) => { row[i] = values[k]; });
  for (let i = 0; i < warmup; i++) await model.predict(row);
  const took = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await model.predict(row);
    took.push(performance.now() - start);
  }
  return took;
}"""
# The probe's marks, the paint timings and the page's own User Timing marks (animerec:*), ms
# from navigation start.
MARKS = """() => {
  const marks = {...__bench, arm: undefined, armed: undefined};
  for (const p of performance.getEntriesByType("paint")) marks[p.name] = p.startTime;
  for (const m of performance.getEntriesByType("mark")) {
    if (m.name.startsWith("animerec:")) marks[m.name.slice(9)] = m.startTime;
  }
  return marks;
}"""
# The page's model then falls back to wasm (model.js), as on a real context loss.
LOSE_WEBGL = "() => animerec.model.loseContext()"
RERANK_HOOK = ROOT / "tools" / "bench_rerank.py"  # served as bench/rerank.py
TARGETS: dict[str, tuple[str, float]] = {  # figure → (comparison, limit)
    "cold_over_boot": ("<=", 1.3),
    "warm_recs_ms": ("<=", 1500),
    "third_recs_ms": ("<=", 1500),
    "inference_p50_ms": ("<=", 10),
    "rerank_p50_ms": ("<=", 16),
    "atlas_open_ms": ("<=", 300),
    "atlas_draw_p95_ms": ("<=", 16),
    "cold_transfer_bytes": ("<=", 8 * MB),
    # Issue 22: no main-thread task over 50 ms after the first paint, nor during a request,
    # and Lighthouse's phone at 0.9 with under 200 ms of blocking.
    "cold_longest_task_ms": ("<=", 50),
    "request_longest_task_ms": ("<=", 50),
    "lighthouse_mobile_score": (">=", 0.9),
    "lighthouse_mobile_tbt_ms": ("<=", 200),
    "lighthouse_desktop_tbt_ms": ("<=", 200),
    # Issue 15: each hostile upload ends in its message or cards within 2 s, and no task of
    # its request takes over 200 ms.
    "hostile_outcome_max_s": ("<=", 2),
    "hostile_longest_task_ms": ("<=", 200),
}
COMPARE: dict[str, Callable[[float, float], bool]] = {
    "<=": lambda value, limit: value <= limit,
    ">=": lambda value, limit: value >= limit,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--runs", type=int, default=5, help="runs per figure (default 5)")
    parser.add_argument(
        "--out", type=Path, default=ROOT / "out" / "bench.json", help="JSON report path"
    )
    parser.add_argument("--profile", type=Path, default=PROFILE, help="export to upload")
    dist.add_python_argument(parser)


def main(args: argparse.Namespace) -> int:
    from playwright.sync_api import sync_playwright

    if args.runs < 1:
        print("--runs must be at least 1", file=sys.stderr)
        return 2
    try:
        site = dist.build(python=args.python)
    except dist.BuildError as err:
        print(f"[build] error: {err}", file=sys.stderr)
        return 1
    tally = Tally()
    runs: list[dict[str, Any]] = []
    crashes = 0
    with overlay(site) as root, sync_playwright() as playwright:
        url, stop = serve_in_thread(root, handler=tally.handler())
        try:
            for n in range(args.runs):
                while True:
                    try:
                        runs.append(one_run(playwright, url, args.profile, tally))
                        break
                    except Exception as err:
                        if not _renderer_crashed(err) or crashes == CRASH_RETRIES:
                            raise
                        crashes += 1
                        print(f"[bench] run {n + 1}: the page's renderer crashed; again",
                              file=sys.stderr)  # fmt: skip
                done = ", ".join(f"{k} {v:.0f}" for k, v in runs[-1]["figures"].items())
                print(f"[bench] run {n + 1}/{args.runs}: {done}", file=sys.stderr)
            once = once_run(playwright, url, args.profile, tally)
        finally:
            stop()
    report = summarize(runs, site, args, once)
    report["renderer_crashes_rerun"] = crashes
    report["python"] = args.python  # the mode stamped into the build (tools/dist.py)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(table(report))
    print(f"\nJSON: {args.out}")
    return 0


def _renderer_crashed(err: BaseException) -> bool:
    """Whether `err` (or what it was raised from) is Playwright's "Target crashed"."""
    return any("Target crashed" in str(e) for e in (err, err.__cause__) if e is not None)


# --- serving -------------------------------------------------------------------------------


class Tally:
    """What the server sent, per request: (path, status, bytes incl. headers, encoding)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: list[tuple[str, int, int, str]] = []

    def take(self) -> list[tuple[str, int, int, str]]:
        with self._lock:
            rows, self._rows = self._rows, []
        return rows

    def handler(self) -> type[SiteHandler]:
        tally = self

        class Counting(SiteHandler):
            def setup(self) -> None:
                super().setup()
                self.wfile = _Counter(self.wfile)

            def send_response(self, code: int, message: str | None = None) -> None:
                self.code = code
                super().send_response(code, message)

            def send_header(self, keyword: str, value: str) -> None:
                if keyword.lower() == "content-encoding":
                    self.encoding = value
                super().send_header(keyword, value)

            def handle_one_request(self) -> None:
                self.wfile.sent, self.code, self.encoding = 0, 0, ""
                super().handle_one_request()
                if self.code:
                    with tally._lock:
                        tally._rows.append((self.path, self.code, self.wfile.sent, self.encoding))

        return Counting


class _Counter:
    """A write-only stream that counts what passes through."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.sent = inner, 0

    def write(self, data: bytes) -> int:
        self.sent += len(data)
        return self.inner.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@contextmanager
def overlay(site: Path) -> Iterator[Path]:
    """dist/ plus bench/pyodide-boot.html and the re-rank probe, without writing into dist/ (it
    must not ship)."""
    with tempfile.TemporaryDirectory(prefix="animerec-bench-") as tmp:
        root = Path(tmp)
        for entry in site.iterdir():
            (root / entry.name).symlink_to(entry)
        (root / "bench").mkdir()
        (root / "bench" / "pyodide-boot.html").write_text(BOOT_PAGE)
        (root / "bench" / "pyodide-boot.js").write_text(BOOT_SCRIPT)
        (root / "bench" / "rerank.py").write_text(RERANK_HOOK.read_text())
        yield root


# --- one run -------------------------------------------------------------------------------


@contextmanager
def fresh_profile(playwright: Any) -> Iterator[tuple[Any, Callable[[], dict[str, float]]]]:
    """A browser with its own new user-data-dir (empty HTTP cache, no service worker), and a
    function that reads the CPU time its processes have used so far (cpu_time.usage)."""
    with tempfile.TemporaryDirectory(prefix="animerec-chromium-") as tmp:
        context = playwright.chromium.launch_persistent_context(
            tmp, executable_path=CHROMIUM, args=[*FLAGS, OFFLINE], headless=True
        )
        try:
            yield context, lambda: cpu_time.usage(tmp)
        finally:
            context.close()


@contextmanager
def probed_page(
    playwright: Any,
) -> Iterator[tuple[Any, list[str], Callable[[], dict[str, float]]]]:
    """A page in a fresh profile (fresh_profile) with the probe (marks, long tasks) in it, the
    browser settled: the page, the errors it throws (collected as they come) and the CPU-time
    reader."""
    with fresh_profile(playwright) as (context, cpu):
        context.add_init_script(PROBE)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda err: errors.append(str(err)))
        settle(page, cpu)
        yield page, errors, cpu


def one_run(playwright: Any, url: str, profile: Path, tally: Tally) -> dict[str, Any]:
    with fresh_profile(playwright) as (context, cpu):
        page = context.new_page()
        settle(page, cpu)
        tally.take()
        before = cpu()
        page.goto(url + "bench/pyodide-boot.html")
        page.wait_for_function("() => window.__bench?.booted", timeout=LOAD_TIMEOUT_MS)
        boot_cpu = cpu_time.since(before, cpu())
        boot_ms = page.evaluate("__bench.booted")

    with probed_page(playwright) as (page, errors, cpu):
        tally.take()
        cold = visit(page, url, profile, errors, cpu)
        cold_tasks = cold.pop("longtasks")
        # The page registers its service worker after the first request; its install
        # (revalidating every file) would run during the timings below.
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        cold_rows = tally.take()
        parity = json.loads((ROOT / "dist" / "models" / "default" / "parity.json").read_text())
        case = parity["cases"][0]
        inference = page.evaluate(
            INFERENCE, [case["indices"], case["values"], INFERENCE_WARMUP, INFERENCE_CALLS]
        )
        rerank = rerank_timings(page)
        atlas = atlas_timings(page)
        tally.take()
        (warm, warm_rows), (third, third_rows) = (
            repeat_visit(page, url, profile, errors, cpu, tally) for _ in range(2)
        )
        # Last: a page that lost its WebGL context stays off WebGL (and the next one may too).
        page.evaluate(LOSE_WEBGL)
        inference_wasm = page.evaluate(
            INFERENCE, [case["indices"], case["values"], INFERENCE_WARMUP, INFERENCE_CALLS]
        )
        if page.evaluate("animerec.model.backend") != "wasm":
            raise RuntimeError("the model did not move to wasm after the WebGL context loss")

    return {
        "figures": {
            "cold_recs_ms": cold["recs"],
            "boot_ms": boot_ms,
            "cold_over_boot": cold["recs"] / boot_ms,
            "warm_recs_ms": warm["recs"],
            "third_recs_ms": third["recs"],
            "inference_p50_ms": percentile(inference, 50),
            "inference_p95_ms": percentile(inference, 95),
            "inference_wasm_p50_ms": percentile(inference_wasm, 50),
            "inference_wasm_p95_ms": percentile(inference_wasm, 95),
            "rerank_p50_ms": percentile(rerank, 50),
            "rerank_p95_ms": percentile(rerank, 95),
            "atlas_open_ms": atlas["open_ms"],
            "atlas_draw_p95_ms": percentile(atlas["draws"], 95),
            "atlas_frame_p95_ms": percentile(atlas["intervals"], 95),
            "cold_transfer_bytes": sum(r[2] for r in cold_rows),
            "cold_requests": len(cold_rows),
            "warm_transfer_bytes": sum(r[2] for r in warm_rows),
            "warm_requests": len(warm_rows),
            "third_transfer_bytes": sum(r[2] for r in third_rows),
            "cold_py_ready_ms": cold.get("pyReady", float("nan")),
            "cold_model_ready_ms": cold.get("modelReady", float("nan")),
            "cold_page_ready_ms": cold["ready"],
            "cold_explained_ms": cold["explained"],
            "warm_page_ready_ms": warm["ready"],
            "third_page_ready_ms": third["ready"],
            "cold_cpu_ms": cold["cpu"]["total"],
            "boot_cpu_ms": boot_cpu["total"],
            "cold_cpu_over_cores_over_boot": cold["cpu"]["total"] / CORES / boot_ms,
            "cold_longest_task_ms": longest(cold_tasks, cold["first-paint"], cold["submitted"]),
            "request_longest_task_ms": longest(cold_tasks, cold["submitted"], cold["explained"]),
        },
        "cpu_ms": {
            "cold": cold.pop("cpu"),
            "warm": warm.pop("cpu"),
            "third": third.pop("cpu"),
            "boot": boot_cpu,
        },
        "marks": {"cold": cold, "warm": warm, "third": third},
        "cold_log": [
            {"path": _dist_path(p), "status": s, "bytes": n, "encoding": e or "identity"}
            for p, s, n, e in cold_rows
        ],
        "warm_log": [
            {"path": _dist_path(p), "status": s, "bytes": n, "encoding": e or "identity"}
            for p, s, n, e in warm_rows
        ],
    }


def once_run(playwright: Any, url: str, profile: Path, tally: Tally) -> dict[str, Any]:
    """What is measured once per bench, each a minute or more here: a cold load under
    Lighthouse's slow 4G (DevTools throttling), then on that page the hostile uploads; and
    Lighthouse's own runs, mobile and desktop (its defaults: simulated throttling)."""
    with probed_page(playwright) as (page, errors, cpu):
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **lighthouse.SLOW_4G})
        slow = visit(page, url, profile, errors, cpu)
        cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0,
                                                      "downloadThroughput": -1,
                                                      "uploadThroughput": -1})  # fmt: skip
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        hostile = hostile_timings(page)
    tally.take()
    with tempfile.TemporaryDirectory(prefix="animerec-lighthouse-") as tmp:
        mobile, desktop = (
            lighthouse.speed(lighthouse.run(url, Path(tmp) / "report.json", preset))
            for preset in (lighthouse.MOBILE, lighthouse.DESKTOP_SIMULATED)
        )
    tally.take()
    slow.pop("cpu")
    slow.pop("longtasks")
    return {
        "figures": {
            "slow4g_cold_recs_ms": slow["recs"],
            "slow4g_cold_explained_ms": slow["explained"],
            "lighthouse_mobile_score": mobile["score"],
            "lighthouse_mobile_tbt_ms": mobile["tbt_ms"],
            "lighthouse_desktop_score": desktop["score"],
            "lighthouse_desktop_tbt_ms": desktop["tbt_ms"],
            "hostile_outcome_max_s": max(h["seconds"] for h in hostile.values()),
            "hostile_longest_task_ms": max(h["longest_task_ms"] for h in hostile.values()),
        },
        "marks": slow,
        "hostile": hostile,
        "lighthouse_long_tasks": {"mobile": mobile["long_tasks"], "desktop": desktop["long_tasks"]},
    }


def longest(tasks: list[list[float]], start: float, end: float) -> float:
    """The longest of the Long Tasks ([start, duration], each over 50 ms) that started in
    [start, end); 0 if none did."""
    return max((duration for at, duration in tasks if start <= at < end), default=0.0)


def settle(page: Any, cpu: Callable[[], dict[str, float]]) -> None:
    """Wait on about:blank until the new browser has finished starting (its processes idle):
    a visitor's browser is running before they open the site, and start-up work would count
    against the load timed next (and its CPU time)."""
    page.goto("about:blank")
    deadline = time.monotonic() + SETTLE_MAX_S
    last = cpu()["total"]
    while time.monotonic() < deadline:
        time.sleep(SETTLE_WINDOW_S)
        now = cpu()["total"]
        if now - last < SETTLE_IDLE_SHARE * SETTLE_WINDOW_S * 1000:
            return
        last = now


def visit(
    page: Any, url: str, profile: Path, errors: list[str], cpu: Callable[[], dict[str, float]]
) -> dict[str, Any]:
    """Navigate, hand the page the export while it loads, wait for the first card (the CPU
    time the browser used up to then is "cpu"), then for the explanations: the page's marks."""
    before = cpu()
    page.goto(url, wait_until="commit")
    page.set_input_files("#file-input", str(profile))
    page.evaluate("__bench.arm()")
    try:
        page.wait_for_function("() => 'recs' in __bench", timeout=LOAD_TIMEOUT_MS)
        used = cpu_time.since(before, cpu())
        page.wait_for_function("() => 'explained' in __bench", timeout=LOAD_TIMEOUT_MS)
    except Exception as err:
        state = page.evaluate("[document.getElementById('status')?.textContent,"
                              " document.getElementById('error')?.textContent]")  # fmt: skip
        raise RuntimeError(f"no recommendations: page says {state}, errors {errors}") from err
    return {**page.evaluate(MARKS), "cpu": used}


def repeat_visit(
    page: Any,
    url: str,
    profile: Path,
    errors: list[str],
    cpu: Callable[[], dict[str, float]],
    tally: Tally,
) -> tuple[dict[str, Any], list[tuple[str, int, int, str]]]:
    """Another visit in the cold load's profile: its marks, and what the server sent for it."""
    marks = visit(page, url, profile, errors, cpu)
    marks.pop("longtasks")
    return marks, tally.take()


def rerank_timings(page: Any) -> list[float]:
    page.evaluate(
        "() => { const s = document.createElement('script'); s.type = 'py';"
        " s.src = 'bench/rerank.py'; s.setAttribute('config', 'pyscript.json');"
        " if (document.documentElement.dataset.python === 'worker') s.setAttribute('worker', '');"
        " document.body.append(s); }"
    )
    page.wait_for_function("() => Boolean(window.__benchRerank)", timeout=LOAD_TIMEOUT_MS)
    return page.evaluate("async (n) => Array.from(await window.__benchRerank(n))", RERANK_REPEAT)


def _dist_path(request_path: str) -> str:
    path = unquote(urlsplit(request_path).path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


# --- report --------------------------------------------------------------------------------


def summarize(
    runs: list[dict[str, Any]], site: Path, args: argparse.Namespace, once: dict[str, Any]
) -> dict[str, Any]:
    """The report: each figure of the runs (and of the once-per-bench pass, one value each)
    against its target, and what the cold loads fetched."""
    names = runs[0]["figures"]
    figures = {name: figure([r["figures"][name] for r in runs], name) for name in names}
    figures |= {name: figure([value], name) for name, value in once["figures"].items()}
    files = sorted({q["path"] for r in runs for q in r["cold_log"] if q["status"] == 200})
    sizes = shipped_sizes(site, files)
    model_json = json.loads((site / "models" / "default" / "model.json").read_text())
    model_files = ["model.json"] + [
        p for group in model_json.get("weightsManifest", []) for p in group["paths"]
    ]
    return {
        "command": "python3 build.py bench " + " ".join(sys.argv[2:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cpus": os.cpu_count(), "chromium": CHROMIUM, "flags": [*FLAGS, OFFLINE]},
        "runs": len(runs),
        "figures": figures,
        "timeline": {
            **{
                visit: timeline([r["marks"][visit] for r in runs])
                for visit in ("cold", "warm", "third")
            },
            "slow 4G cold": timeline([once["marks"]]),
        },
        "hostile_uploads": once["hostile"],
        "lighthouse_long_tasks": once["lighthouse_long_tasks"],
        "cpu_ms_by_process": {  # medians; cold and warm up to the first card
            visit: {
                kind: statistics.median(r["cpu_ms"][visit][kind] for r in runs)
                for kind in runs[0]["cpu_ms"][visit]
            }
            for visit in ("cold", "warm", "third", "boot")
        },
        "cold_load": {
            "files": len(files),
            **sizes,
            "encodings_served": sorted({q["encoding"] for r in runs for q in r["cold_log"]}),
        },
        "requests_of_first_run": {"cold": runs[0]["cold_log"], "warm": runs[0]["warm_log"]},
        "model_bytes": sum((site / "models" / "default" / f).stat().st_size for f in model_files),
        "catalog_bytes": (site / "models" / "default" / "catalog.json").stat().st_size,
    }


def figure(values: list[float], name: str) -> dict[str, Any]:
    """Median, min, max and the values; the target and whether the median meets it."""
    stats: dict[str, Any] = {"median": statistics.median(values), "min": min(values),
                             "max": max(values), "values": values}  # fmt: skip
    if name in TARGETS:
        op, limit = TARGETS[name]
        stats["target"] = f"{op} {limit:g}"
        stats["met"] = COMPARE[op](stats["median"], limit)
    return stats


def timeline(visits: list[dict[str, Any]]) -> dict[str, float]:
    """Each mark's median over the visits that have it, in the order the medians fall."""
    names = {k for v in visits for k, t in v.items() if isinstance(t, (int, float))}
    medians = {k: statistics.median(v[k] for v in visits if k in v) for k in names}
    return dict(sorted(medians.items(), key=lambda item: item[1]))


def shipped_sizes(site: Path, files: list[str]) -> dict[str, int]:
    """Raw, gzip -9 and brotli 11 bytes of the files a cold load fetched from dist/."""
    raw = gz = br = 0
    for rel in files:
        path = site / rel
        if not path.is_file():
            continue
        data = path.read_bytes()
        raw += len(data)
        gz += len(_smaller(data, precompress.gzip_bytes))
        br += len(_smaller(data, precompress.brotli_bytes))
    return {"raw_bytes": raw, "gzip_bytes": gz, "brotli_bytes": br}


def _smaller(data: bytes, encode: Callable[[bytes], bytes]) -> bytes:
    packed = encode(data)
    return packed if len(packed) < len(data) else data


ROWS = (  # (figure, label, unit)
    ("cold_recs_ms", "cold: navigation → first recommendations", "ms"),
    ("slow4g_cold_recs_ms", "cold on slow 4G (throttled; once)", "ms"),
    ("boot_ms", "bare Pyodide boot (loadPyodide)", "ms"),
    ("cold_over_boot", "cold ÷ bare boot", "×"),
    ("warm_recs_ms", "repeat visit → first recommendations", "ms"),
    ("third_recs_ms", "third visit → first recommendations", "ms"),
    ("inference_p50_ms", "model inference p50 (WebGL)", "ms"),
    ("inference_p95_ms", "model inference p95", "ms"),
    ("inference_wasm_p50_ms", "model inference p50 on wasm (comparison)", "ms"),
    ("inference_wasm_p95_ms", "model inference p95 on wasm", "ms"),
    ("rerank_p50_ms", "re-rank p50, filters or dismiss (Pyodide)", "ms"),
    ("rerank_p95_ms", "re-rank p95", "ms"),
    ("atlas_open_ms", "map: open, files arrived → first frame", "ms"),
    ("atlas_draw_p95_ms", "map: drawing a frame p95, zooming (JS)", "ms"),
    ("atlas_frame_p95_ms", "map: frame interval p95, zooming", "ms"),
    ("cold_transfer_bytes", "cold load, bytes on the wire", "MB"),
    ("cold_requests", "cold load, requests", ""),
    ("warm_transfer_bytes", "repeat visit, bytes on the wire", "MB"),
    ("warm_requests", "repeat visit, requests", ""),
    ("third_transfer_bytes", "third visit, bytes on the wire", "MB"),
    ("cold_py_ready_ms", "cold: PyScript ready", "ms"),
    ("cold_model_ready_ms", "cold: model loaded and warmed up", "ms"),
    ("cold_page_ready_ms", "cold: page ready for input", "ms"),
    ("cold_explained_ms", "cold: explanations shown", "ms"),
    ("cold_cpu_ms", "cold: Chromium CPU time to first card", "ms"),
    ("boot_cpu_ms", "bare boot: Chromium CPU time", "ms"),
    ("cold_cpu_over_cores_over_boot", "cold CPU time ÷ cores ÷ bare boot", "×"),
    ("cold_longest_task_ms", "cold: longest main-thread task after 1st paint", "ms"),
    ("request_longest_task_ms", "first request: longest main-thread task", "ms"),
    ("slow4g_cold_explained_ms", "cold on slow 4G: explanations shown (once)", "ms"),
    ("lighthouse_mobile_score", "Lighthouse mobile: performance (once)", ""),
    ("lighthouse_mobile_tbt_ms", "Lighthouse mobile: total blocking time", "ms"),
    ("lighthouse_desktop_score", "Lighthouse desktop: performance (once)", ""),
    ("lighthouse_desktop_tbt_ms", "Lighthouse desktop: total blocking time", "ms"),
    ("hostile_outcome_max_s", "hostile uploads: slowest outcome (once)", "s"),
    ("hostile_longest_task_ms", "hostile uploads: longest main-thread task", "ms"),
)


def table(report: dict[str, Any]) -> str:
    def fmt(value: float, unit: str) -> str:
        if unit == "MB":
            return f"{value / MB:.2f}"
        return f"{value:.2f}" if unit == "×" or value < 100 else f"{value:.0f}"

    lines = [f"{report['runs']} runs; median (min–max)", "",
             f"{'figure':<46} {'unit':>4} {'median':>8} {'min–max':>17}  target"]  # fmt: skip
    for name, label, unit in ROWS:
        f = report["figures"][name]
        target = ""
        if name in TARGETS:  # shown in the row's unit (the JSON keeps raw bytes / ms)
            op, limit = TARGETS[name]
            target = f"{op} {fmt(limit, unit)} {'met' if f['met'] else 'NOT met'}"
        span = f"{fmt(f['min'], unit)}–{fmt(f['max'], unit)}"
        lines.append(f"{label:<46} {unit:>4} {fmt(f['median'], unit):>8} {span:>17}  {target}")
    load = report["cold_load"]
    lines += [
        "",
        f"cold load ships {load['files']} files: {load['raw_bytes'] / MB:.2f} MB raw, "
        f"{load['gzip_bytes'] / MB:.2f} MB gzip, {load['brotli_bytes'] / MB:.2f} MB brotli; "
        f"served as {', '.join(load['encodings_served'])}",
        f"model files {report['model_bytes'] / MB:.2f} MB, catalog "
        f"{report['catalog_bytes'] / MB:.2f} MB",
    ]
    lines.append(
        f"Chromium CPU time by process (median ms; {report['machine']['cpus']} cores): "
        + "; ".join(
            f"{visit} " + ", ".join(f"{k} {ms:.0f}" for k, ms in kinds.items())
            for visit, kinds in report["cpu_ms_by_process"].items()
        )
    )
    if report.get("renderer_crashes_rerun"):
        lines.append(f"runs run again after a renderer crash: {report['renderer_crashes_rerun']}")
    for visit, marks in report["timeline"].items():  # the page's animerec:* marks among them
        lines.append(f"{visit} timeline (median ms): "
                     + ", ".join(f"{name} {ms:.0f}" for name, ms in marks.items()))  # fmt: skip
    return "\n".join(lines)
