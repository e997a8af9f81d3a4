"""Profile files and API payloads → `Profile`. Every failure is a `ProfileParseError` with a
message fit to show the visitor as it is."""

from __future__ import annotations

import codecs
import datetime as _dt
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Generator, Iterable, Mapping
from typing import Any

from . import safe_json
from .errors import ProfileParseError
from .profile import Entry, Profile, Status, clamp_score
from .steps import finish, finish_async
from .values import as_dict, number, shown, text, whole

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
MAX_XML_DEPTH = 16  # a MyAnimeList export is 3 levels deep
CHUNK = 1 << 16  # bytes unpacked (×16) between two chances to yield
XML_CHUNK = 1 << 11  # bytes fed to the XML parser at a time: at most ~700 elements deep before
# the depth check sees them (Pyodide's stack overflows freeing ~6,000 nested elements: fatal)
ENTRIES_PER_STEP = 1000  # JSON entries read between two chances to yield
MAX_ANILIST_LISTS = 1000  # a user has six status lists and a few custom ones
GZIP_MAGIC = b"\x1f\x8b"
EXPORT_AGAIN = "Export the list from MyAnimeList again."  # what a visitor can do about a bad file
_NON_SPACE = re.compile(rb"[^ \t\r\n]")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))  # fmt: skip
_ENTITY = tuple("<!ENTITY".encode(c) for c in ("utf-8", "utf-16-le", "utf-16-be"))

# A parse is a generator of steps (`animerec.steps`): it yields between pieces of work (each a
# few ms) and returns the Profile. `parse_profile_file_async` gives the event loop a turn between
# steps, so the page's main thread stays free while a large file is read.
Steps = Generator[None, None, Profile]


def parse_profile_file(data: bytes, filename: str = "") -> Profile:
    """Sniff an uploaded file (XML, gzipped XML, list-API JSON, AniList JSON) and parse it."""
    return finish(profile_file_steps(data, filename))


async def parse_profile_file_async(data: bytes, filename: str = "") -> Profile:
    """`parse_profile_file`, giving the event loop turns while it works."""
    return await finish_async(profile_file_steps(data, filename))


def profile_file_steps(data: bytes, filename: str = "") -> Steps:
    name = filename or "The file"
    if data[:2] == GZIP_MAGIC:
        data = yield from _gunzip(data, name)
        if data[:2] == GZIP_MAGIC:
            raise ProfileParseError(
                f"{name} is a .gz archive inside another .gz archive; unpack it once and "
                "upload what comes out."
            )
    head = _head(data)
    if head == "<":
        return (yield from mal_xml_steps(data))
    if head in ("{", "["):
        obj = yield from safe_json.load_steps(data, "The JSON")
        yield
        return (yield from json_profile_steps(obj))
    if not head:
        raise ProfileParseError("The file is empty.")
    raise ProfileParseError(
        "This is not a MyAnimeList export (.xml or .xml.gz) or a list JSON file."
    )


