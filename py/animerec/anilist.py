"""AniList GraphQL client shared by the page (Pyodide, `pyfetch` underneath) and the collector
(CPython, urllib underneath).

Only the protocol lives here: queries, request shape, how AniList's answers map to errors. The
HTTP call itself is a `Transport` the caller passes in, and the retry rules and the errors every
site shares are in `http_api`, so this module needs nothing beyond the stdlib and runs unchanged
in the browser. Every `AniListError` has a message fit to show the visitor as it is.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from .http_api import (
    DEFAULT_RETRY,
    DEFAULT_RETRY_AFTER,
    ApiError,
    RateLimited,
    Request,
    Response,
    RetryPolicy,
    Transport,
    UserNotFound,
    check_status,
    decode_object,
    typed_username,
)
from .http_api import send as send_with
from .parsers import ProfileParseError, anilist_steps
from .profile import Profile
from .steps import collector_paused, finish_async

SITE = "AniList"
ANILIST_URL = "https://graphql.anilist.co"
MEDIA_PAGE_SIZE = 50  # AniList's largest `perPage`
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}

LIST_QUERY = """
query ($name: String) {
  MediaListCollection(userName: $name, type: ANIME) {
    user { name }
    lists {
      status
      entries {
        mediaId status score(format: POINT_10_DECIMAL) progress updatedAt
        media { id idMal title { romaji english } coverImage { medium large } }
      }
    }
  }
}
"""

MEDIA_QUERY = """
query ($ids: [Int], $perPage: Int) {
  Page(page: 1, perPage: $perPage) {
    media(idMal_in: $ids, type: ANIME) {
      id idMal title { romaji english } format startDate { year month } season seasonYear
      episodes genres popularity coverImage { medium large }
      relations { edges { relationType node { id idMal type } } }
    }
  }
}
"""

USERS_QUERY = """
query ($page: Int, $perPage: Int) {
  Page(page: $page, perPage: $perPage) {
    pageInfo { hasNextPage }
    users(sort: WATCHED_TIME_DESC) { name }
  }
}
"""

_USERNAME = re.compile(r"[A-Za-z0-9_]{2,20}")
NOT_A_USERNAME = (
    "“{name}” is not an AniList username: use 2–20 letters, digits or underscores (or paste "
    "your anilist.co/user/… address)."
)
_PROFILE_URL = re.compile(r"(?:https?://)?(?:www\.)?anilist\.co/user/([^/?#\s]+)", re.IGNORECASE)


AniListError = ApiError  # the name the page and the collector catch


class PrivateList(AniListError):
    def __init__(self, name: str) -> None:
        self.username = name
        super().__init__(
            f"{name}'s AniList profile or anime list is private. Make it public in AniList's "
            "settings, or upload a list export instead."
        )


def normalize_username(text: str) -> str:
    """The username in what the visitor typed: a bare name or a profile address."""
    return typed_username(text, _PROFILE_URL, _USERNAME, NOT_A_USERNAME)


def build_request(username: str, api_url: str = ANILIST_URL) -> Request:
    """The `MediaListCollection` request for one user's anime list."""
    return _graphql(api_url, LIST_QUERY, {"name": normalize_username(username)})


def build_media_request(mal_ids: Sequence[int], api_url: str = ANILIST_URL) -> Request:
    """Metadata (dates, format, genres, cover, relations) for up to `MEDIA_PAGE_SIZE` titles."""
    if not 0 < len(mal_ids) <= MEDIA_PAGE_SIZE:
        raise ValueError(f"ask for 1–{MEDIA_PAGE_SIZE} ids at a time, not {len(mal_ids)}")
    ids = [int(i) for i in mal_ids]
    return _graphql(api_url, MEDIA_QUERY, {"ids": ids, "perPage": MEDIA_PAGE_SIZE})


def build_users_request(page: int, api_url: str = ANILIST_URL, per_page: int = 50) -> Request:
    """One page of users, most watched first: the collector's source of names to fetch."""
    return _graphql(api_url, USERS_QUERY, {"page": page, "perPage": per_page})


