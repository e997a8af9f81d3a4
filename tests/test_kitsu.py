"""The shared Kitsu client against a scripted transport answering with the recorded responses of
../shared/fixtures/apis/kitsu/: request shape, mapping, paging and where it stops, every error."""

from __future__ import annotations

import asyncio
from urllib.parse import parse_qs, urlsplit

import pytest
from animerec import kitsu
from animerec.http_api import (
    ApiError,
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
from kitsu_responses import (
    FILTER_NOT_ALLOWED,
    NOT_FOUND,
    RECORDED_LIBRARY,
    RECORDED_PAGE,
    library_page,
    recorded,
    users_answer,
)
from scripted_transport import ScriptedTransport, ok, policy

API = kitsu.KITSU_API
NEXT = f"{API}/library-entries?filter[userId]=42603&page[limit]=500&page[offset]=500"


def fetch(transport, name: str = "wopian", **kw):
    return asyncio.run(kitsu.fetch_profile(name, transport, **kw))


def test_requests_are_simple_gets():
    user = kitsu.user_request(" https://kitsu.app/users/Wopian ")
    assert user.method == "GET" and user.body is None
    assert user.url == f"{API}/users?filter[slug]=Wopian&fields[users]=name,slug"
    assert "Content-Type" not in user.headers  # no CORS preflight
    library = kitsu.library_request("42603")
    query = parse_qs(urlsplit(library.url).query)
    assert library.url.startswith(f"{API}/library-entries?")
    assert query["filter[userId]"] == ["42603"] and query["filter[kind]"] == ["anime"]
    assert query["page[limit]"] == ["500"] and query["include"] == ["anime.mappings"]
    assert query["fields[mappings]"] == ["externalSite,externalId"]
    assert "ratingTwenty" in query["fields[libraryEntries]"][0]


@pytest.mark.parametrize("bad", ["", "ab", "x" * 21, "a b", "a/b", "名前は", "kitsu.app/users/"])
def test_invalid_username_fails_before_any_request(bad):
    transport = ScriptedTransport()
    with pytest.raises(InvalidUsername, match="not a Kitsu username"):
        fetch(transport, bad)
    assert transport.requests == []


def test_recorded_library_maps_ids_statuses_and_scores():
    transport = ScriptedTransport(ok(users_answer("wopian")), ok(recorded(RECORDED_LIBRARY)))
    profile = fetch(transport, "WOPIAN")
    assert profile.source == "kitsu" and profile.username == "wopian" and profile.unmapped == 0
    by_id = {e.mal_id: e for e in profile.entries}
    assert {i: (e.status, e.score) for i, e in by_id.items()} == {
        1: (Status.COMPLETED, 9),  # ratingTwenty 18
        2: (Status.WATCHING, None),  # null: not rated
        3: (Status.PLAN_TO_WATCH, None),
        4: (Status.ON_HOLD, 7),
        5: (Status.DROPPED, 4),
    }
    assert by_id[1].title == "Test Anime 1" and by_id[1].episodes_watched == 26
    assert by_id[1].updated_at is None  # this recording has no updatedAt (only progressedAt)
    assert transport.requests[1].url == kitsu.library_request("42603").url


def test_exact_half_points():
    page = library_page([(1, 11, "completed", 17), (2, 12, "completed", 3), (3, 13, "dropped", 1)])
    profile = fetch(ScriptedTransport(ok(users_answer("wopian")), ok(page)))
    scores = {e.mal_id: e.score for e in profile.entries}
    assert scores == {11: 8.5, 12: 1.5, 13: None}  # 1/20 is below Kitsu's scale: not a score
    assert profile.entries[0].updated_at == 1693569600  # 2023-09-01T12:00:00.000Z


def test_entries_without_mapping_use_the_id_map():
    page = library_page([(7, None, "completed", 20), (8, None, "completed", 10), (9, 99, "current",
                         None)])  # fmt: skip
    profile = fetch(ScriptedTransport(ok(users_answer("wopian")), ok(page)), id_map={7: 77})
    assert {e.mal_id for e in profile.entries} == {77, 99} and profile.unmapped == 1


def test_recorded_page_without_includes_has_no_ids():
    answers = (ok(users_answer("wopian")), ok(recorded(RECORDED_PAGE)))
    with pytest.raises(ProfileParseError, match="Not one of the 2 entries in wopian's Kitsu"):
        fetch(ScriptedTransport(*answers))  # its links.next is on kitsu.io: not followed


def test_follows_links_next_until_it_ends():
    transport = ScriptedTransport(
        ok(users_answer("wopian")),
        ok(library_page([(1, 11, "completed", 16)], next_url=NEXT)),
        ok(library_page([(2, 12, "planned", None)])),
    )
    profile = fetch(transport)
    assert {e.mal_id for e in profile.entries} == {11, 12}
    assert [r.url for r in transport.requests][2] == NEXT


def test_endless_or_looping_pages_stop():
    pages = [ok(library_page([(n, n, "completed", 12)], next_url=f"{NEXT}&n={n}"))
             for n in range(1, 10)]  # fmt: skip
    transport = ScriptedTransport(ok(users_answer("wopian")), *pages)
    assert len(fetch(transport, max_pages=4)) == 4 and len(transport.requests) == 5
    loop = ok(library_page([(1, 11, "completed", 12)], next_url=NEXT))
    transport = ScriptedTransport(ok(users_answer("wopian")), loop, loop, loop)
    assert len(fetch(transport)) == 1 and len(transport.requests) == 3  # NEXT asked once


def test_next_link_elsewhere_is_not_followed():
    page = library_page([(1, 11, "completed", 12)], next_url="https://evil.example/library-entries?")
    transport = ScriptedTransport(ok(users_answer("wopian")), ok(page))
    assert len(fetch(transport)) == 1 and len(transport.requests) == 2


def test_unknown_user_and_empty_library_name_the_user():
    with pytest.raises(UserNotFound, match="Kitsu has no user called “nobody_here”"):
        fetch(ScriptedTransport(ok(users_answer(None))), "nobody_here")
    with pytest.raises(kitsu.EmptyLibrary, match="emptyone's Kitsu library has no anime"):
        fetch(ScriptedTransport(ok(users_answer("emptyone")), ok(library_page([]))), "emptyone")


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (ok(recorded(NOT_FOUND), 404), ApiError, "refused the request: Record not found"),
        (ok(recorded(FILTER_NOT_ALLOWED), 400), ApiError, "Filter not allowed: unknown_attr"),
        (Response(403, "<html>forbidden</html>"), ApiError, "Kitsu answered HTTP 403"),
        (Response(200, "<html>"), ProfileParseError, "Kitsu answered with something that is not"),
        (ok([1, 2]), ProfileParseError, "not an object"),
        (ok({"data": {"id": "1"}}), ProfileParseError, "no list of users"),
        (ok({"data": [{"id": "x"}]}), ProfileParseError, "no user id"),
        (TransportError("dns"), Offline, "Kitsu could not be reached"),
        (TransportTimeout("slow"), Timeout, "Kitsu took too long"),
    ],
)
def test_error_answers(answer, error, message):
    with pytest.raises(error, match=message):
        fetch(ScriptedTransport(answer), retry=policy([]))


