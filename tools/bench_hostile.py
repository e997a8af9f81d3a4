"""The hostile uploads' budgets of issue 15 for `build.py bench`: each file of the hostile
corpus (tests/hostile_corpus.py, the one tests/browser/test_hostile.py checks for behaviour)
through the page's upload form, on a page that has shown recommendations: the time to its
outcome (goal: within 2 s) and the longest main-thread task of its request (goal: 200 ms)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ONE_UPLOAD = (Path(__file__).parent / "bench-hostile.js").read_text()
SETTLE_MS = 200  # before each submit: the observer reports the file transfer's long tasks


def corpus() -> list[Any]:
    """The corpus's cases; it lives with the tests and imports their helpers as top-level."""
    tests = str(ROOT / "tests")
    if tests not in sys.path:
        sys.path.append(tests)
    from hostile_corpus import CASES

    return list(CASES)


def hostile_timings(page: Any, cases: list[Any] | None = None) -> dict[str, dict[str, Any]]:
    """Case name → {seconds, longest_task_ms, error} for each upload of `cases` (the corpus's
    by default), one after the other on `page`."""
    timings = {}
    for case in corpus() if cases is None else cases:
        page.set_input_files("#file-input", {"name": case.filename, "buffer": case.data,
                                             "mimeType": "application/octet-stream"})  # fmt: skip
        page.wait_for_timeout(SETTLE_MS)
        timings[case.name] = page.evaluate(ONE_UPLOAD)
    return timings