async def fetch_profile(
    username: str,
    transport: Transport,
    *,
    api_url: str = ANILIST_URL,
    id_map: Mapping[int, int] | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> Profile:
    """A user's AniList anime list as a `Profile` (MyAnimeList ids; `id_map` maps AniList ids
    for entries that lack one). Raises `AniListError` subclasses or `ProfileParseError`."""
    name = normalize_username(username)
    with collector_paused():  # from the answer's decoding until it is dropped (steps.py)
        body = await send(build_request(name, api_url), transport, retry, username=name)
        collection = (body.get("data") or {}).get("MediaListCollection") or {}
        canonical = (collection.get("user") or {}).get("name") or name
        return await finish_async(anilist_steps(body, id_map, canonical))


async def fetch_media(
    mal_ids: Sequence[int],
    transport: Transport,
    *,
    api_url: str = ANILIST_URL,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> list[dict[str, Any]]:
    """AniList's `Media` objects for up to `MEDIA_PAGE_SIZE` MyAnimeList ids, as AniList sends
    them (ids it does not know are simply missing)."""
    body = await send(build_media_request(mal_ids, api_url), transport, retry)
    return list(_page(body).get("media") or [])


async def fetch_user_names(
    page: int,
    transport: Transport,
    *,
    api_url: str = ANILIST_URL,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> tuple[list[str], bool]:
    """The user names on one page of `build_users_request`, and whether a next page exists."""
    body = await send(build_users_request(page, api_url), transport, retry)
    data = _page(body)
    names = [u["name"] for u in data.get("users") or [] if u and u.get("name")]
    return names, bool((data.get("pageInfo") or {}).get("hasNextPage"))


async def send(
    request: Request,
    transport: Transport,
    retry: RetryPolicy = DEFAULT_RETRY,
    *,
    username: str | None = None,
) -> dict[str, Any]:
    """Send `request`, retrying 429s (after Retry-After) and 5xx (after backoff) as `retry`
    allows, and return the decoded body. `username` names the user in not-found errors."""

    def read(response: Response, now: float) -> dict[str, Any]:
        return read_response(response, username=username, now=now)

    return await send_with(request, transport, read, retry, SITE)


def read_response(
    response: Response, *, username: str | None = None, now: float | None = None
) -> dict[str, Any]:
    """The decoded body of a usable answer; otherwise the matching `AniListError`.

    AniList reports a missing user as HTTP 404 with `errors[].message` "User not found" and a
    private one as 404 "Private User"; both come with `data: {MediaListCollection: null}`.
    Some proxies answer 200 with the same `errors`, so the body decides, not only the status.
    """
    check_status(response, SITE, time.time() if now is None else now)
    body = decode_object(response, SITE)
    raw_errors = body.get("errors")
    if isinstance(raw_errors, list):
        errors = [e for e in raw_errors if isinstance(e, Mapping)]
    else:  # a malformed "errors" still says the request failed, without saying why
        errors = [{}] if raw_errors else []
    data = body.get("data")
    if not errors and response.status == 200:
        return body
    messages = [str(e.get("message") or "") for e in errors]
    text = " ".join(messages).lower()
    if "private" in text:
        raise PrivateList(username or "This user")
    if any(e.get("status") == 429 for e in errors) or "too many requests" in text:
        raise RateLimited(DEFAULT_RETRY_AFTER, SITE)
    if username is not None and "not found" in text:
        raise UserNotFound(username, SITE)
    if response.status == 200 and isinstance(data, Mapping) and any(data.values()):
        return body  # partial data with warnings: use what came
    detail = "; ".join(m for m in messages if m) or f"HTTP {response.status}"
    raise AniListError(f"AniList refused the request: {detail}.")


def _graphql(api_url: str, query: str, variables: Mapping[str, Any]) -> Request:
    body = json.dumps({"query": query, "variables": dict(variables)})
    return Request(api_url, body, "POST", JSON_HEADERS)


def _page(body: Mapping[str, Any]) -> Mapping[str, Any]:
    page = (body.get("data") or {}).get("Page")
    if not isinstance(page, Mapping):
        raise ProfileParseError("The AniList response has no Page.")
    return page
