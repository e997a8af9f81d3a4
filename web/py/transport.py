"""The page's AniList transport: `animerec.anilist` requests sent with the browser's fetch."""

from __future__ import annotations

import asyncio

from animerec.anilist import Request, Response, TransportError, TransportTimeout
from pyodide.ffi import JsException
from pyodide.http import pyfetch

TIMEOUT_S = 20.0


async def pyfetch_transport(request: Request) -> Response:
    """One HTTP exchange; network failures become `TransportError`, any status a `Response`."""
    try:
        async with asyncio.timeout(TIMEOUT_S):
            response = await pyfetch(
                request.url, method=request.method, headers=dict(request.headers),
                body=request.body,
            )  # fmt: skip
            text = await response.text()
    except TimeoutError as err:
        raise TransportTimeout(f"no answer from {request.url} in {TIMEOUT_S:.0f} s") from err
    except (OSError, JsException) as err:
        raise TransportError(str(err)) from err
    headers = {name.lower(): value for name, value in response.headers.items()}
    return Response(response.status, text, headers)
