"""Kitsu's API as the browser tests see it: routed in Playwright, answering from the recorded
shapes (`kitsu_responses`). The happy user's library is the evanalxen list (the XML fixture's
titles) with Kitsu ids from ../shared/data/catalog/ids-2026.csv, served in two pages."""

from __future__ import annotations

import csv
import json
from functools import cache
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from helpers import SHARED
from kitsu_responses import library_page, users_answer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

KITSU_API = "https://kitsu.app/api/edge/"
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Expose-Headers": "Retry-After"}
HAPPY, HAPPY_ID = "evanalxen", "5554"
PAGE_SIZE = 60  # the fake pages the 109 entries in two, to exercise links.next
# name → (status, body, headers) for the users request; any other name is unknown.
SPECIAL = {
    "busy_kitsu": (429, {"errors": [{"title": "Too Many Requests", "status": "429"}]},
                   {"Retry-After": "1"}),
    "down_for_now": (503, {"errors": [{"title": "Service Unavailable", "status": "503"}]}, {}),
}  # fmt: skip
EMPTY, EMPTY_ID = "empty_library", "777"
SILENT = "very_slow"  # never answered: the page's timeout


@cache
def kitsu_ids() -> dict[int, int]:
    """MyAnimeList id → Kitsu id, from the shared id table."""
    with open(SHARED / "data" / "catalog" / "ids-2026.csv", newline="") as f:
        return {int(r["mal_id"]): int(r["kitsu_id"]) for r in csv.DictReader(f) if r["kitsu_id"]}


@cache
def happy_rows() -> tuple[tuple[int, int | None, str, int | None], ...]:
    """The evanalxen list as (Kitsu id, MAL id, status, ratingTwenty): odd scores get half a
    point more (17/20 = 8.5), so the page gets decimal scores."""
    body = json.loads((FIXTURES / "anilist" / "list-evanalxen.json").read_text())
    rows = []
    for lst in body["data"]["MediaListCollection"]["lists"]:
        for e in lst["entries"]:
            mal_id = e["media"]["idMal"]
            rating = 2 * e["score"] + e["score"] % 2 if e["score"] else None
            rows.append((kitsu_ids().get(mal_id, 900_000 + mal_id), mal_id, e["status"].lower(),
                         rating))  # fmt: skip
    return tuple(rows)


def happy_mal_ids() -> set[int]:
    return {mal_id for _, mal_id, status, _ in happy_rows() if status != "planned"}


def answer(route, calls: list[str], pending: list) -> None:
    """Answer one Kitsu request the way the live API would for the test users; `pending` keeps
    the requests left unanswered."""
    url = urlsplit(route.request.url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    if url.path.endswith("/users"):
        name = query.get("filter[slug]", "")
        calls.append(name)
        if name == "offline":
            route.abort("internetdisconnected")
        elif name == SILENT:
            pending.append(route)
        elif name in SPECIAL:
            status, body, headers = SPECIAL[name]
            route.fulfill(status=status, json=body, headers={**CORS, **headers})
        else:
            user_id = {HAPPY: HAPPY_ID, EMPTY: EMPTY_ID}.get(name)
            route.fulfill(json=users_answer(name if user_id else None, user_id or "0"),
                          headers=CORS)  # fmt: skip
    elif url.path.endswith("/library-entries"):
        route.fulfill(json=library(query), headers=CORS)
    else:
        route.fulfill(status=404, json={"errors": [{"title": "Not found"}]}, headers=CORS)


def library(query: dict[str, str]) -> dict:
    """A page of the happy user's library (`page[offset]` as Kitsu's `links.next` sets it);
    any other user's library is empty."""
    if query.get("filter[userId]") != HAPPY_ID:
        return library_page([])
    offset = int(query.get("page[offset]", 0))
    rows = list(happy_rows()[offset : offset + PAGE_SIZE])
    after = {**query, "page[offset]": str(offset + PAGE_SIZE)}
    more = offset + PAGE_SIZE < len(happy_rows())
    return library_page(rows, f"{KITSU_API}library-entries?{urlencode(after)}" if more else None)


def route_kitsu(page, calls: list[str], pending: list) -> None:
    page.route(KITSU_API + "**", lambda route: answer(route, calls, pending))
