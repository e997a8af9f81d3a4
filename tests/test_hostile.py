"""The hostile corpus (`hostile_corpus`) in CPython: every file ends in its clear message or in
a profile, and the page's parse yields as it goes. The times bound a hang or a step that never
yields, at ten times the issue's budgets (2 s a case, 200 ms a task): the budgets themselves
are figures of `build.py bench`, measured in Chromium (tools/BENCH.md)."""

from __future__ import annotations

import time

import pytest
from animerec.parsers import ProfileParseError, profile_file_steps
from animerec.profile import Profile
from animerec.steps import collector_paused
from hostile_corpus import CASES, PROFILE, Case

HANG_S = 20.0  # a whole case: ten times the 2 s budget
STEP_S = 2.0  # one step between two yields: ten times the 200 ms task budget


def run_timed(case: Case) -> tuple[Profile | ProfileParseError, float, float]:
    """The outcome, the total time and the longest time between two yields, in this thread's
    CPU time (the machine running the tests may be busy with other work). The cyclic collector
    is paused, as the page's `steps.finish_async` pauses it."""
    with collector_paused():
        return _run_timed(case)


def _run_timed(case: Case) -> tuple[Profile | ProfileParseError, float, float]:
    steps = profile_file_steps(case.data, case.filename)
    longest, started = 0.0, time.thread_time()
    while True:
        step = time.thread_time()
        try:
            next(steps)
        except StopIteration as done:
            outcome = done.value
            break
        except ProfileParseError as err:
            outcome = err
            break
        finally:
            longest = max(longest, time.thread_time() - step)
    return outcome, time.thread_time() - started, longest


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_file_ends_clearly_and_quickly(case: Case) -> None:
    assert len(case.data) <= 10_500_000
    outcome, took, longest = run_timed(case)
    if case.expect == PROFILE:
        assert isinstance(outcome, Profile) and outcome.entries, outcome
        assert all(e.title is None or len(e.title) <= 300 for e in outcome.entries)
    else:
        assert isinstance(outcome, ProfileParseError), outcome
        assert case.expect in str(outcome)
        assert len(str(outcome)) < 400  # the message quotes nothing huge
    assert took < HANG_S, f"{took:.2f} s"
    assert longest < STEP_S, f"one step held the thread {longest * 1000:.0f} ms"
