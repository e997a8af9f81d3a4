"""An in-process `Transport` that answers from a script, for the API clients' tests."""

from __future__ import annotations

import json

from animerec.http_api import Request, Response, RetryPolicy


class ScriptedTransport:
    """Answers each request with the next scripted `Response` (or raises it)."""

    def __init__(self, *answers: Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[Request] = []

    async def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def ok(body, status: int = 200, headers: dict | None = None) -> Response:
    return Response(status, json.dumps(body), headers or {})


def policy(waits: list[float], **kw) -> RetryPolicy:
    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    return RetryPolicy(sleep=sleep, clock=lambda: 1_000.0, **kw)
