"""Covers for the shown titles (animerec.covers): the query is valid against AniList's schema and
carries only the asked ids; answers become an id → cover map, failures stay errors for the page
to ignore; the remembered cache survives junk and stays bounded."""

from __future__ import annotations

import asyncio
import json

import graphql
import pytest
from animerec import covers
from animerec.anilist import RateLimited, Response
from helpers import FIXTURES

SCHEMA = FIXTURES / "apis" / "anilist-schema-2026-08.graphqls"
CDN = "https://s4.anilist.co/file/anilistcdn/media/anime/cover/medium/"


def test_query_is_valid_and_carries_only_the_shown_ids() -> None:
    schema = graphql.build_schema(SCHEMA.read_text())
    request = covers.build_covers_request([1, 5, 20])
    body = json.loads(request.body)
    assert graphql.validate(schema, graphql.parse(body["query"])) == []
    assert body["variables"] == {"ids": [1, 5, 20], "perPage": 50}
    with pytest.raises(ValueError):
        covers.build_covers_request(list(range(51)))


def answer(media: list[dict]) -> dict:
    return {"data": {"Page": {"media": media}}}


def test_answer_becomes_covers_and_misses_are_remembered() -> None:
    body = answer([
        {"idMal": 1, "coverImage": {"medium": CDN + "a.jpg", "large": None, "color": "#e4a15d"}},
        {"idMal": 5, "coverImage": {"medium": "https://evil.example/x.png", "color": "red"}},
        {"idMal": 99, "coverImage": {"medium": CDN + "not-asked.jpg"}},
    ])  # fmt: skip
    got = covers.read_covers(body, [1, 5, 20])
    assert got == {1: {"url": CDN + "a.jpg", "color": "#e4a15d"}, 5: None, 20: None}


def test_fetch_makes_one_request_and_does_not_wait_on_429() -> None:
    sent = []

    async def transport(request):
        sent.append(request)
        return Response(429, "{}", {"retry-after": "2"})

    with pytest.raises(RateLimited):
        asyncio.run(covers.fetch_covers([1, 2], transport))
    assert len(sent) == 1


def test_cache_round_trip_bounds_and_junk() -> None:
    cache = covers.CoverCache()
    cache.add({i: {"url": f"{CDN}{i}.jpg", "color": None} for i in range(covers.MAX_KEPT + 5)})
    assert len(cache.known) == covers.MAX_KEPT and 0 not in cache.known
    again = covers.CoverCache.from_json(cache.to_json())
    assert again.known == cache.known
    assert again.missing([4, 10, 10, 7]) == [4]  # 0–4 fell out, the rest are known
    assert covers.CoverCache.from_json("not json").known == {}
    bad = json.dumps({"3": {"url": "https://evil.example/x"}, "4": None})
    assert covers.CoverCache.from_json(bad).known == {4: None}
