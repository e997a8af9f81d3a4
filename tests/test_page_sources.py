"""The page's three profile sources (web/py/sources.py) in CPython, as the page calls them: an
AniList name over a transport, an upload's bytes (refused unread when too large), ratings."""

from __future__ import annotations

import asyncio
import importlib.util
import json
from pathlib import Path

import pytest
from animerec.anilist import RetryPolicy, UserNotFound
from animerec.catalog import Catalog
from animerec.parsers import ProfileParseError
from animerec.profile import Status
from helpers import FIXTURES
from kitsu_responses import library_page, users_answer

from tests.test_anilist import ScriptedTransport, ok

PATH = Path(__file__).resolve().parent.parent / "web" / "py" / "sources.py"
_spec = importlib.util.spec_from_file_location("page_sources", PATH)
sources = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sources)
LIST = Path(__file__).resolve().parent / "fixtures" / "anilist" / "list-evanalxen.json"
XML = FIXTURES / "mal-export-xinil-evanalxen.xml"
CATALOG = Path(__file__).resolve().parent.parent / "models" / "default" / "catalog.json"


def test_anilist_source() -> None:
    transport = ScriptedTransport(ok(json.loads(LIST.read_text())))
    profile = asyncio.run(sources.from_anilist("evanalxen", transport, {}, RetryPolicy()))
    assert profile.source == "anilist" and len(profile) > 50
    assert sources.describe(profile) == profile.username
    missing = {"errors": [{"message": "User not found", "status": 404}], "data": None}
    with pytest.raises(UserNotFound):
        asyncio.run(sources.from_anilist("nobody", ScriptedTransport(ok(missing, 404)), {},
                                         RetryPolicy()))  # fmt: skip


def test_file_source_reads_and_refuses_huge_files_unread() -> None:
    reads = []

    async def read() -> bytes:
        reads.append(1)
        return XML.read_bytes()

    profile = asyncio.run(sources.from_file(XML.name, XML.stat().st_size, read))
    assert len(profile) > 50 and reads == [1]
    with pytest.raises(ProfileParseError, match="up to 50 MB"):
        asyncio.run(sources.from_file("huge.xml", sources.MAX_UPLOAD_BYTES + 1, read))
    assert reads == [1]
    with pytest.raises(ProfileParseError):
        asyncio.run(sources.from_file("list.xml", 9, lambda: asyncio.sleep(0, b"<notalist")))


def test_ratings_source() -> None:
    profile = sources.from_ratings({5114: 9, 9253: 10})
    assert {(e.mal_id, e.score, e.status) for e in profile.entries} == {
        (5114, 9, Status.COMPLETED), (9253, 10, Status.COMPLETED)}  # fmt: skip
    assert sources.describe(profile) == "the titles you rated"
    with pytest.raises(ProfileParseError, match="at least one score"):
        sources.from_ratings({})


def test_kitsu_source_maps_unmapped_entries_through_the_catalogs_kitsu_ids() -> None:
    catalog = Catalog.from_json(json.loads(CATALOG.read_text(encoding="utf-8")))
    kitsu_map = catalog.kitsu_to_mal()
    kitsu_id, mal_id = next(iter(kitsu_map.items()))
    page = library_page([(kitsu_id, None, "completed", 18)])  # no myanimelist/anime mapping
    transport = ScriptedTransport(ok(users_answer("wopian")), ok(page))
    profile = asyncio.run(sources.from_kitsu("wopian", transport, kitsu_map, RetryPolicy()))
    assert [(e.mal_id, e.score) for e in profile.entries] == [(mal_id, 9.0)]
    assert len(kitsu_map) > len(catalog) // 2  # the shipped catalog carries Kitsu ids
