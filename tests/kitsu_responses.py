"""Kitsu answers in the shapes of the recorded responses in ../shared/fixtures/apis/kitsu/, for
test_kitsu (scripted transport) and the browser tests (routed in Playwright).

The recorded files give the envelopes: a user (`youkai_user-42603.json`), a library page with
`include=anime.mappings` (`yamtrack_SYNTHETIC_…`), JSON:API error bodies (`go-kitsu_…`). Pages
for other lists are built in exactly that shape by `library_page`.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from helpers import FIXTURES

KITSU_FIXTURES = FIXTURES / "apis" / "kitsu"
RECORDED_LIBRARY = "yamtrack_SYNTHETIC_library-entries_include-anime-mappings.json"
RECORDED_PAGE = "go-kitsu_library-entries_filter-userId.json"  # links.next, no includes
NOT_FOUND = "go-kitsu_404_record-not-found.json"
FILTER_NOT_ALLOWED = "go-kitsu_400_filter-not-allowed.json"


@cache
def _recorded(name: str) -> str:
    return (KITSU_FIXTURES / name).read_text(encoding="utf-8")


def recorded(name: str) -> dict[str, Any]:
    """A fresh copy of a recorded answer."""
    return json.loads(_recorded(name))


def users_answer(slug: str | None, user_id: str = "42603") -> dict[str, Any]:
    """`GET /users?filter[slug]=…`: the recorded user renamed to `slug`, or no user (a 200 with
    `data: []`, which is how Kitsu answers an unknown name)."""
    if slug is None:
        return {"data": [], "meta": {"count": 0}, "links": {}}
    user = recorded("youkai_user-42603.json")["data"]
    user["id"] = user_id
    user["attributes"] = {"name": slug.title(), "slug": slug}  # sparse fields[users]=name,slug
    return {"data": [user], "meta": {"count": 1}, "links": {}}


def library_page(
    rows: list[tuple[int, int | None, str, int | None]], next_url: str | None = None
) -> dict[str, Any]:
    """A `library-entries` page with `include=anime.mappings`, shaped like the recorded one.
    `rows`: (Kitsu anime id, MyAnimeList id or None for no mapping, status, ratingTwenty)."""
    template = recorded(RECORDED_LIBRARY)
    entry_t, anime_t = template["data"][0], template["included"][0]
    mapping_t = template["included"][-1]
    data, included = [], []
    for n, (kitsu_id, mal_id, status, rating) in enumerate(rows):
        entry = copy.deepcopy(entry_t)
        entry["id"] = str(1_000_000 + kitsu_id)
        entry["attributes"].update(
            status=status, ratingTwenty=rating, progress=n % 13,
            rating=None if rating is None else f"{rating / 4:.1f}",
            updatedAt=f"2023-09-{1 + n % 28:02d}T12:00:00.000Z",
        )  # fmt: skip
        entry["relationships"]["anime"]["data"]["id"] = str(kitsu_id)
        data.append(entry)
        anime = copy.deepcopy(anime_t)
        anime["id"] = str(kitsu_id)
        anime["attributes"]["canonicalTitle"] = f"Kitsu anime {kitsu_id}"
        refs = [] if mal_id is None else [{"type": "mappings", "id": f"m{kitsu_id}"}]
        anime["relationships"]["mappings"]["data"] = refs
        included.append(anime)
        if mal_id is not None:
            mapping = copy.deepcopy(mapping_t)
            mapping["id"] = f"m{kitsu_id}"
            mapping["attributes"]["externalId"] = str(mal_id)
            included.append(mapping)
    return {"data": data, "included": included, "links": {"next": next_url} if next_url else {}}
