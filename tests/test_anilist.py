"""The shared AniList client against a scripted in-process transport: request shape, every
error path, and the retry rules the page and the collector rely on."""

from __future__ import annotations

import asyncio
import json

import graphql
import pytest
from anilist_responses import (
    PRIVATE_USER,
    RATE_HEADERS,
    TOO_MANY_REQUESTS,
    USER_NOT_FOUND,
    entry,
    list_body,
    media,
)
from animerec import anilist, http_api
from animerec.anilist import AniListError, PrivateList
from animerec.http_api import (
    InvalidUsername,
    Offline,
    RateLimited,
    Response,
    ServerError,
    Timeout,
    TransportError,
    TransportTimeout,
    UserNotFound,
)
from animerec.parsers import ProfileParseError
from animerec.profile import Status
from helpers import FIXTURES
from scripted_transport import ScriptedTransport, ok, policy


def fetch(transport, name: str = "Alice", **kw):
    return asyncio.run(anilist.fetch_profile(name, transport, **kw))


LIST = list_body(
    "Alice",
    [
        entry(1, 101, "COMPLETED", score=8),
        entry(2, 102, "CURRENT", progress=3),
        entry(3, None, "PLANNING"),  # no MAL id: mapped through id_map or counted unmapped
    ],
)


def test_request_shape():
    request = anilist.build_request("  Alice_99 ")
    assert request.url == anilist.ANILIST_URL and request.method == "POST"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    body = json.loads(request.body)
    assert body["variables"] == {"name": "Alice_99"}
    query = " ".join(body["query"].split())
    assert "MediaListCollection(userName: $name, type: ANIME)" in query
    for field in ("mediaId", "score(format: POINT_10_DECIMAL)", "progress", "updatedAt", "idMal"):
        assert field in query


@pytest.mark.parametrize(
    "typed,name",
    [("bob", "bob"), ("@bob", "bob"), ("https://anilist.co/user/Bob_2/animelist", "Bob_2")],
)
def test_username_forms(typed, name):
    assert anilist.normalize_username(typed) == name


@pytest.mark.parametrize("bad", ["", "a", "x" * 21, "bob smith", "bob-smith", "'; drop", "名前"])
def test_invalid_username_fails_before_any_request(bad):
    transport = ScriptedTransport()
    with pytest.raises(InvalidUsername, match="not an AniList username"):
        fetch(transport, bad)
    assert transport.requests == []


def test_a_pasted_page_is_not_quoted_back_whole():
    with pytest.raises(InvalidUsername) as refused:
        anilist.normalize_username("spam " * 200_000)
    assert len(str(refused.value)) < 200 and "not an AniList username" in str(refused.value)


def test_profile_parsed_with_id_map_and_canonical_name():
    profile = fetch(ScriptedTransport(ok(LIST)), "alice", id_map={3: 103})
    assert profile.username == "Alice" and profile.source == "anilist"
    by_id = {e.mal_id: e for e in profile.entries}
    assert set(by_id) == {101, 102, 103}
    assert by_id[101].score == 8 and by_id[101].status is Status.COMPLETED
    assert by_id[102].score is None and by_id[102].episodes_watched == 3
    assert fetch(ScriptedTransport(ok(LIST))).unmapped == 1


@pytest.mark.parametrize(
    "body,status,error,message",
    [
        (USER_NOT_FOUND, 404, UserNotFound, "no user called “Alice”"),
        (PRIVATE_USER, 404, PrivateList, "Alice's AniList profile or anime list is private"),
        (PRIVATE_USER, 200, PrivateList, "private"),
        (USER_NOT_FOUND, 200, UserNotFound, "Check the spelling"),
        ({"errors": [{"message": "Validation error", "status": 400}], "data": None}, 400,
         AniListError, "refused the request: Validation error"),
    ],
)  # fmt: skip
def test_error_answers(body, status, error, message):
    with pytest.raises(error, match=message):
        fetch(ScriptedTransport(ok(body, status)))


def test_not_json_and_empty_list_are_parse_errors():
    with pytest.raises(ProfileParseError, match="not JSON"):
        fetch(ScriptedTransport(Response(200, "<html>")))
    with pytest.raises(ProfileParseError, match="empty"):
        fetch(ScriptedTransport(ok(list_body("Alice", []))))
    with pytest.raises(AniListError, match="HTTP 404"):
        fetch(ScriptedTransport(Response(404, "<html>not here</html>")))


def test_network_failures():
    with pytest.raises(Offline, match="could not be reached"):
        fetch(ScriptedTransport(TransportError("dns")))
    with pytest.raises(Timeout, match="too long"):
        fetch(ScriptedTransport(TransportTimeout("slow")))


def test_429_waits_retry_after_once_and_shows_the_wait():
    waits, shown = [], []
    transport = ScriptedTransport(
        ok(TOO_MANY_REQUESTS, 429, {**RATE_HEADERS, "retry-after": "7"}), ok(LIST)
    )
    profile = fetch(transport, retry=policy(waits, on_wait=shown.append))
    assert len(profile) == 2 and waits == [7.0] and shown == [7.0]
    assert len(transport.requests) == 2 and transport.requests[0] == transport.requests[1]


