"""What the page's Python asks of the page in boot() and in one request (issue 22): each call
through web/py/bridge.py's `call` by name, and each attribute read, call and await through its
`page()`, counted and timed by web/py/round_trips.py, with the page's Python in PyScript's
worker (each a synchronous round trip to the main thread; a page object read through `page()`
costs dozens more, tools/BENCH.md "Values, not proxies, across the worker's bridge") or on the
main thread.

    .venv/bin/python -m tools.bridge_calls [--mode worker|main] [--site DIR] [--top N]

One cold load in a fresh Chromium profile: boot's calls are those counted once the page is
ready and the model is in, the request's those of the fixture export's upload up to its
explanations (body[data-runs]). Prints both tables, longest total first.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tools.bench import LOAD_TIMEOUT_MS, PROFILE, ROOT, fresh_profile, settle
from tools.serve import serve_in_thread

HOOKS = {
    "worker": "globalThis.animerecCountCalls = true; globalThis.animerecWorkerPython = true;",
    "main": "globalThis.animerecCountCalls = true;",
}  # web/py/round_trips.py's and web/js/python-mode.js's hooks
BOOTED = ("() => document.body.classList.contains('ready') && globalThis.animerec?.model"
          " && document.getElementById('status').textContent.includes('model on')")  # fmt: skip
COUNTS = "() => typeof animerecCalls === 'function' ? animerecCalls() : null"


def counts(page: Any) -> dict[str, list[float]]:
    """The counts where the page's Python runs: the page, or the worker that has them."""
    for context in [page, *page.workers]:
        found = context.evaluate(COUNTS)
        if found is not None:
            return json.loads(found)
    raise RuntimeError("no counts: is web/py/round_trips.py in this build?")


def minus(after: dict[str, list[float]], before: dict[str, list[float]]) -> dict[str, list]:
    zero = [0, 0.0]
    diff = {k: [n - before.get(k, zero)[0], ms - before.get(k, zero)[1]]
            for k, (n, ms) in after.items()}  # fmt: skip
    return {k: v for k, v in diff.items() if v[0]}


def table(title: str, rows: dict[str, list], top: int) -> str:
    ordered = sorted(rows.items(), key=lambda kv: -kv[1][1])
    lines = [f"{title}: {sum(n for n, _ in rows.values())} calls, "
             f"{sum(ms for _, ms in rows.values()):.0f} ms", "| call | count | total ms |",
             "|---|---|---|"]  # fmt: skip
    lines += [f"| `{k}` | {n} | {ms:.1f} |" for k, (n, ms) in ordered[:top]]
    return "\n".join(lines)


def measure(url: str, mode: str) -> dict[str, dict[str, list]]:
    with sync_playwright() as playwright, fresh_profile(playwright) as (context, cpu):
        context.add_init_script(HOOKS[mode])
        page = context.new_page()
        settle(page, cpu)
        page.goto(url)
        page.wait_for_function(BOOTED, timeout=LOAD_TIMEOUT_MS)
        boot = counts(page)
        page.set_input_files("#file-input", str(PROFILE))
        page.click("form.source[data-source=file] button")
        page.wait_for_function("() => document.body.dataset.runs === '1'",
                               timeout=LOAD_TIMEOUT_MS)  # fmt: skip
        return {"boot": boot, "request": minus(counts(page), boot)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mode", choices=list(HOOKS), default="worker")
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    url, stop = serve_in_thread(args.site.resolve())
    try:
        got = measure(url, args.mode)
    finally:
        stop()
    for phase, rows in got.items():
        print(table(f"{args.mode}, {phase}", rows, args.top), end="\n\n")


if __name__ == "__main__":
    main()
