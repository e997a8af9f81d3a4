"""Property-based tests (Hypothesis) of every reader of visitor input: whatever bytes, JSON or
API answer comes in, the result is a well-formed `Profile` (or page) or the reader's own
visitor-facing error, never another exception; and the JSON depth check refuses exactly the
documents nested deeper than its limit."""

from __future__ import annotations

import json
import math

import pytest
from animerec import anilist, kitsu, safe_json
from animerec.http_api import ApiError, Response
from animerec.parsers import (
    ProfileParseError,
    parse_anilist_collection,
    parse_json_profile,
    parse_mal_xml,
    parse_malappinfo_json,
    parse_profile_file,
)
from animerec.profile import Entry, Profile, Status
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TAGS = ("myanimelist", "myinfo", "user_name", "user_export_type", "anime", "series_animedb_id",
        "series_title", "my_status", "my_score", "my_watched_episodes", "x")  # fmt: skip
KEYS = ("data", "errors", "MediaListCollection", "lists", "entries", "status", "score", "media",
        "idMal", "mediaId", "id", "title", "romaji", "coverImage", "large", "progress",
        "updatedAt", "myanimelist", "anime", "myinfo", "user_name", "series_animedb_id",
        "my_status", "my_score", "series_title", "series_image", "message", "attributes",
        "relationships", "included", "type", "mappings", "externalSite", "externalId",
        "ratingTwenty", "canonicalTitle", "links", "next")  # fmt: skip
LEAVES = (
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats()
    | st.sampled_from(["COMPLETED", "REPEATING", "completed", "current", "Completed", "2",
                       "myanimelist/anime", "anime", "mappings", "1", "8.5", "NaN", "",
                       "https://s4.anilist.co/x.jpg", "2023-09-01T12:00:00.000Z"])
    | st.text(max_size=20)
)  # fmt: skip
JSON = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=5)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=6),
    max_leaves=40,
)


def well_formed(profile: Profile) -> None:
    assert profile.entries
    for e in profile.entries:
        assert isinstance(e, Entry) and isinstance(e.status, Status)
        assert isinstance(e.mal_id, int) and e.mal_id >= 0
        assert e.score is None or (1 <= e.score <= 10 and math.isfinite(e.score))
        assert isinstance(e.episodes_watched, int) and e.episodes_watched >= 0
        assert e.updated_at is None or isinstance(e.updated_at, int)
        assert e.title is None or (isinstance(e.title, str) and len(e.title) <= 300)
        assert e.cover_url is None or e.cover_url.startswith("https://")


def reads_or_refuses(read, *args, errors=(ProfileParseError,)) -> None:
    try:
        result = read(*args)
    except errors as err:
        assert str(err) and len(str(err)) < 500
        return
    if isinstance(result, Profile):
        well_formed(result)


@st.composite
def xml_documents(draw) -> bytes:
    def element(depth: int) -> str:
        tag = draw(st.sampled_from(TAGS))
        if depth > 3 or draw(st.booleans()):
            body = draw(st.text(max_size=12).map(lambda t: t.replace("<", "&lt;")
                                                  .replace("&", "&amp;")))  # fmt: skip
        else:
            body = "".join(element(depth + 1) for _ in range(draw(st.integers(0, 4))))
        return f"<{tag}>{body}</{tag}>"

    return element(0).encode(draw(st.sampled_from(["utf-8", "utf-16"])))


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes(data: bytes) -> None:
    reads_or_refuses(parse_profile_file, data, "x.xml")


@SETTINGS
@given(xml_documents())
def test_xml_documents(data: bytes) -> None:
    reads_or_refuses(parse_profile_file, data, "x.xml")
    reads_or_refuses(parse_mal_xml, data)


@SETTINGS
@given(JSON)
def test_json_documents(obj) -> None:
    reads_or_refuses(parse_json_profile, obj)
    reads_or_refuses(parse_profile_file, json.dumps(obj).encode(), "x.json")
    if isinstance(obj, dict):
        reads_or_refuses(parse_anilist_collection, obj)
        reads_or_refuses(parse_malappinfo_json, obj)


@SETTINGS
@given(st.lists(JSON, max_size=6), st.sampled_from(["COMPLETED", None, 7]))
def test_anilist_shaped(entries, status) -> None:
    body = {"data": {"MediaListCollection": {"lists": [{"status": status, "entries": entries}]}}}
    reads_or_refuses(parse_anilist_collection, body, {1: 2})


@SETTINGS
@given(st.lists(JSON, max_size=6), JSON)
def test_kitsu_pages(data, included) -> None:
    def read(body):
        entries, unmapped = kitsu.parse_library_page(body, {1: 2})
        assert unmapped == len(data) - len(entries)
        if entries:
            well_formed(Profile(entries))

    reads_or_refuses(read, {"data": data, "included": included})


@SETTINGS
@given(st.integers(100, 599), st.text(max_size=60) | JSON.map(json.dumps),
       st.dictionaries(st.sampled_from(["retry-after", "x-ratelimit-reset"]), st.text(max_size=12)))
def test_api_answers(status, text, headers) -> None:  # fmt: skip
    response = Response(status, text, headers)
    reads_or_refuses(kitsu.read_response, response, 0.0, errors=(ApiError, ProfileParseError))
    reads_or_refuses(lambda r: anilist.read_response(r, username="x", now=0.0), response,
                     errors=(ApiError, ProfileParseError))  # fmt: skip


def nest(depth: int, shape: list[int], text: str) -> object:
    """A value `depth` containers deep; `shape` picks list or object and adds siblings."""
    value: object = text
    for level in range(depth):
        pick = shape[level % len(shape)]
        siblings = [[], {}, "]}[{", 1] if pick & 2 else []
        value = [*siblings, value] if pick & 1 else {"k]": value, "s": siblings}
    return value


def containers_deep(value: object) -> int:
    if isinstance(value, list):
        return 1 + max(map(containers_deep, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(containers_deep, value.values()), default=0)
    return 0


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 130), st.lists(st.integers(0, 3), min_size=1, max_size=8),
       st.text(alphabet='[]{}"\\ab', max_size=8))
def test_depth_check_is_exact(depth, shape, text) -> None:  # fmt: skip
    """Containers nested `depth` deep, brackets and quotes inside strings, siblings between
    levels: refused exactly when deeper than MAX_DEPTH, else decoded as json would."""
    value = nest(depth, shape, text)
    document = json.dumps(value)
    if containers_deep(value) > safe_json.MAX_DEPTH:
        with pytest.raises(ProfileParseError, match="nested more than"):
            safe_json.loads(document)
    else:
        assert safe_json.loads(document) == json.loads(document)