def _head(data: bytes) -> str:
    """The first character after any byte-order mark and white space ("" when there is none)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) : len(bom) + 400].decode(codec, "ignore").lstrip()[:1]
    first = _NON_SPACE.search(data)
    return "" if first is None else chr(data[first.start()])


def _gunzip(data: bytes, name: str) -> Generator[None, None, bytes]:
    """The first gzip member of `data`, refusing to unpack more than MAX_UNPACKED_BYTES."""
    unpacker = zlib.decompressobj(wbits=31)
    parts, size, tail = [], 0, data
    while tail and not unpacker.eof:
        try:
            part = unpacker.decompress(tail, 16 * CHUNK)
        except zlib.error as err:
            raise ProfileParseError(f"{name} is a damaged .gz archive.") from err
        tail = unpacker.unconsumed_tail
        size += len(part)
        if size > MAX_UNPACKED_BYTES:
            raise ProfileParseError(
                f"{name} unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB; "
                "a list export is far smaller."
            )
        parts.append(part)
        yield
    if not unpacker.eof:
        raise ProfileParseError(f"{name} is a damaged .gz archive.")
    return b"".join(parts)


def parse_json_profile(obj: Any) -> Profile:
    """A JSON document: AniList `MediaListCollection` or the old MAL list API."""
    return finish(json_profile_steps(obj))


def json_profile_steps(obj: Any) -> Steps:
    if isinstance(obj, Mapping) and ("data" in obj or "errors" in obj):
        return (yield from anilist_steps(obj))
    if isinstance(obj, Mapping) and "myanimelist" in obj:
        return (yield from malappinfo_steps(obj))
    raise ProfileParseError(
        "This JSON is neither an AniList list nor a MyAnimeList list-API document."
    )


def parse_mal_xml(data: bytes | str) -> Profile:
    """A MyAnimeList XML export (either header variant; gzip handled by `parse_profile_file`)."""
    return finish(mal_xml_steps(data.encode() if isinstance(data, str) else data))


def mal_xml_steps(data: bytes) -> Steps:
    """Read in small chunks by a pull parser: each `<anime>` becomes an entry as soon as it
    closes and is then dropped, and nesting deeper than an export's is refused at once. Entity
    declarations (which can expand a small file into gigabytes) are refused unread: an export
    has none."""
    if any(marker in data for marker in _ENTITY):
        raise ProfileParseError(
            "This XML declares entities (<!ENTITY …>); a MyAnimeList export has none, so it "
            "is not read."
        )
    reader = _XmlReader()
    parser = ET.XMLPullParser(events=("start", "end"))
    try:
        for offset in range(0, len(data), XML_CHUNK):
            parser.feed(data[offset : offset + XML_CHUNK])
            reader.read(parser.read_events())
            yield
        parser.close()
        reader.read(parser.read_events())
    except (ET.ParseError, LookupError) as err:  # LookupError: an encoding Python lacks
        raise ProfileParseError(
            f"The XML is broken or cut short ({text(str(err), 200)}). {EXPORT_AGAIN}"
        ) from err
    if reader.root is None:
        raise ProfileParseError("The XML has no elements.")
    return _nonempty(Profile(reader.entries, source="mal-xml", username=reader.username))


class _XmlReader:
    """What `mal_xml_steps` keeps between chunks: depth, the user's name, the entries."""

    def __init__(self) -> None:
        self.depth = 0
        self.root: ET.Element | None = None
        self.username: str | None = None
        self.entries: list[Entry] = []

    def read(self, events: Iterable[tuple[str, Any]]) -> None:
        for event, node in events:
            if event == "start":
                self.start(node)
                continue
            self.depth -= 1
            if self.depth == 1 and self.root is not None:
                self.child(node)
                self.root.clear()  # a finished child of the root is not needed again

    def start(self, node: ET.Element) -> None:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise ProfileParseError(
                f"The XML is nested more than {MAX_XML_DEPTH} levels deep; a MyAnimeList "
                "export has 3."
            )
        if self.root is None:
            if node.tag != "myanimelist":
                raise ProfileParseError(
                    f"The XML root is <{text(node.tag, 40)}>, not <myanimelist>: this is not a "
                    "MyAnimeList export."
                )
            self.root = node

    def child(self, node: ET.Element) -> None:
        if node.tag == "myinfo":
            self.username = _text(node, "user_name")
            if _text(node, "user_export_type") not in (None, "1"):
                raise ProfileParseError(
                    "This is a manga list export; animerec needs the anime list."
                )
        elif node.tag == "anime":
            self.entries.append(_mal_entry(
                _text(node, "series_animedb_id"), _text(node, "my_status"),
                _text(node, "my_score"), _text(node, "my_watched_episodes"), None,
                _text(node, "series_title"),
            ))  # fmt: skip


def parse_malappinfo_json(obj: Mapping[str, Any]) -> Profile:
    """The old MAL list API as JSON: `myanimelist.anime[]` with numeric `my_status`."""
    return finish(malappinfo_steps(obj))


