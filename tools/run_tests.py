"""`build.py test`: lint, build dist/, then the whole pytest suite (unit, training, browser)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINTED = ["build.py", "py", "converter", "tools", "tests", "web"]
REPORT = ROOT / "build" / "pytest-report.xml"
# What Playwright says when Chromium's page renderer dies under it (README, "Tests"): not an
# outcome of the page's code, and it fails every later test that shares the page.
RENDERER_CRASHED = ("Target crashed", "Page crashed")
RERUNS = 2  # a burst of crashes can outlast one rerun of the failed tests (README, "Tests")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    parser.add_argument("--no-lint", action="store_true", help="skip ruff")


def main(args: argparse.Namespace) -> int:
    if not args.no_lint:
        lint = subprocess.run([sys.executable, "-m", "ruff", "check", *LINTED], cwd=ROOT)
        if lint.returncode:
            print("ruff found problems (see above)", file=sys.stderr)
            return lint.returncode
    from tools import dist

    dist.build()
    code = with_reruns(args.pytest_args)
    if code == 5:
        print("pytest collected no tests: that is a failure here", file=sys.stderr)
    return code


def with_reruns(
    extra: list[str],
    run: Callable[[list[str]], int] | None = None,
    crashed: Callable[[], bool] | None = None,
) -> int:
    """pytest, then its failed tests again (each module with a fresh page) while the last run
    failed and its report names a renderer crash, at most RERUNS times; the last result is
    final. A failure with no crash is never retried."""
    run, crashed = run or pytest, crashed or renderer_crashed
    code = run(extra)
    for attempt in range(1, RERUNS + 1):
        if code != 1 or not crashed():
            break
        print(
            "Chromium's page renderer crashed during this run: running the failed tests again "
            f"({attempt} of at most {RERUNS})",
            file=sys.stderr,
        )
        code = run([*extra, "--last-failed"])
    return code


def pytest(extra: list[str]) -> int:
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pytest", "-ra", f"--junitxml={REPORT}", *extra]
    return subprocess.run(command, cwd=ROOT).returncode


def renderer_crashed(report: Path = REPORT) -> bool:
    """Whether the last run's report names a renderer crash among its failures."""
    text = report.read_text(encoding="utf-8") if report.exists() else ""
    return any(marker in text for marker in RENDERER_CRASHED)
