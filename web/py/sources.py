"""The profile sources as plain functions of what the visitor gave (a name, a file's bytes,
ratings): no `js` import, so CPython tests call them as the page does. A fourth source is one
more function here, one more `<form class="source" data-source=KIND>` in index.html, and one
more entry in `web/py/main.py`'s `Page.loaders`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from animerec import anilist, kitsu
from animerec.http_api import RetryPolicy, Transport
from animerec.parsers import ProfileParseError, parse_profile_file_async
from animerec.profile import Entry, Profile, Status

MAX_UPLOAD_BYTES = 50_000_000  # refused before reading: the largest real export is a few MB


async def from_anilist(
    name: str,
    transport: Transport,
    id_map: Mapping[int, int],
    retry: RetryPolicy,
) -> Profile:
    """An AniList user's list (by name or profile address)."""
    return await anilist.fetch_profile(name, transport, id_map=id_map, retry=retry)


async def from_kitsu(
    name: str, transport: Transport, id_map: Mapping[int, int], retry: RetryPolicy
) -> Profile:
    """A Kitsu user's library (by profile name, as in the profile's address); MyAnimeList ids
    come from the library's own mappings, else through `id_map` (Kitsu id → MyAnimeList id)."""
    return await kitsu.fetch_profile(name, transport, id_map=id_map, retry=retry)


async def from_file(name: str, size: int, read: Callable[[], Awaitable[bytes]]) -> Profile:
    """An uploaded export or list JSON; files over MAX_UPLOAD_BYTES are refused unread."""
    if size > MAX_UPLOAD_BYTES:
        raise ProfileParseError(
            f"{name} is {size / 1e6:.0f} MB; a list export is far smaller, so "
            f"this page reads files of up to {MAX_UPLOAD_BYTES / 1e6:.0f} MB only."
        )
    return await parse_profile_file_async(await read(), name)


def from_ratings(ratings: Mapping[int, int]) -> Profile:
    """The titles rated on the page, as completed entries."""
    if not ratings:
        raise ProfileParseError("Search for a title and add at least one score first.")
    return Profile([Entry(i, Status.COMPLETED, s) for i, s in ratings.items()], source="manual")


def describe(profile: Profile) -> str:
    """How the folded "Your list: …" bar names the list."""
    if profile.username:
        return profile.username
    kinds = {"manual": "the titles you rated", "mal-xml": "your MyAnimeList export",
             "mal-json": "your list file"}  # fmt: skip
    return kinds.get(profile.source, "your list")
