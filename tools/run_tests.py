"""`build.py test`: lint, build dist/, then the whole pytest suite (unit, training, browser)."""

from __future__ import annotations

import argparse
import struct
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tools import crash_dumps

ROOT = Path(__file__).resolve().parent.parent
LINTED = ["build.py", "py", "converter", "tools", "tests", "web"]
REPORTS = ROOT / "build"  # pytest-report-1.xml for the first attempt, -2 for the first rerun, …
# What Playwright says when Chromium's page renderer dies under it (README, "Tests"): not an
# outcome of the page's code, and it fails every later test that shares the page.
RENDERER_CRASHED = ("Target crashed", "Page crashed")
CHROMIUM_LINES = 40  # of each worker's Chromium output, printed when a renderer crashed
CRASH_DUMPS = crash_dumps.DUMPS  # where Chromium writes a dump per crashed process
RERUNS = 2  # a burst of crashes can outlast one rerun of the crashed tests (README, "Tests")
# Two pytest workers (pytest-xdist), each with its own server and Chromium; a module's tests stay
# on one worker (its booted pages with them), in collection order: the browser tests last
# (tests/conftest.py). README, "Tests".
WORKERS = ["-n", "2", "--dist", "loadfile", "--no-loadscope-reorder"]


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
    for old in REPORTS.glob("pytest-report-*.xml"):
        old.unlink()
    code = with_reruns(args.pytest_args)
    if code == 5:
        print("pytest collected no tests: that is a failure here", file=sys.stderr)
    return code


@dataclass(frozen=True)
class Failures:
    """The failed tests of one pytest report (node ids), by what failed them."""

    crashed: list[str]  # failed by a renderer crash, in their own failure
    other: list[str]  # failed by anything else: final


Runner = Callable[[list[str], Path], int]


def with_reruns(extra: list[str], run: Runner | None = None) -> int:
    """pytest, then again only the tests whose own failure was a renderer crash (each module
    with a fresh page), at most RERUNS times. Any other failure is final: it is never rerun
    and fails the run whatever the reruns give. Every attempt keeps its report
    (REPORTS/pytest-report-N.xml); the tests that passed only on a rerun are named."""
    run = run or pytest
    started = time.time()
    code = run(extra, report(1))
    if code not in (0, 1):  # interrupted, an internal or usage error, no tests: final as is
        return code
    failures = failures_in(report(1))
    final, crashed, rescued = list(failures.other), failures.crashed, []
    for attempt in range(2, RERUNS + 2):
        if not crashed:
            break
        print(
            f"Chromium's page renderer crashed under {len(crashed)} test(s): running those "
            f"again ({attempt - 1} of at most {RERUNS}): {' '.join(crashed)}",
            *chromium_said(), *dumps_said(started), sep="\n", file=sys.stderr,
        )  # fmt: skip
        deselect = [arg for test in final for arg in ("--deselect", test)]
        code = run([*extra, "--last-failed", "--last-failed-no-failures=none", *deselect],
                   report(attempt))  # fmt: skip
        if code not in (0, 1):
            return code
        again = failures_in(report(attempt))
        rescued += [test for test in crashed if test not in again.crashed + again.other]
        final += again.other
        crashed = again.crashed
    if rescued:
        print(f"passed only on rerun: {' '.join(rescued)}", file=sys.stderr)
    return 1 if final or crashed else 0


def chromium_said(lines: int = CHROMIUM_LINES) -> list[str]:
    """The last of what each worker's Chromium printed (tests/browser/conftest.py's logs),
    without the D-Bus complaints of a machine with no session bus: a crash's own words."""
    said = []
    for log in sorted(REPORTS.glob("chromium-*.log")):
        text = log.read_text(errors="replace").splitlines()
        kept = [line for line in text if "[err]" in line and "dbus" not in line]
        said += [f"{log.name}:", *kept[-lines:]]
    return said


def dumps_said(since: float) -> list[str]:
    """A line per Chromium crash dump written since `since` (a `time.time()`): its signal and
    where it struck (tools/crash_dumps.py), the cause a log line does not give."""
    said = []
    for dump in crash_dumps.dumps_since(since, CRASH_DUMPS):
        try:
            said.append(f"crash dump {dump.name}: {crash_dumps.signature(dump.read_bytes())}")
        except (ValueError, KeyError, struct.error) as err:  # still being written, or damaged
            said.append(f"crash dump {dump.name}: unreadable ({err!r})")
    return said


def report(attempt: int) -> Path:
    return REPORTS / f"pytest-report-{attempt}.xml"


def pytest(extra: list[str], junit: Path) -> int:
    junit.parent.mkdir(parents=True, exist_ok=True)
    xunit1 = ["-o", "junit_family=xunit1"]  # its reports name each test's file
    report = ["-ra", "--durations=15", f"--junitxml={junit}", *xunit1]  # the 15 slowest too
    command = [sys.executable, "-m", "pytest", *WORKERS, *report, *extra]
    return subprocess.run(command, cwd=ROOT).returncode


def failures_in(junit: Path) -> Failures:
    """The failed tests of a JUnit report written with junit_family=xunit1; no report, none."""
    if not junit.exists():
        return Failures([], [])
    crashed, other = [], []
    for case in ET.parse(junit).iter("testcase"):
        problems = [p for p in case if p.tag in ("failure", "error")]
        if problems:
            text = " ".join(f"{p.get('message', '')} {p.text or ''}" for p in problems)
            crash = any(marker in text for marker in RENDERER_CRASHED)
            (crashed if crash else other).append(node_id(case))
    return Failures(crashed, other)


def node_id(case: ET.Element) -> str:
    """pytest's id of a <testcase>: its file, the classes in its classname past the module's
    dotted path, and its name."""
    path = case.get("file", "")
    module = path.removesuffix(".py").replace("/", ".")
    classes = case.get("classname", "").removeprefix(module).strip(".")
    return "::".join(part for part in (path, *classes.split("."), case.get("name", "")) if part)
