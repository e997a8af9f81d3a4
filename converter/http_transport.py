"""The collector's `Transport`: urllib in a worker thread, so the shared async client in
`animerec.anilist` runs unchanged under CPython."""

from __future__ import annotations

import asyncio
import http.client
import urllib.error
import urllib.request

from animerec.http_api import Request, Response, TransportError, TransportTimeout

USER_AGENT = "animerec-collector/0.1 (+https://github.com/animerec)"


class UrllibTransport:
    """Any HTTP status comes back as a `Response`; only network failures raise."""

    def __init__(self, timeout: float = 30.0) -> None:
        self.timeout = timeout

    async def __call__(self, request: Request) -> Response:
        return await asyncio.to_thread(self._send, request)

    def _send(self, request: Request) -> Response:
        req = urllib.request.Request(
            request.url,
            data=None if request.body is None else request.body.encode(),
            method=request.method,
            headers={**request.headers, "User-Agent": USER_AGENT},
        )
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return _response(resp.status, resp.read(), resp.headers)
        except urllib.error.HTTPError as err:
            with err:
                return _response(err.code, err.read(), err.headers)
        except TimeoutError as err:
            raise TransportTimeout(f"no answer in {self.timeout:g} s") from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, TimeoutError):
                raise TransportTimeout(f"no answer in {self.timeout:g} s") from err
            raise TransportError(str(err.reason)) from err
        except (OSError, http.client.HTTPException) as err:
            raise TransportError(str(err) or type(err).__name__) from err


def _response(status: int, body: bytes, headers) -> Response:
    lowered = {k.lower(): v for k, v in headers.items()} if headers else {}
    return Response(status, body.decode("utf-8", "replace"), lowered)
