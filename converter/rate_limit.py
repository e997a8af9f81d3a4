"""Pacing for AniList: at most `per_minute` requests in any minute, spread evenly.

A minimum interval (a token bucket of one token) rather than a bucket that allows bursts:
AniList counts a burst against the same minute, and an even pace never trips its limiter.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

from animerec.http_api import Request, Response, Transport


class MinInterval:
    """`wait()` returns no sooner than 60/per_minute seconds after the previous return, so any
    window of 60 s holds at most `per_minute` requests (n requests span ≥ (n-1)·interval)."""

    def __init__(
        self,
        per_minute: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        if per_minute <= 0:
            raise ValueError("the rate must be positive")
        self.interval = 60.0 / per_minute
        self._clock, self._sleep = clock, sleep
        self._next = float("-inf")

    async def wait(self) -> None:
        delay = self._next - self._clock()
        if delay > 0:
            await self._sleep(delay)
        self._next = max(self._clock(), self._next) + self.interval


def throttled(transport: Transport, limiter: MinInterval) -> Transport:
    """`transport`, with every request (retries included) paced by `limiter`."""

    async def send(request: Request) -> Response:
        await limiter.wait()
        return await transport(request)

    return send
