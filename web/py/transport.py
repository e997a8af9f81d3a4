"""The page's AniList transport: `animerec.anilist` requests sent with the browser's fetch."""

from __future__ import annotations

import asyncio

import bridge
from animerec.http_api import Request, Response, TransportError, TransportTimeout
from pyodide.ffi import JsException
from pyodide.http import pyfetch

TIMEOUT_S = 20.0
TEST_TIMEOUT_HOOK = "animerecAniListTimeoutS"  # a test's init script may set a shorter one


def timeout_s() -> float:
    """TIMEOUT_S, or a shorter timeout set on the page's `globalThis` before it loaded (tests
    wait seconds, not 20, for a server that never answers). It can only shorten the wait."""
    override = bridge.hook(TEST_TIMEOUT_HOOK)
    if isinstance(override, int | float) and 0 < override < TIMEOUT_S:
        return float(override)
    return TIMEOUT_S


async def pyfetch_transport(request: Request) -> Response:
    """One HTTP exchange; network failures become `TransportError`, any status a `Response`."""
    timeout = timeout_s()
    try:
        async with asyncio.timeout(timeout):
            response = await pyfetch(
                request.url, method=request.method, headers=dict(request.headers),
                body=request.body,
            )  # fmt: skip
            text = await response.text()
    except TimeoutError as err:
        raise TransportTimeout(f"no answer from {request.url} in {timeout:.0f} s") from err
    except (OSError, JsException) as err:
        raise TransportError(str(err)) from err
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Response(response.status, text, headers)
