"""Cold loads of the built site in a loop, to count Chromium renderer crashes ("Target crashed")
per 100 loads and see what came before each (issue 23, part 2).

Each load is a fresh browser context (empty cache) with the launch flags of the tests
(`tools/browser.py`): it waits for the page and its model, uploads a MyAnimeList export and
waits for the request's end (cards, stats, explanations). Chromium's own log
(`--enable-logging=stderr --v=1`) goes to OUT/chromium.log (through Playwright's
`DEBUG=pw:browser`), and after each load the resident memory of the renderer and GPU processes
is noted. Usage, with dist/ built:

    .venv/bin/python -m tools.crash_loop --loads 100 --out out/crashes
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

from tools.browser import CHROMIUM, FLAGS
from tools.serve import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
LIST = ROOT.parent / "shared" / "fixtures" / "mal-export-xinil-evanalxen.xml"
TIMEOUT_MS = 120_000
LOGGING = ["--enable-logging=stderr", "--v=1"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "crashes")
    parser.add_argument("--site", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    log = (args.out / "chromium.log").open("w")
    os.dup2(log.fileno(), sys.stderr.fileno())  # the driver (and Chromium's log) write here
    os.environ["DEBUG"] = "pw:browser"
    from playwright.sync_api import sync_playwright

    url, stop = serve_in_thread(args.site)
    loads = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS + LOGGING)
        for n in range(args.loads):
            loads.append({"load": n, **cold_load(browser, url)})
            print(json.dumps(loads[-1]), flush=True)
        browser.close()
    stop()
    crashed = sum(1 for load in loads if load["crashed"])
    summary = {"loads": len(loads), "crashed": crashed,
               "per_100": round(100 * crashed / max(1, len(loads)), 1)}  # fmt: skip
    (args.out / "loads.json").write_text(json.dumps({"summary": summary, "loads": loads}))
    print(json.dumps(summary))
    return 0


def cold_load(browser, url: str) -> dict:
    """One cold load and one answered upload: whether the renderer crashed, any error, and the
    memory Chromium's processes hold at its end."""
    context = browser.new_context()
    page = context.new_page()
    crashes: list[bool] = []
    page.on("crash", lambda _: crashes.append(True))
    error = ""
    try:
        page.goto(url)
        page.wait_for_selector("#backend[data-backend], body.failed", timeout=TIMEOUT_MS)
        page.set_input_files("#file-input", str(LIST))
        page.click("#file-form button[type=submit]")
        page.wait_for_selector("body[data-runs]:not(.busy)", timeout=TIMEOUT_MS)
    except Exception as err:  # a crash ends the load with Playwright's error: keep its text
        error = str(err).splitlines()[0][:200]
    rss = resident_mb()
    context.close()
    return {"crashed": bool(crashes) or "crashed" in error, "error": error, "rss_mb": rss}


def resident_mb() -> dict[str, float]:
    """Resident memory (MB) of this loop's Chromium's renderer and GPU processes, by type
    (each process of a browser names its profile folder, as `tools/cpu_time.py` reads)."""
    commands = {proc: _command(proc) for proc in Path("/proc").glob("[0-9]*")}
    ours = [c for c in commands.values() if b"--enable-logging=stderr" in c and b"--type=" not in c]
    profile = re.search(rb"--user-data-dir=\S+", ours[0]).group(0) if ours else b"\0"
    sizes: dict[str, float] = {}
    for proc, command in commands.items():
        kind = re.search(rb"--type=([a-z-]+)", command)
        rss = _rss_kb(proc) if profile in command and kind else None
        if rss is not None and kind.group(1) in (b"renderer", b"gpu-process"):
            name = kind.group(1).decode()
            sizes[name] = round(sizes.get(name, 0.0) + rss / 1024, 1)
    return sizes


def _command(proc: Path) -> bytes:
    """A process's command line, its arguments space-separated (Chromium rewrites its helpers'
    command lines as one string); empty if it ended meanwhile."""
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""


def _rss_kb(proc: Path) -> int | None:
    try:
        status = (proc / "status").read_text()
    except OSError:
        return None
    return next((int(line.split()[1]) for line in status.splitlines()
                 if line.startswith("VmRSS")), None)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
