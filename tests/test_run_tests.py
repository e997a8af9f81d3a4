"""`build.py test` runs failed tests again only when the run's report shows a renderer crash."""

from __future__ import annotations

from pathlib import Path

from tools.run_tests import renderer_crashed

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