def test_second_429_gives_up_with_the_wait():
    waits = []
    answer = ok(TOO_MANY_REQUESTS, 429, {"retry-after": "5"})
    with pytest.raises(RateLimited, match="Try again in 5 s") as err:
        fetch(ScriptedTransport(answer, answer), retry=policy(waits))
    assert err.value.retry_after == 5.0 and waits == [5.0]


def test_429_rules():
    waits = []
    reset = ok(TOO_MANY_REQUESTS, 429, {"x-ratelimit-reset": "1042"})  # clock says 1000
    fetch(ScriptedTransport(reset, ok(LIST)), retry=policy(waits))
    assert waits == [42.0]
    with pytest.raises(RateLimited):  # retries off
        fetch(ScriptedTransport(reset), retry=policy(waits, retry_429=False))
    long = ok(TOO_MANY_REQUESTS, 429, {"retry-after": "3600"})
    with pytest.raises(RateLimited, match="3600 s"):  # too long to wait on a page
        fetch(ScriptedTransport(long), retry=policy(waits))
    assert waits == [42.0]


def test_retry_after_forms():
    now = 1_000.0
    assert http_api.retry_after({"retry-after": "12"}, now) == 12.0
    assert http_api.retry_after({"retry-after": "Thu, 01 Jan 1970 00:17:00 GMT"}, now) == 20.0
    assert http_api.retry_after({"retry-after": "soon"}, now) == http_api.DEFAULT_RETRY_AFTER
    assert http_api.retry_after({}, now) == http_api.DEFAULT_RETRY_AFTER


def test_5xx_retried_with_backoff():
    waits = []
    transport = ScriptedTransport(Response(502, "bad gateway"), Response(503, ""), ok(LIST))
    fetch(transport, retry=policy(waits, max_retries=2, backoff=1.5))
    assert waits == [1.5, 3.0]
    with pytest.raises(ServerError, match="HTTP 500"):
        fetch(ScriptedTransport(Response(500, ""), Response(500, "")), retry=policy(waits))


def test_media_batch():
    transport = ScriptedTransport(
        ok({"data": {"Page": {"media": [media(1, 101, (("SEQUEL", 2, 102),))]}}})
    )
    got = asyncio.run(anilist.fetch_media([101, 999], transport))
    assert got[0]["relations"]["edges"][0]["node"]["idMal"] == 102
    body = json.loads(transport.requests[0].body)
    assert body["variables"]["ids"] == [101, 999]
    assert "media(idMal_in: $ids, type: ANIME)" in body["query"]
    with pytest.raises(ValueError, match="1–50 ids"):
        anilist.build_media_request(list(range(51)))


def test_user_names_page():
    page = {
        "data": {
            "Page": {"pageInfo": {"hasNextPage": True}, "users": [{"name": "a1"}, {"name": "b2"}]}
        }
    }
    names, more = asyncio.run(anilist.fetch_user_names(1, ScriptedTransport(ok(page))))
    assert names == ["a1", "b2"] and more


def test_every_query_is_valid_against_the_recorded_schema():
    sdl = (FIXTURES / "apis" / "anilist-schema-2026-08.graphqls").read_text(encoding="utf-8")
    schema = graphql.build_schema(sdl)
    for query in (anilist.LIST_QUERY, anilist.MEDIA_QUERY, anilist.USERS_QUERY):
        assert graphql.validate(schema, graphql.parse(query)) == []
    broken = anilist.LIST_QUERY.replace("POINT_10_DECIMAL", "POINT_11")
    assert graphql.validate(schema, graphql.parse(broken))  # the check can fail


def test_decimal_scores_custom_lists_and_rewatching():
    """A custom list (no status of its own) repeats entries of the status lists or holds ones
    hidden from them; each entry keeps its own status. REPEATING is a finished title."""
    body = list_body("Alice", [entry(1, 101, "COMPLETED", score=8.5),
                               entry(2, 102, "REPEATING", score=9.3)])  # fmt: skip
    custom = [entry(1, 101, "COMPLETED", score=8.5), entry(3, None, "DROPPED", score=2.5)]
    body["data"]["MediaListCollection"]["lists"].append(
        {"name": "Favourites", "isCustomList": True, "status": None, "entries": custom}
    )
    profile = fetch(ScriptedTransport(ok(body)), id_map={3: 103})
    got = {e.mal_id: (e.status, e.score) for e in profile.entries}
    assert got == {101: (Status.COMPLETED, 8.5), 102: (Status.COMPLETED, 9.3),
                   103: (Status.DROPPED, 2.5)}  # fmt: skip


@pytest.mark.parametrize("errors", [True, "down", {"message": "x"}])
def test_malformed_errors_field_is_a_refusal_not_a_crash(errors) -> None:
    """Found by Hypothesis: `"errors": true` used to raise TypeError inside the reader."""
    answer = http_api.Response(200, json.dumps({"errors": errors, "data": None}))
    with pytest.raises(AniListError, match="AniList refused the request"):
        anilist.read_response(answer, username="someone")