def test_429_waits_then_gives_up_with_the_wait():
    waits, shown = [], []
    busy = ok({"errors": [{"title": "Too Many Requests"}]}, 429, {"retry-after": "5"})
    transport = ScriptedTransport(busy, ok(users_answer("wopian")), ok(library_page(
        [(1, 11, "completed", 12)])))  # fmt: skip
    assert len(fetch(transport, retry=policy(waits, on_wait=shown.append))) == 1
    assert waits == [5.0] and shown == [5.0]
    with pytest.raises(RateLimited, match=r"Kitsu is limiting .* Try again in 5 s"):
        fetch(ScriptedTransport(busy, busy), retry=policy(waits))


def test_5xx_retried_then_explained():
    waits = []
    answers = [Response(502, "bad gateway"), Response(503, "")]
    with pytest.raises(ServerError, match=r"Kitsu is having trouble \(HTTP 503\)"):
        fetch(ScriptedTransport(*answers), retry=policy(waits))
    assert waits == [2.0]


@pytest.mark.parametrize(
    "entry",
    [None, 7, "x", [], {"attributes": None}, {"attributes": {"status": ["completed"]}},
     {"attributes": {"status": "completed", "ratingTwenty": "NaN"},
      "relationships": {"anime": {"data": {"id": {"nested": 1}}}}}],
)  # fmt: skip
def test_malformed_entries_are_counted_not_fatal(entry):
    page = library_page([(1, 11, "completed", 1e400)])  # an infinite rating is no score
    page["data"].append(entry)
    profile = fetch(ScriptedTransport(ok(users_answer("wopian")), ok(page)))
    assert [(e.mal_id, e.score) for e in profile.entries] == [(11, None)]
    assert profile.unmapped == 1
