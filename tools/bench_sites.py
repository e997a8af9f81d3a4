"""Two or more built sites against each other, in rounds that alternate their order: the cold
load's marks and CPU (as `build.py bench`'s `visit`), then on that page the hostile corpus's
largest uploads (as the bench's `hostile_timings`, one by one). A probe for telling which of a
few changes moved a bench figure (tools/BENCH.md, "The bench's losses, suspect by suspect"),
cheaper than a whole `build.py bench` per tree; not the bench.

    PYTHONPATH=py .venv/bin/python -m tools.bench_sites --site A/dist --site B/dist
        [--rounds N] [--out FILE]

Prints each figure's median per site; the JSON (--out) keeps every round.
"""

from __future__ import annotations

import argparse
import json
import statistics
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from tools.bench import PROFILE, ROOT, longest, probed_page, visit
from tools.bench_hostile import corpus, hostile_timings
from tools.serve import serve_in_thread

LARGEST = ("xml-60k-entries", "json-60k-entries", "json-2m-empty-entries",
           "anilist-2m-empty-lists")  # fmt: skip
MARKS = ("pyReady", "modelReady", "ready", "recs", "explained")


def one_round(playwright: Any, url: str, cases: list[Any]) -> dict[str, float]:
    """One fresh profile: the cold load, then each of `cases` uploaded on its page."""
    with probed_page(playwright) as (page, errors, cpu):
        cold = visit(page, url, PROFILE, errors, cpu)
        row = {mark: cold[mark] for mark in MARKS if mark in cold}
        row["cpu_ms"] = cold["cpu"]["total"]
        row["longest_task_after_paint_ms"] = longest(
            cold["longtasks"], cold["first-paint"], cold["submitted"]
        )
        page.evaluate("async () => { await navigator.serviceWorker.ready; }")
        for name, upload in hostile_timings(page, cases).items():
            row[f"{name} s"] = upload["seconds"]
            row[f"{name} task ms"] = upload["longest_task_ms"]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, action="append", required=True, help="a built dist/")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "bench-sites.json")
    args = parser.parse_args()
    cases = [case for case in corpus() if case.name in LARGEST]
    rounds: dict[str, list[dict[str, float]]] = {str(site): [] for site in args.site}
    with ExitStack() as stack, sync_playwright() as playwright:
        urls = {}
        for site in args.site:
            urls[str(site)], stop = serve_in_thread(site)
            stack.callback(stop)
        for n in range(args.rounds):
            for site in list(urls)[:: 1 if n % 2 == 0 else -1]:
                rounds[site].append(one_round(playwright, urls[site], cases))
                print(f"[sites] round {n + 1}: {site} done", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rounds, indent=1) + "\n")
    print(medians(rounds))
    return 0


def medians(rounds: dict[str, list[dict[str, float]]]) -> str:
    """A table: one row a figure, one column a site, each cell the median over its rounds."""
    sites = list(rounds)
    lines = ["figure".ljust(32) + "".join(f"site {k + 1}".rjust(10) for k in range(len(sites)))]
    for name in rounds[sites[0]][0]:
        cells = [statistics.median(r[name] for r in rounds[site] if name in r) for site in sites]
        lines.append(name.ljust(32) + "".join(f"{cell:10.2f}" for cell in cells))
    lines += [f"site {k + 1}: {site}" for k, site in enumerate(sites)]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