def malappinfo_steps(obj: Mapping[str, Any]) -> Steps:
    mal = obj.get("myanimelist")
    if not isinstance(mal, Mapping):
        raise ProfileParseError("The JSON has no `myanimelist` object.")
    raw = mal.get("anime") or []
    if isinstance(raw, Mapping):  # XML→JSON converters collapse one-element lists
        raw = [raw]
    if not isinstance(raw, list):
        raise ProfileParseError("`myanimelist.anime` is not a list.")
    entries = []
    for n, a in enumerate(raw):
        if isinstance(a, Mapping):
            entries.append(_mal_entry(
                a.get("series_animedb_id"), a.get("my_status"), a.get("my_score"),
                a.get("my_watched_episodes"), a.get("my_last_updated"), a.get("series_title"),
                a.get("series_image"),
            ))  # fmt: skip
        if n % ENTRIES_PER_STEP == 0:
            yield
    username = text(as_dict(mal.get("myinfo")).get("user_name"), 40)
    return _nonempty(Profile(entries, source="mal-json", username=username))


def parse_anilist_collection(
    obj: Mapping[str, Any],
    id_map: Mapping[int, int] | None = None,
    username: str | None = None,
) -> Profile:
    """An AniList GraphQL `MediaListCollection` response.

    AniList ids become MyAnimeList ids through `media.idMal`, else through `id_map`
    (AniList id → MAL id, e.g. the catalog's); entries with neither, or malformed, are counted
    in `unmapped`. Custom lists repeat entries of the status lists (or hold ones hidden from
    them): each entry carries its own status, and `Profile` keeps one per title.
    """
    return finish(anilist_steps(obj, id_map, username))


def anilist_steps(
    obj: Mapping[str, Any],
    id_map: Mapping[int, int] | None = None,
    username: str | None = None,
) -> Steps:
    errors, data = obj.get("errors"), obj.get("data")
    if errors and not data:
        first = errors[0] if isinstance(errors, list) and errors else errors
        msg = first.get("message", "unknown error") if isinstance(first, Mapping) else first
        raise ProfileParseError(f"AniList returned an error: {text(str(msg), 200)}.")
    collection = as_dict(data).get("MediaListCollection")
    if not isinstance(collection, Mapping) or "lists" not in collection:
        raise ProfileParseError("The AniList response has no MediaListCollection.lists.")
    lists = collection["lists"] or []
    if not isinstance(lists, list):
        raise ProfileParseError("The AniList response's lists are not a list.")
    if len(lists) > MAX_ANILIST_LISTS:
        raise ProfileParseError(
            f"The AniList response holds {len(lists):,} lists, far more than the status and "
            "custom lists of any AniList user: it is not AniList's."
        )
    entries: list[Entry] = []
    unmapped = read = 0
    for lst in lists:
        raw = as_dict(lst).get("entries")
        for e in raw if isinstance(raw, list) else []:
            entry = _anilist_entry(e, as_dict(lst).get("status"), id_map or {})
            if entry is None:
                unmapped += 1
            else:
                entries.append(entry)
            read += 1
            if read % ENTRIES_PER_STEP == 0:
                yield
        read += 1  # a list counts as an entry read: millions of empty lists take time too
        if read % ENTRIES_PER_STEP == 0:
            yield
    profile = Profile(entries, source="anilist", username=username, unmapped=unmapped)
    if not profile.entries and unmapped:
        raise ProfileParseError(
            f"Not one of the {unmapped} entries on this AniList list has a MyAnimeList id, so "
            "the model knows none of them. Upload a MyAnimeList export instead."
        )
    return _nonempty(profile)


