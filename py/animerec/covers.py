"""Cover images for the titles a page shows: one batched AniList query per page of results,
transport-agnostic like `animerec.anilist`, and a small id → cover map the page keeps between
visits. The query carries the ids of the titles shown and nothing else."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .anilist import (
    ANILIST_URL,
    MEDIA_PAGE_SIZE,
    Request,
    RetryPolicy,
    Transport,
    _graphql,
    _page,
    send,
)
from .stored import stored_json
from .values import whole

COVER_ORIGIN = "https://s4.anilist.co/"  # AniList's image CDN: the only image host besides self
MAX_KEPT = 2000  # covers remembered between visits (about 200 kB of JSON)
MAX_URL = 500  # characters of a stored cover's address (AniList's are about 80)
NO_RETRY = RetryPolicy(max_retries=0, retry_429=False)  # covers are optional: never wait

COVERS_QUERY = """
query ($ids: [Int], $perPage: Int) {
  Page(page: 1, perPage: $perPage) {
    media(idMal_in: $ids, type: ANIME) { idMal coverImage { medium large color } }
  }
}
"""
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def build_covers_request(mal_ids: Sequence[int], api_url: str = ANILIST_URL) -> Request:
    """The covers of up to `MEDIA_PAGE_SIZE` titles, by MyAnimeList id."""
    if not 0 < len(mal_ids) <= MEDIA_PAGE_SIZE:
        raise ValueError(f"ask for 1–{MEDIA_PAGE_SIZE} ids at a time, not {len(mal_ids)}")
    ids = [int(i) for i in mal_ids]
    return _graphql(api_url, COVERS_QUERY, {"ids": ids, "perPage": MEDIA_PAGE_SIZE})


def read_covers(body: Mapping[str, Any], asked: Iterable[int]) -> dict[int, dict | None]:
    """{mal_id: {"url", "color"}} for every asked id; None for those AniList has no usable
    cover for (so they are not asked again). Only covers on AniList's CDN count."""
    found: dict[int, dict | None] = dict.fromkeys(asked)
    for media in _page(body).get("media") or []:
        if not isinstance(media, Mapping) or media.get("idMal") not in found:
            continue
        image = media.get("coverImage") or {}
        url = image.get("medium") or image.get("large")
        if isinstance(url, str) and url.startswith(COVER_ORIGIN):
            found[media["idMal"]] = {"url": url, "color": _color(image.get("color"))}
    return found


async def fetch_covers(
    mal_ids: Sequence[int], transport: Transport, *, api_url: str = ANILIST_URL
) -> dict[int, dict | None]:
    """One request for the covers of `mal_ids` (≤ `MEDIA_PAGE_SIZE`); raises `AniListError`
    subclasses on failure, without retrying."""
    body = await send(build_covers_request(mal_ids, api_url), transport, NO_RETRY)
    return read_covers(body, mal_ids)


class CoverCache:
    """Known covers by MyAnimeList id (None: AniList has none), newest last, at most MAX_KEPT."""

    def __init__(self, known: Mapping[int, dict | None] | None = None) -> None:
        self.known: dict[int, dict | None] = dict(known or {})

    @classmethod
    def from_json(cls, text: object) -> CoverCache:
        """The cache as the page stored it (localStorage: any value, `animerec.stored`): the
        entries that read as an id and a usable cover or None, the newest MAX_KEPT."""
        raw = stored_json(text)
        known: dict[int, dict | None] = {}
        for key, value in raw.items() if isinstance(raw, dict) else ():
            cover = _usable(value)
            if (mal_id := whole(key)) and (cover or value is None):
                known[mal_id] = cover
        return cls(dict(list(known.items())[-MAX_KEPT:]))

    def to_json(self) -> str:
        return json.dumps({str(k): v for k, v in self.known.items()})

    def missing(self, mal_ids: Iterable[int]) -> list[int]:
        """The ids whose covers are unknown, in order, at most one request's worth."""
        return [i for i in dict.fromkeys(mal_ids) if i not in self.known][:MEDIA_PAGE_SIZE]

    def add(self, covers: Mapping[int, dict | None]) -> None:
        for mal_id, cover in covers.items():
            self.known.pop(mal_id, None)
            self.known[mal_id] = cover
        for old in list(self.known)[: max(0, len(self.known) - MAX_KEPT)]:
            del self.known[old]

    def get(self, mal_id: int) -> dict | None:
        return self.known.get(mal_id)


def _usable(cover: object) -> dict | None:
    """A stored cover as `read_covers` makes one, or None where it is not one."""
    if not isinstance(cover, dict):
        return None
    url = cover.get("url")
    if not isinstance(url, str) or not url.startswith(COVER_ORIGIN) or len(url) > MAX_URL:
        return None
    return {"url": url, "color": _color(cover.get("color"))}


def _color(value: object) -> str | None:
    return value if isinstance(value, str) and _COLOR.fullmatch(value) else None
