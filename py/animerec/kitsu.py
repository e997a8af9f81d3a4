"""Kitsu JSON:API client shared by the page (Pyodide, `pyfetch` underneath) and any CPython
caller (urllib underneath), like `anilist`: only the protocol lives here, the HTTP call is the
caller's `Transport`, and the errors and retry rules are `http_api`'s.

A profile takes one request for the user (`filter[slug]`: the unique name in the profile's
address) and one per 500 library entries, following `links.next`. Each entry includes its anime's
`mappings`; the MyAnimeList one gives the id, else the caller's Kitsu → MyAnimeList map does.
Kitsu answers any origin (CORS `*`), and a GET without `Content-Type` needs no preflight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from .http_api import (
    DEFAULT_RETRY,
    ApiError,
    Request,
    Response,
    RetryPolicy,
    Transport,
    UserNotFound,
    check_status,
    decode_object,
    send,
    typed_username,
)
from .parsers import ProfileParseError, parse_timestamp
from .profile import Entry, Profile, Status, clamp_score
from .values import as_dict, number, text, whole

SITE = "Kitsu"
KITSU_API = "https://kitsu.app/api/edge"
PAGE_LIMIT = 500  # Kitsu's largest `page[limit]`; a larger one is a 400
MAX_PAGES = 40  # 20,000 entries: paging stops here even if `links.next` never ends
HEADERS = {"Accept": "application/vnd.api+json"}  # CORS-safelisted: no preflight
MAL_SITE = "myanimelist/anime"
LIBRARY_FIELDS = {
    "filter[kind]": "anime",
    "include": "anime.mappings",
    "fields[libraryEntries]": "status,progress,ratingTwenty,updatedAt,anime",
    "fields[anime]": "canonicalTitle,mappings",
    "fields[mappings]": "externalSite,externalId",
    "page[limit]": str(PAGE_LIMIT),
}
_STATUS = {
    "current": Status.WATCHING,
    "planned": Status.PLAN_TO_WATCH,
    "completed": Status.COMPLETED,
    "on_hold": Status.ON_HOLD,
    "dropped": Status.DROPPED,
}
_SLUG = re.compile(r"[A-Za-z0-9_]{3,20}")
NOT_A_USERNAME = (
    "“{name}” is not a Kitsu username: use the 3–20 letters, digits or underscores of your "
    "profile's address (or paste your kitsu.app/users/… address)."
)
_PROFILE_URL = re.compile(
    r"(?:https?://)?(?:www\.)?kitsu\.(?:app|io)/users/([^/?#\s]+)", re.IGNORECASE
)


class EmptyLibrary(ApiError):
    def __init__(self, name: str) -> None:
        self.username = name
        super().__init__(
            f"{name}'s Kitsu library has no anime anyone else can see: it is empty, or its "
            "entries are private or NSFW. Add a few titles, or upload a list export instead."
        )


def normalize_username(text: str) -> str:
    """The profile name in what the visitor typed: a bare name or a profile address."""
    return typed_username(text, _PROFILE_URL, _SLUG, NOT_A_USERNAME)


def user_request(name: str, api_url: str = KITSU_API) -> Request:
    """The user whose profile address ends in `name` (case-insensitive, unique)."""
    slug = quote(normalize_username(name), safe="")
    return Request(f"{api_url}/users?filter[slug]={slug}&fields[users]=name,slug", None, "GET",
                   HEADERS)  # fmt: skip


def library_request(user_id: str, api_url: str = KITSU_API) -> Request:
    """The first page of a user's anime library, each entry with its anime's mappings."""
    query = urlencode({"filter[userId]": user_id, **LIBRARY_FIELDS}, safe="[],.")
    return Request(f"{api_url}/library-entries?{query}", None, "GET", HEADERS)


async def fetch_profile(
    username: str,
    transport: Transport,
    *,
    api_url: str = KITSU_API,
    id_map: Mapping[int, int] | None = None,
    retry: RetryPolicy = DEFAULT_RETRY,
    max_pages: int = MAX_PAGES,
) -> Profile:
    """A user's Kitsu anime library as a `Profile` (MyAnimeList ids from the mappings, else
    through `id_map`: Kitsu anime id → MyAnimeList id). Raises `ApiError` subclasses or
    `ProfileParseError`."""
    name = normalize_username(username)
    user = await send(user_request(name, api_url), transport, read_response, retry, SITE)
    user_id, slug = _user(user, name)
    entries: list[Entry] = []
    unmapped = 0
    url: str | None = library_request(user_id, api_url).url
    seen: set[str] = set()
    while url is not None and url not in seen and len(seen) < max_pages:
        seen.add(url)
        page = await send(Request(url, None, "GET", HEADERS), transport, read_response, retry,
                          SITE)  # fmt: skip
        got, missed = parse_library_page(page, id_map)
        entries += got
        unmapped += missed
        url = _next_url(page, api_url)
    if not entries and not unmapped:
        raise EmptyLibrary(slug)
    if not entries:
        raise ProfileParseError(
            f"Not one of the {unmapped} entries in {slug}'s Kitsu library has a MyAnimeList "
            "id, so the model knows none of them. Upload a MyAnimeList export instead."
        )
    return Profile(entries, source="kitsu", username=slug, unmapped=unmapped)


def read_response(response: Response, now: float) -> dict[str, Any]:
    """The decoded body of a usable answer; otherwise the matching `ApiError` (JSON:API puts
    what went wrong in `errors[].title` and `.detail`)."""
    check_status(response, SITE, now)
    body = decode_object(response, SITE)
    errors = body.get("errors")
    if response.status == 200 and not errors:
        return body
    texts = [_error_text(e) for e in errors if isinstance(e, Mapping)] if isinstance(
        errors, list) else []  # fmt: skip
    detail = "; ".join(t for t in texts if t) or f"HTTP {response.status}"
    raise ApiError(f"Kitsu refused the request: {detail}.")


def parse_library_page(
    body: Mapping[str, Any], id_map: Mapping[int, int] | None = None
) -> tuple[list[Entry], int]:
    """One `library-entries` page → its entries, and how many had no MyAnimeList id or an
    unknown status. Malformed entries count as unmapped; a page that is not a list is an error."""
    data = body.get("data")
    if not isinstance(data, list):
        raise ProfileParseError("Kitsu's answer has no list of library entries.")
    if len(data) > PAGE_LIMIT:
        raise ProfileParseError(
            f"Kitsu sent {len(data):,} library entries in one page; it sends at most "
            f"{PAGE_LIMIT}, so this answer is not Kitsu's."
        )
    included = _included(body.get("included"))
    entries: list[Entry] = []
    for raw in data:
        entry = _entry(raw, included, id_map or {})
        if entry is not None:
            entries.append(entry)
    return entries, len(data) - len(entries)


def _user(body: Mapping[str, Any], name: str) -> tuple[str, str]:
    """The user's id and profile name from a `users?filter[slug]=` answer."""
    users = body.get("data")
    if not isinstance(users, list):
        raise ProfileParseError("Kitsu's answer about the user has no list of users.")
    if not users:
        raise UserNotFound(name, SITE)
    user = users[0] if isinstance(users[0], Mapping) else {}
    user_id = whole(user.get("id"))
    if user_id is None:
        raise ProfileParseError("Kitsu's answer about the user has no user id.")
    slug = as_dict(user.get("attributes")).get("slug")
    return str(user_id), slug if isinstance(slug, str) and _SLUG.fullmatch(slug) else name