def _anilist_entry(e: Any, list_status: Any, id_map: Mapping[int, int]) -> Entry | None:
    if not isinstance(e, Mapping):
        return None
    media = as_dict(e.get("media"))
    mal_id = whole(media.get("idMal"))
    if mal_id is None:
        mal_id = id_map.get(whole(e.get("mediaId")) or whole(media.get("id")) or 0)
    status = _ANILIST_STATUS.get(text(e.get("status")) or text(list_status) or "")
    if mal_id is None or status is None:
        return None
    title, cover = as_dict(media.get("title")), as_dict(media.get("coverImage"))
    return Entry(
        mal_id=mal_id,
        status=status,
        score=clamp_score(number(e.get("score"))),
        episodes_watched=whole(e.get("progress")) or 0,
        updated_at=whole(e.get("updatedAt")),
        title=text(title.get("romaji")) or text(title.get("english")),
        cover_url=_url(cover.get("large")) or _url(cover.get("medium")),
    )


def profile_from_rating_rows(rows: Iterable[Mapping[str, str]], user: str | None = None) -> Profile:
    """One user's rows of a training CSV, in either format of `shared/data/ratings`:
    `anime_id,rating` (-1 = listed, unscored; no status, so completed) or
    `anime_id,score,status,watched_episodes` (score 0 = unscored)."""
    entries = []
    for row in rows:
        status = _CSV_STATUS.get(row.get("status") or "completed")
        if status is None:
            raise ProfileParseError(
                f"The ratings row of title {shown(row.get('anime_id'))} has "
                f"{_status_named(row.get('status'))}."
            )
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
    st = _MAL_TEXT_STATUS.get(str(status or "").strip().lower()) if isinstance(
        status, str | int | None) else None  # fmt: skip
    if st is None:
        raise ProfileParseError(
            f"{_entry_named(mal_id)} has {_status_named(status)}, where a MyAnimeList export "
            f"has one of Watching, Completed, On-Hold, Dropped or Plan to Watch. {EXPORT_AGAIN}"
        )
    return Entry(
        mal_id=_int(mal_id, "series_animedb_id"),
        status=st,
        score=clamp_score(_num(score)),
        episodes_watched=_int(episodes or 0, "my_watched_episodes"),
        updated_at=parse_timestamp(updated),
        title=text(title),
        cover_url=_url(cover),
    )


def _entry_named(mal_id: Any) -> str:
    """An entry, for a message: by its id when it has a usable one."""
    number_ = whole(mal_id.strip() if isinstance(mal_id, str) else mal_id)
    return f"The entry for title {number_}" if number_ else "An entry without a title id"


def _status_named(status: Any) -> str:
    if status is None or (isinstance(status, str) and not status.strip()):
        return "no status"
    if isinstance(status, str | int) and not isinstance(status, bool):
        return f"the unknown status {shown(status)}"
    return f"a status of the wrong kind ({shown(status)})"


def _nonempty(profile: Profile) -> Profile:
    if not profile.entries:
        raise ProfileParseError("The list is empty: there is nothing to recommend from.")
    return profile


def _text(node: ET.Element | None, tag: str) -> str | None:
    child = node.find(tag) if node is not None else None
    return child.text.strip() if child is not None and child.text else None


def _int(value: Any, field: str) -> int:
    number_ = whole(value.strip() if isinstance(value, str) else value)
    if number_ is None and value not in (0, "0"):
        raise ProfileParseError(
            f"`{field}` should be a whole number, but one is {shown(value)}. {EXPORT_AGAIN}"
        )
    return number_ or 0


def _num(value: Any) -> float | None:
    if value is None or value == "":
        return None
    result = number(value)
    if result is None:
        raise ProfileParseError(
            f"A score should be a number, but one is {shown(value)}. {EXPORT_AGAIN}"
        )
    return result


def _url(value: Any) -> str | None:
    """An https address of reasonable length, else None."""
    url = text(value, 2000)
    return url if url and url.startswith("https://") and len(url) < 2000 else None


def parse_timestamp(value: Any) -> int | None:
    """Unix seconds from digits or an ISO 8601 date (`2016-09-06T06:23:05.771Z`), else None."""
    if isinstance(value, int | str) and whole(value) is not None:
        return whole(value)
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        return int(_dt.datetime.fromisoformat(value).timestamp())
    except (ValueError, OverflowError, OSError):
        return None
