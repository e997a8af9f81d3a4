"""Hostile profile files, generated (never committed): one or more cases per class of attack a
visitor could upload, each up to 10 MB, with what the page must end in. Used by test_hostile
(CPython) and browser/test_hostile (the same bytes through the page's upload form).

`expect` is a fragment of the visitor-facing error, or PROFILE when the file is a list that
must be read (its recommendations, or the message that the model knows none of its titles).
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from helpers import FIXTURES

PROFILE = ""  # no error: a profile comes out
MB = 1_000_000
REAL_XML = FIXTURES / "mal-export-xinil-evanalxen.xml"


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    make: Callable[[], bytes]
    expect: str  # an error fragment, or PROFILE

    @property
    def data(self) -> bytes:
        return _data(self)


@cache
def _data(case: Case) -> bytes:
    return case.make()


def _real_xml() -> bytes:
    return REAL_XML.read_bytes()


def _xml_entries(n: int, title: str = "T") -> bytes:
    rows = (
        f"<anime><series_animedb_id>{1 + i % 40_000}</series_animedb_id><series_title>{title}"
        f"</series_title><my_status>Completed</my_status><my_score>{1 + i % 10}</my_score>"
        "</anime>"
        for i in range(n)
    )
    return ("<myanimelist>" + "".join(rows) + "</myanimelist>").encode()


def _malapp(anime: list[dict]) -> bytes:
    return json.dumps({"myanimelist": {"myinfo": {"user_name": "x"}, "anime": anime}}).encode()


def _anilist(entries: list, lists_value=None) -> bytes:
    lists = [{"status": "COMPLETED", "entries": entries}] if lists_value is None else lists_value
    return json.dumps({"data": {"MediaListCollection": {"user": {"name": "x"},
                                                        "lists": lists}}}).encode()  # fmt: skip


def _anilist_entry(i: int) -> dict:
    return {"mediaId": i, "status": "COMPLETED", "score": 1 + i % 10, "progress": 1,
            "updatedAt": 1_700_000_000 + i,
            "media": {"id": i, "idMal": 1 + i % 40_000, "title": {"romaji": f"T{i}"}}}  # fmt: skip


LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    + b"]><myanimelist><anime><series_title>&lol9;</series_title></anime></myanimelist>"
)
EXTERNAL = (
    b'<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    b"<myanimelist><anime><series_animedb_id>1</series_animedb_id><series_title>&x;"
    b"</series_title><my_status>Completed</my_status></anime></myanimelist>"
)
BAD_UTF8 = b"\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1"

CASES: tuple[Case, ...] = (
    # extreme nesting
    Case("json-deep-arrays", "list.json", lambda: b"[" * (10 * MB), "nested more than"),
    Case("json-deep-objects", "list.json", lambda: b'{"a":' * (3 * MB // 2) + b"1"
         + b"}" * (3 * MB // 2), "nested more than"),
    Case("json-deep-in-anilist", "list.json", lambda: _anilist([{"media": json.loads(
        "[" * 500 + "]" * 500)}]), "nested more than"),
    Case("xml-deep", "list.xml", lambda: b"<myanimelist>" + b"<a>" * (3 * MB), "nested more than"),
    Case("xml-deep-other-root", "list.xml", lambda: b"<a>" * (3 * MB), "not <myanimelist>"),
    # a single field of many megabytes
    Case("json-huge-title", "list.json", lambda: _malapp([{"series_animedb_id": 1, "my_status": 2,
         "my_score": 9, "series_title": "A" * (9 * MB)}]), PROFILE),
    Case("xml-huge-title", "list.xml", lambda: _xml_entries(1, "B" * (9 * MB)), PROFILE),
    Case("json-huge-number", "list.json", lambda: b'{"myanimelist": {"anime": [{"my_score": '
         + b"9" * (5 * MB) + b"}]}}", "more than 100 digits"),
    Case("json-huge-string-only", "list.json", lambda: b'"' + b"x" * (9 * MB) + b'"',
         "not a MyAnimeList export"),
    # tens of thousands of entries
    Case("xml-60k-entries", "list.xml", lambda: _xml_entries(60_000), PROFILE),
    Case("json-60k-entries", "list.json", lambda: _malapp([
        {"series_animedb_id": 1 + i % 40_000, "my_status": 2, "my_score": 1 + i % 10}
        for i in range(60_000)]), PROFILE),
    Case("anilist-30k-entries", "list.json", lambda: _anilist(
        [_anilist_entry(i) for i in range(30_000)]), PROFILE),
    Case("anilist-30k-pretty", "list.json", lambda: json.dumps(json.loads(_anilist(
        [_anilist_entry(i) for i in range(20_000)])), indent=2).encode(), PROFILE),
    Case("json-2m-empty-entries", "list.json", lambda: _malapp([{}] * (2 * MB)),
         "An entry without a title id has no status"),
    Case("anilist-2m-empty-lists", "list.json", lambda: _anilist([], [[]] * (2 * MB)),
         "2,000,000 lists"),
    # entity expansion
    Case("xml-billion-laughs", "list.xml", lambda: LAUGHS, "declares entities"),
    Case("xml-external-entity", "list.xml", lambda: EXTERNAL, "declares entities"),
    Case("xml-entities-utf16", "list.xml", lambda: b"\xff\xfe" + LAUGHS.decode().replace(
        '<?xml version="1.0"?>', "").encode("utf-16-le"), "declares entities"),
    # invalid UTF-8 and other encodings
    Case("xml-invalid-utf8", "list.xml", lambda: _xml_entries(3).replace(b"<series_title>T",
         b"<series_title>" + BAD_UTF8), "broken"),
    Case("json-invalid-utf8", "list.json", lambda: _malapp([]).replace(b'"x"', b'"' + BAD_UTF8
         + b'"'), "not valid UTF-8"),
    Case("xml-utf16-real", "list.xml", lambda: b"\xff\xfe" + _real_xml().decode().replace(
        'encoding="UTF-8"', 'encoding="UTF-16"').encode("utf-16-le"), PROFILE),
    Case("xml-latin1", "list.xml", lambda: b'<?xml version="1.0" encoding="ISO-8859-1"?>'
         + _xml_entries(3, "Caf\xe9").replace(b"Caf\xc3\xa9", b"Caf\xe9"), PROFILE),
    Case("xml-unknown-encoding", "list.xml", lambda: b'<?xml version="1.0" encoding="x-mars"?>'
         + _xml_entries(3), "broken"),
    Case("json-utf16", "list.json", lambda: _malapp([{"series_animedb_id": 1, "my_status": 2}])
         .decode().encode("utf-16"), PROFILE),
    # zero bytes
    Case("zeros", "list.xml", lambda: b"\x00" * (10 * MB), "not a MyAnimeList export"),
    Case("zeros-in-xml", "list.xml", lambda: _xml_entries(3).replace(b"<my_score>", b"\x00<my"),
         "broken"),
    Case("zeros-in-json", "list.json", lambda: _malapp([]) + b"\x00" * MB, "malformed"),
    # gzip: truncated, nested, wrong extension
    Case("gzip-truncated", "list.xml.gz", lambda: gzip.compress(_real_xml())[:2000],
         "damaged .gz"),
    Case("gzip-in-gzip", "list.xml.gz", lambda: gzip.compress(gzip.compress(_real_xml())),
         "inside another"),
    Case("gzip-bomb", "list.xml.gz", lambda: gzip.compress(b" " * (101 * MB)), "unpacks to more"),
    Case("gzip-named-xml", "list.xml", lambda: gzip.compress(_real_xml()), PROFILE),
    Case("xml-named-json", "list.json", _real_xml, PROFILE),
    Case("zip-named-gz", "list.xml.gz", lambda: b"PK\x03\x04" + b"\x00" * 100,
         "not a MyAnimeList export"),
    # wrong types and nulls in API-shaped documents
    Case("anilist-lists-string", "list.json", lambda: _anilist([], "not a list"),
         "lists are not a list"),
    Case("anilist-nulls", "list.json", lambda: _anilist([None, {}, {"media": None},
         {"media": {"idMal": None}, "status": None}]), "Not one of the 4 entries"),
    Case("anilist-wrong-types", "list.json", lambda: _anilist([
        {"status": ["COMPLETED"], "media": {"idMal": "abc"}},
        {"status": "COMPLETED", "score": "NaN", "progress": {"a": 1}, "updatedAt": "soon",
         "media": {"idMal": "1", "title": {"romaji": ["x"]}, "coverImage": 7}},
        {"status": "COMPLETED", "score": 1e308, "media": {"idMal": 2**70}}]), PROFILE),
    Case("malapp-wrong-types", "list.json", lambda: _malapp([{"series_animedb_id": [1],
         "my_status": 2}]), "whole number"),
    Case("malapp-nan-score", "list.json", lambda: _malapp([{"series_animedb_id": 1,
         "my_status": 2, "my_score": float("nan")}]), "should be a number"),
    Case("malapp-nan-ids", "list.json", lambda: _malapp([{"series_animedb_id": float("nan"),
         "my_status": float("nan")}]), "a status of the wrong kind"),
)  # fmt: skip


def deep(n: int) -> bytes:
    return b"[" * n + b"]" * n


# (name, site, body, expect): what AniList's list answer or Kitsu's library page holds
API_CASES = (
    ("anilist-deep", "anilist", deep(2 * MB), "nested more than 64"),
    ("anilist-wrong-types", "anilist", json.dumps({"data": {"MediaListCollection": {
        "lists": {"entries": 1}}}}).encode(), "lists are not a list"),
    ("anilist-nulls", "anilist", b'{"data": {"MediaListCollection": {"lists": [null, {"entries":'
        b' [null, {"media": null, "status": null}]}]}}}', "Not one of the 2 entries"),
    ("anilist-invalid-utf8", "anilist", b'{"data": \xff\xfe}', "not JSON"),
    ("anilist-huge", "anilist", b'{"data": {"MediaListCollection": {"lists": [], "x": "'
        + b"y" * (5 * MB) + b'"}}}', "empty"),
    ("kitsu-deep", "kitsu", deep(2 * MB), "nested more than 64"),
    ("kitsu-wrong-types", "kitsu", b'{"data": {"id": 1}}', "no list of library entries"),
    ("kitsu-nulls", "kitsu", b'{"data": [null, {"attributes": null}], "included": null}',
     "Not one of the 2 entries"),
    ("kitsu-huge-page", "kitsu", json.dumps({"data": [{}] * 20_000}).encode(),
     "at most 500"),
)  # fmt: skip
