"""What the profile API clients (`anilist`, `kitsu`) share: the request/response shapes, the
`Transport` the caller passes in (pyfetch on the page, urllib in the collector), the errors every
site can give, and the retry loop. Stdlib only, so it runs unchanged in Pyodide.

Every `ApiError` has a message fit to show the visitor as it is; `site` names the list site in it.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import re
import time
from collections.abc import Awaitable, Callable, Generator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from . import safe_json, values
from .errors import ProfileParseError
from .steps import finish, finish_async

DEFAULT_RETRY_AFTER = 60.0  # seconds, when a 429 names no wait


@dataclass(frozen=True, slots=True)
class Request:
    url: str
    body: str | None = None  # None: no body (a GET)
    method: str = "GET"
    headers: Mapping[str, str] = field(default_factory=lambda: {"Accept": "application/json"})


@dataclass(frozen=True, slots=True)
class Decoded:
    """What `safe_json` made of an answer's text: its JSON, or why there is none."""

    value: Any = None
    error: ProfileParseError | None = None


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    text: str
    headers: Mapping[str, str] = field(default_factory=dict)  # names lower-cased
    decoded: Decoded | None = None  # filled in by `send`, which decodes in steps


class Transport(Protocol):
    """Sends one request. Raises `TransportTimeout` when the site did not answer in time and
    `TransportError` when it could not be reached at all; any HTTP status is a `Response`."""

    async def __call__(self, request: Request) -> Response: ...


class TransportError(OSError):
    """The network failed before an HTTP answer came (offline, DNS, refused, CORS)."""


class TransportTimeout(TransportError):
    """The site took longer than the transport's time limit."""


class ApiError(Exception):
    """Anything that stops a fetch; `str(err)` is the visitor-facing explanation."""


class UserNotFound(ApiError):
    def __init__(self, name: str, site: str) -> None:
        self.username = name
        super().__init__(f"{site} has no user called “{name}”. Check the spelling.")


class RateLimited(ApiError):
    def __init__(self, retry_after: float, site: str) -> None:
        self.retry_after = retry_after
        super().__init__(
            f"{site} is limiting how often it can be asked. Try again in {round(retry_after)} s."
        )


class ServerError(ApiError):
    def __init__(self, status: int, site: str) -> None:
        self.status = status
        super().__init__(f"{site} is having trouble (HTTP {status}). Try again in a minute.")


class Offline(ApiError):
    def __init__(self, site: str) -> None:
        super().__init__(f"{site} could not be reached. Check your connection and try again.")


class Timeout(ApiError):
    def __init__(self, site: str) -> None:
        super().__init__(f"{site} took too long to answer. Try again in a minute.")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When to ask again. The page keeps the defaults (one retry, showing the wait through
    `on_wait`); the collector passes its own `sleep` and more patience."""

    max_retries: int = 1  # per request, for 429s and 5xx together
    retry_429: bool = True
    max_wait: float = 120.0  # a longer Retry-After is not waited out: RateLimited at once
    backoff: float = 2.0  # seconds before the first 5xx retry, doubling after
    sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
    on_wait: Callable[[float], Any] | None = None  # told each wait before it starts
    clock: Callable[[], float] = time.time  # for X-RateLimit-Reset


DEFAULT_RETRY = RetryPolicy()

Reader = Callable[[Response, float], dict[str, Any]]  # (response, now) → body, or raises


async def send(
    request: Request, transport: Transport, read: Reader, retry: RetryPolicy, site: str
) -> dict[str, Any]:
    """Send `request` and return what `read` makes of the answer, retrying `RateLimited` (after
    its wait) and `ServerError` (after backoff) as `retry` allows."""
    attempt = 0
    while True:
        try:
            response = await transport(request)
        except TransportTimeout as err:
            raise Timeout(site) from err
        except TransportError as err:
            raise Offline(site) from err
        response = replace(response, decoded=await finish_async(decode_steps(response, site)))
        try:
            return read(response, retry.clock())
        except RateLimited as err:
            if not retry.retry_429 or err.retry_after > retry.max_wait:
                raise
            wait, error = err.retry_after, err
        except ServerError as err:
            wait, error = retry.backoff * 2**attempt, err
        if attempt >= retry.max_retries:
            raise error
        attempt += 1
        if retry.on_wait is not None:
            retry.on_wait(wait)
        await retry.sleep(wait)


class InvalidUsername(ApiError):
    """What the visitor typed is not a username of the site; the message says what one is."""


def typed_username(text: str, profile_url: re.Pattern[str], name_rule: re.Pattern[str],
                   refusal: str) -> str:  # fmt: skip
    """The username in what the visitor typed: a bare name (a leading @ dropped) or the name in
    a profile address that `profile_url` matches (its group 1). A name `name_rule` does not
    match raises `InvalidUsername` with `refusal` (its `{name}` filled in, cut to 40 characters:
    a pasted megabyte is not quoted back)."""
    text = text.strip()
    match = profile_url.match(text)
    name = match.group(1) if match else text.strip("@")
    if not name_rule.fullmatch(name):
        raise InvalidUsername(refusal.format(name=values.text(name or text, 40) or text))
    return name


def check_status(response: Response, site: str, now: float | None = None) -> None:
    """Raise `RateLimited` for a 429 and `ServerError` for a 5xx; other statuses pass."""
    if response.status == 429:
        raise RateLimited(retry_after(response.headers, time.time() if now is None else now), site)
    if response.status >= 500:
        raise ServerError(response.status, site)


def decode_steps(response: Response, site: str) -> Generator[None, None, Decoded]:
    """The answer's JSON, decoded in steps (a list answer can be megabytes)."""
    try:
        return Decoded((yield from safe_json.load_steps(response.text, f"{site}'s answer")))
    except ProfileParseError as err:
        return Decoded(error=err)


def decode_object(response: Response, site: str) -> dict[str, Any]:
    """The response's JSON object (decoded now unless `send` did). A 200 that is not one is a
    `ProfileParseError`; another status without JSON is an `ApiError` naming it. JSON refused
    unread (too deep, too large) says so."""
    decoded = response.decoded or finish(decode_steps(response, site))
    err, body = decoded.error, decoded.value
    if isinstance(err, safe_json.JsonRefused):
        raise err
    if err is not None:
        if response.status == 200:
            raise ProfileParseError(f"{site} answered with something that is not JSON.") from err
        raise ApiError(f"{site} answered HTTP {response.status}.") from err
    if not isinstance(body, dict):
        raise ProfileParseError(f"{site} answered with JSON that is not an object.")
    return body


def retry_after(headers: Mapping[str, str], now: float) -> float:
    """Seconds to wait after a 429: `Retry-After` (seconds or HTTP date), else
    `X-RateLimit-Reset` (unix time), else `DEFAULT_RETRY_AFTER`."""
    value = (headers.get("retry-after") or "").strip()
    if value:
        try:
            return _seconds(float(value))
        except ValueError:
            try:
                return _seconds(email.utils.parsedate_to_datetime(value).timestamp() - now)
            except (TypeError, ValueError):
                pass
    reset = (headers.get("x-ratelimit-reset") or "").strip()
    try:
        return _seconds(float(reset) - now) if reset else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER


def _seconds(value: float) -> float:
    """A wait from a header: never negative; NaN or infinity (a hostile header) is refused."""
    if not math.isfinite(value):
        raise ValueError(f"not a wait: {value}")
    return max(0.0, value)
