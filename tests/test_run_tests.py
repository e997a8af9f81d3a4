"""`build.py test` runs failed tests again only when the run's report shows a renderer crash, and
at most RERUNS times."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tools.run_tests import RERUNS, renderer_crashed, with_reruns

FAILURE = '<testcase name="t"><failure message="{}">...</failure></testcase>'


def test_a_crash_in_the_report_is_seen(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    report.write_text(FAILURE.format("playwright Error: Page.is_hidden: Target crashed"))
    assert renderer_crashed(report)


def test_other_failures_and_no_report_are_not_crashes(tmp_path: Path) -> None:
    report = tmp_path / "report.xml"
    report.write_text(FAILURE.format("AssertionError: assert 3 == 4"))
    assert not renderer_crashed(report)
    assert not renderer_crashed(tmp_path / "missing.xml")


def recorded(codes: list[int]) -> tuple[list[list[str]], Callable[[list[str]], int]]:
    """A fake pytest that returns `codes` in turn, and the argument lists it was called with."""
    calls: list[list[str]] = []

    def run(extra: list[str]) -> int:
        calls.append(extra)
        return codes[len(calls) - 1]

    return calls, run


def test_crashes_rerun_the_failed_tests_until_they_pass_or_the_reruns_run_out() -> None:
    calls, run = recorded([1, 1, 0])
    assert with_reruns(["-x"], run, lambda: True) == 0
    assert calls == [["-x"], ["-x", "--last-failed"], ["-x", "--last-failed"]]
    calls, run = recorded([1] * (RERUNS + 2))
    assert with_reruns([], run, lambda: True) == 1
    assert len(calls) == RERUNS + 1


def test_a_failure_without_a_crash_or_a_pass_is_final() -> None:
    calls, run = recorded([1, 0])
    assert with_reruns([], run, lambda: False) == 1
    assert calls == [[]]
    calls, run = recorded([0, 1])
    assert with_reruns([], run, lambda: True) == 0
    assert len(calls) == 1
