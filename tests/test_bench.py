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
