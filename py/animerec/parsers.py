"""Profile files and API payloads → `Profile`. Every failure is a `ProfileParseError` with a
message fit to show the visitor as it is."""

from __future__ import annotations

import datetime as _dt
import json
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable, Mapping
from typing import Any

from .profile import Entry, Profile, Status, clamp_score

_MAL_TEXT_STATUS = {
    "watching": Status.WATCHING,
    "completed": Status.COMPLETED,
    "on-hold": Status.ON_HOLD,
    "on hold": Status.ON_HOLD,
    "dropped": Status.DROPPED,
    "plan to watch": Status.PLAN_TO_WATCH,
    # Numeric codes of the old list API and of some exports.
    "1": Status.WATCHING,
    "2": Status.COMPLETED,
    "3": Status.ON_HOLD,
    "4": Status.DROPPED,
    "6": Status.PLAN_TO_WATCH,
}
_ANILIST_STATUS = {
    "CURRENT": Status.WATCHING,
    "REPEATING": Status.COMPLETED,  # rewatching: finished once, as MyAnimeList counts it
    "COMPLETED": Status.COMPLETED,
    "PAUSED": Status.ON_HOLD,
    "DROPPED": Status.DROPPED,
    "PLANNING": Status.PLAN_TO_WATCH,
}
_CSV_STATUS = {s.value: s for s in Status}
MAX_UNPACKED_BYTES = 100_000_000  # a .gz bomb stops here, not in an out-of-memory browser tab


class ProfileParseError(ValueError):
    """The input is not a profile we can read; `str(err)` is the visitor-facing explanation."""


def _gunzip(data: bytes, name: str) -> bytes:
    """The first gzip member of `data`, refusing to unpack more than MAX_UNPACKED_BYTES."""
    unpacker = zlib.decompressobj(wbits=31)
    try:
        out = unpacker.decompress(data, MAX_UNPACKED_BYTES)
    except zlib.error as err:
        raise ProfileParseError(f"{name} is a damaged .gz archive.") from err
    if unpacker.unconsumed_tail:
        raise ProfileParseError(
            f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB; "
            "a list export is far smaller."
        )
    if not unpacker.eof:
        raise ProfileParseError(f"{name} is a damaged .gz archive.")
    return out


def parse_profile_file(data: bytes, filename: str = "") -> Profile:
    """Sniff an uploaded file (XML, gzipped XML, list-API JSON, AniList JSON) and parse it."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, filename or "The file")
    head = data.lstrip()[:1]
    if head == b"<":
        return parse_mal_xml(data)
    if head in (b"{", b"["):
        try:
            obj = json.loads(data)
        except (ValueError, UnicodeDecodeError) as err:
            raise ProfileParseError(f"The JSON is malformed: {err}.") from err
        return parse_json_profile(obj)
    if not data.strip():
        raise ProfileParseError("The file is empty.")
    raise ProfileParseError(
        "This is not a MyAnimeList export (.xml or .xml.gz) or a list JSON file."
    )


def parse_json_profile(obj: Any) -> Profile:
    """A JSON document: AniList `MediaListCollection` or the old MAL list API."""
    if isinstance(obj, Mapping) and ("data" in obj or "errors" in obj):
        return parse_anilist_collection(obj)
    if isinstance(obj, Mapping) and "myanimelist" in obj:
        return parse_malappinfo_json(obj)
    raise ProfileParseError(
        "This JSON is neither an AniList list nor a MyAnimeList list-API document."
    )


def parse_mal_xml(data: bytes | str) -> Profile:
    """A MyAnimeList XML export (either header variant; gzip handled by `parse_profile_file`)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as err:
        raise ProfileParseError(
            f"The XML is broken or cut short ({err}). Export the list from MyAnimeList again."
        ) from err
    if root.tag != "myanimelist":
        raise ProfileParseError(
            f"The XML root is <{root.tag}>, not <myanimelist>: this is not a MyAnimeList export."
        )
    info = root.find("myinfo")
    username = _text(info, "user_name") if info is not None else None
    if info is not None and _text(info, "user_export_type") not in (None, "1"):
        raise ProfileParseError("This is a manga list export; animerec needs the anime list.")
    entries = [
        _mal_entry(
            _text(node, "series_animedb_id"),
            _text(node, "my_status"),
            _text(node, "my_score"),
            _text(node, "my_watched_episodes"),
            None,
            _text(node, "series_title"),
        )
        for node in root.iter("anime")
    ]
    return _nonempty(Profile(entries, source="mal-xml", username=username))


def parse_malappinfo_json(obj: Mapping[str, Any]) -> Profile:
    """The old MAL list API as JSON: `myanimelist.anime[]` with numeric `my_status`."""
    mal = obj.get("myanimelist")
    if not isinstance(mal, Mapping):
        raise ProfileParseError("The JSON has no `myanimelist` object.")
    raw = mal.get("anime") or []
    if isinstance(raw, Mapping):  # XML→JSON converters collapse one-element lists
        raw = [raw]
    if not isinstance(raw, list):
        raise ProfileParseError("`myanimelist.anime` is not a list.")
    info = mal.get("myinfo") if isinstance(mal.get("myinfo"), Mapping) else {}
    entries = [
        _mal_entry(
            a.get("series_animedb_id"),
            a.get("my_status"),
            a.get("my_score"),
            a.get("my_watched_episodes"),
            a.get("my_last_updated"),
            a.get("series_title"),
            a.get("series_image"),
        )
        for a in raw
        if isinstance(a, Mapping)
    ]
    return _nonempty(Profile(entries, source="mal-json", username=info.get("user_name")))


