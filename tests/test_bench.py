"""tools/bench.py: which failures count as a renderer crash, and so re-run the bench's run."""

from __future__ import annotations

from tools import bench


def crash_seen_by_visit() -> RuntimeError:
    try:
        try:
            raise RuntimeError("Page.evaluate: Target crashed ")  # Playwright's words
        except RuntimeError as err:
            raise RuntimeError("no recommendations: page says …") from err
    except RuntimeError as err:
        return err


def test_a_crashed_renderer_is_told_from_other_failures() -> None:
    assert bench._renderer_crashed(RuntimeError("Page.evaluate: Target crashed "))
    assert bench._renderer_crashed(crash_seen_by_visit())  # visit() wraps what it saw
    assert not bench._renderer_crashed(TimeoutError("Timeout 120000ms exceeded."))
    assert not bench._renderer_crashed(RuntimeError("no recommendations: page says ['Error']"))


def test_targets_are_met_in_their_direction() -> None:
    assert bench.figure([0.95, 0.8, 0.92], "lighthouse_mobile_score")["met"]  # ≥ 0.9
    assert not bench.figure([0.85], "lighthouse_mobile_score")["met"]
    assert not bench.figure([120.0, 260.0, 250.0], "lighthouse_mobile_tbt_ms")["met"]  # ≤ 200
    assert bench.figure([1.4], "hostile_outcome_max_s")["target"] == "<= 2"
    assert "met" not in bench.figure([3.0], "boot_ms")  # a figure without a goal


def test_every_goal_has_a_row_in_the_table() -> None:
    assert set(bench.TARGETS) <= {name for name, _, _ in bench.ROWS}


def test_the_longest_task_counts_only_those_that_started_in_the_window() -> None:
    tasks = [[10.0, 400.0], [120.0, 80.0], [300.0, 60.0], [500.0, 900.0]]
    assert bench.longest(tasks, 100.0, 500.0) == 80.0  # first paint at 100, submit at 500
    assert bench.longest(tasks, 500.0, 2000.0) == 900.0
    assert bench.longest(tasks, 600.0, 2000.0) == 0.0  # none over 50 ms
