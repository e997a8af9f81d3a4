"""Lighthouse 12 (npm, on Debian's Chromium) against a served site: one place for how it is
started, shared by tests/browser/test_lighthouse.py (accessibility, best practices, SEO, layout
shift) and `build.py bench` (performance score and Total Blocking Time, mobile and desktop)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tools.browser import CHROMIUM

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --enable-unsafe-swiftshader --use-angle=swiftshader "
                "--disable-background-networking")  # fmt: skip
CATEGORIES = "performance,accessibility,best-practices,seo"
EVERYTHING = (f"--only-categories={CATEGORIES}",)
# What the test asserts: three categories and the layout shift, without the performance
# category's audits and its second (back/forward cache) navigation, nor the full-page
# screenshot no audit of theirs reads (tools/BENCH.md).
QUALITY = ("--only-categories=accessibility,best-practices,seo",
           "--only-audits=cumulative-layout-shift", "--disable-full-page-screenshot")  # fmt: skip
TIMEOUT_S = 300
LONG_TASKS = 8  # the longest tasks a report keeps
ATTEMPTS = 2
# Lighthouse's mobile preset (its default): a simulated slow 4G and a 4× slower CPU (Lantern).
MOBILE: tuple[str, ...] = ()
DESKTOP_SIMULATED = ("--preset=desktop",)
DESKTOP_PROVIDED = ("--preset=desktop", "--throttling-method=provided")  # this machine as it is
# Lighthouse's slow 4G as DevTools throttling applies it (lantern simulation/Constants.js,
# mobileSlow4G: 150 ms RTT × 3.75, 1.6 Mbit/s × 0.9 down, 750 kbit/s × 0.9 up).
SLOW_4G = {"latency": 150 * 3.75, "downloadThroughput": 1.6 * 1024 * 0.9 * 1024 / 8,
           "uploadThroughput": 750 * 0.9 * 1024 / 8}  # fmt: skip


class LighthouseError(RuntimeError):
    """Lighthouse crashed on every attempt; the message is what it said."""


def run(
    url: str, report: Path, preset: tuple[str, ...], only: tuple[str, ...] = EVERYTHING
) -> dict[str, Any]:
    """Lighthouse's JSON result for `url` (the categories and audits `only` names), run once
    more if it crashed (it exits 1 when Chrome could not be reached or a protocol call timed
    out on a loaded machine) or left a category unscored (it writes null for a category whose
    audits could not run)."""
    said = []
    for _ in range(ATTEMPTS):
        done = subprocess.run(
            [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
             *preset, *only, f"--chrome-flags={CHROME_FLAGS}"],
            env={**os.environ, "CHROME_PATH": CHROMIUM}, timeout=TIMEOUT_S, capture_output=True,
            text=True,
        )  # fmt: skip
        if done.returncode == 0:
            result = json.loads(report.read_text())
            unscored = [k for k, c in result["categories"].items() if c["score"] is None]
            if not unscored:
                return result
            said.append(f"no score for {', '.join(unscored)}: {result.get('runtimeError')}")
        else:
            said.append(f"exit {done.returncode}: {done.stderr[-2000:]}")
        print("Lighthouse crashed:", said[-1], file=sys.stderr)
    raise LighthouseError("\n".join(said))


def speed(result: dict[str, Any]) -> dict[str, Any]:
    """The performance score (0–1), Total Blocking Time (ms) and the main thread's longest
    tasks ({url, duration, startTime}, longest first, at most LONG_TASKS) of a Lighthouse
    result."""
    tasks = result["audits"].get("long-tasks", {}).get("details", {}).get("items", [])
    return {"score": result["categories"]["performance"]["score"],
            "tbt_ms": result["audits"]["total-blocking-time"]["numericValue"],
            "long_tasks": tasks[:LONG_TASKS]}  # fmt: skip