def parse_anilist_collection(
    obj: Mapping[str, Any],
    id_map: Mapping[int, int] | None = None,
    username: str | None = None,
) -> Profile:
    """An AniList GraphQL `MediaListCollection` response.

    AniList ids become MyAnimeList ids through `media.idMal`, else through `id_map`
    (AniList id → MAL id, e.g. the catalog's); entries with neither are counted in `unmapped`.
    """
    if obj.get("errors") and not obj.get("data"):
        first = obj["errors"][0] if isinstance(obj["errors"], list) else {}
        msg = first.get("message", "unknown error") if isinstance(first, Mapping) else first
        raise ProfileParseError(f"AniList returned an error: {msg}.")
    try:
        lists = obj["data"]["MediaListCollection"]["lists"]
    except (KeyError, TypeError) as err:
        raise ProfileParseError("The AniList response has no MediaListCollection.lists.") from err
    if lists is None:
        lists = []
    entries: list[Entry] = []
    unmapped = 0
    for lst in lists:
        for e in (lst or {}).get("entries") or []:
            media = e.get("media") or {}
            mal_id = media.get("idMal")
            if mal_id is None and id_map is not None:
                ani_id = e.get("mediaId") or media.get("id")
                mal_id = id_map.get(int(ani_id)) if ani_id is not None else None
            status = _ANILIST_STATUS.get(str(e.get("status") or lst.get("status") or ""))
            if mal_id is None or status is None:
                unmapped += 1
                continue
            title = media.get("title") or {}
            cover = media.get("coverImage") or {}
            entries.append(
                Entry(
                    mal_id=_int(mal_id, "idMal"),
                    status=status,
                    score=clamp_score(e.get("score")),
                    episodes_watched=_int(e.get("progress") or 0, "progress"),
                    updated_at=e.get("updatedAt") or None,
                    title=title.get("romaji") or title.get("english"),
                    cover_url=cover.get("large") or cover.get("medium"),
                )
            )
    profile = Profile(entries, source="anilist", username=username, unmapped=unmapped)
    if not profile.entries and unmapped:
        raise ProfileParseError(
            f"None of the {unmapped} entries on this AniList list has a MyAnimeList id."
        )
    return _nonempty(profile)


def profile_from_rating_rows(rows: Iterable[Mapping[str, str]], user: str | None = None) -> Profile:
    """One user's rows of a training CSV, in either format of `shared/data/ratings`:
    `anime_id,rating` (-1 = listed, unscored; no status, so completed) or
    `anime_id,score,status,watched_episodes` (score 0 = unscored)."""
    entries = []
    for row in rows:
        status = _CSV_STATUS.get(row.get("status") or "completed")
        if status is None:
            raise ProfileParseError(f"Unknown status {row.get('status')!r} in ratings row {row}.")
        entries.append(
            Entry(
                mal_id=_int(row["anime_id"], "anime_id"),
                status=status,
                score=clamp_score(row.get("score", row.get("rating"))),
                episodes_watched=_int(row.get("watched_episodes") or 0, "watched_episodes"),
            )
        )
    return Profile(entries, source="csv", username=user)


def _mal_entry(mal_id, status, score, episodes, updated, title, cover=None) -> Entry:
    st = _MAL_TEXT_STATUS.get(str(status or "").strip().lower())
    if st is None:
        raise ProfileParseError(f"Entry {mal_id} has an unknown status {status!r}.")
    return Entry(
        mal_id=_int(mal_id, "series_animedb_id"),
        status=st,
        score=clamp_score(_num(score)),
        episodes_watched=_int(episodes or 0, "my_watched_episodes"),
        updated_at=parse_timestamp(updated),
        title=title or None,
        cover_url=cover or None,
    )


def _nonempty(profile: Profile) -> Profile:
    if not profile.entries:
        raise ProfileParseError("The list is empty: there is nothing to recommend from.")
    return profile


def _text(node: ET.Element | None, tag: str) -> str | None:
    child = node.find(tag) if node is not None else None
    return child.text.strip() if child is not None and child.text else None


def _int(value: Any, field: str) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError) as err:
        raise ProfileParseError(f"`{field}` should be a whole number, got {value!r}.") from err


def _num(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise ProfileParseError(f"A score should be a number, got {value!r}.") from err


def parse_timestamp(value: Any) -> int | None:
    """Unix seconds from digits or an ISO 8601 date (`2016-09-06T06:23:05.771Z`), else None."""
    if value in (None, "", "0"):
        return None
    text = str(value)
    if text.isdigit():
        return int(text)
    try:
        return int(_dt.datetime.fromisoformat(text).timestamp())
    except ValueError:
        return None