def _next_url(body: Mapping[str, Any], api_url: str) -> str | None:
    """`links.next`, if it is another page of the same endpoint (never another host)."""
    link = as_dict(body.get("links")).get("next")
    if isinstance(link, str) and link.startswith(f"{api_url}/library-entries?"):
        return link
    return None


def _included(items: Any) -> dict[tuple[str, str], Mapping[str, Any]]:
    """The `included` resources by (type, id)."""
    if not isinstance(items, list):
        return {}
    return {
        (str(item.get("type")), str(item.get("id"))): item
        for item in items
        if isinstance(item, Mapping)
    }


def _entry(
    raw: Any, included: Mapping[tuple[str, str], Mapping[str, Any]], id_map: Mapping[int, int]
) -> Entry | None:
    """One library entry, or None when it has no usable status or MyAnimeList id."""
    if not isinstance(raw, Mapping):
        return None
    attrs = as_dict(raw.get("attributes"))
    status = _STATUS.get(attrs.get("status")) if isinstance(attrs.get("status"), str) else None
    ref = as_dict(as_dict(as_dict(raw.get("relationships")).get("anime")).get("data"))
    anime = included.get(("anime", str(ref.get("id"))), {})
    mal_id = _mal_id(anime, included) or id_map.get(whole(ref.get("id")) or 0)
    if status is None or not mal_id:
        return None
    rating = number(attrs.get("ratingTwenty"))
    return Entry(
        mal_id=mal_id,
        status=status,
        score=clamp_score(rating / 2 if rating is not None else None),
        episodes_watched=whole(attrs.get("progress")) or 0,
        updated_at=parse_timestamp(attrs.get("updatedAt")),
        title=text(as_dict(anime.get("attributes")).get("canonicalTitle")),
    )


def _mal_id(anime: Mapping[str, Any], included: Mapping[tuple[str, str], Any]) -> int | None:
    """The MyAnimeList id among the anime's included mappings."""
    refs = as_dict(as_dict(anime.get("relationships")).get("mappings")).get("data")
    for ref in refs if isinstance(refs, list) else []:
        mapping = included.get(("mappings", str(as_dict(ref).get("id"))), {})
        attrs = as_dict(mapping.get("attributes"))
        if attrs.get("externalSite") == MAL_SITE:
            mal_id = whole(attrs.get("externalId"))
            if mal_id:
                return mal_id
    return None


def _error_text(error: Mapping[str, Any]) -> str:
    parts = [error.get("title"), error.get("detail")]
    return ": ".join(str(p) for p in parts if isinstance(p, str) and p)
