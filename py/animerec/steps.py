"""Long work as a generator of steps: it yields between pieces of work (each a few ms) and returns
its result. `finish` runs one to the end at once (CPython, tests, the converter);
`finish_async` gives the event loop a turn whenever a time slice has passed, so that on the page
the browser's main thread is never held for long by a large file or answer (issue 15: no task
over 200 ms).
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")
Steps = Generator[None, None, T]
SLICE_S = 0.04  # work between two turns of the event loop: well under a 50 ms "long task"


def finish(steps: Steps[T]) -> T:
    """Run `steps` to the end and return its result."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


async def finish_async(steps: Steps[T], slice_s: float = SLICE_S) -> T:
    """Run `steps` to the end, giving the event loop a turn whenever `slice_s` has passed, with
    the cyclic collector paused (`collector_paused`)."""
    with collector_paused():
        started = time.perf_counter()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                return done.value
            if time.perf_counter() - started > slice_s:
                await asyncio.sleep(0)
                started = time.perf_counter()


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside. Long work builds large acyclic structures (a decoded
    document: millions of containers for a hostile one), and a collection in the middle walks
    every one of them in one go, far over a step's time. Reference counting frees them when
    they are dropped, which the work does before it ends, so little is left to collect after.
    Nested uses keep it paused until the outermost ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
