"""Watch together (issue 24) in Chromium at 1280×800 and 390×844, AniList faked: the link
`?anilist=A&with=anilist:B` opens the pair's recommendations, which leave out both lists, and
each card names both people, the "New for you" shelf's too; the second-list form does the same
from one list's results and puts `with=` in the address; "Just my list" goes back; back and
forward bring the second list back and take it away as the address says; axe-core finds no
violation.

Two booted pages serve the six tests (tools/BENCH.md, "The suite's time"): the pair's link, at
each size in turn, and a desktop page with no list; before each test `fold` and
`back_to_the_link` put the page back as a visit that has just opened it would show it."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from animerec.parsers import parse_profile_file
from animerec.profile import Status

from .conftest import (
    ANILIST_ANSWERS,
    FIXTURES,
    SHARED,
    Session,
    card_ids,
    open_filters,
    run_and_wait,
)
from .test_site import ask_anilist, watched_ids
from .test_view import DESKTOP, PHONE, axe_violations, opened, sideways_overflow

pytestmark = pytest.mark.browser

ME = "evanalxen"
FRIEND = "igorv"  # a second AniList user: the igorv MyAnimeList export as AniList answers it
FRIEND_EXPORT = SHARED / "mal-export-v110-igorv.xml"
ANILIST_STATUS = {Status.WATCHING: "CURRENT", Status.COMPLETED: "COMPLETED",
                  Status.ON_HOLD: "PAUSED", Status.DROPPED: "DROPPED",
                  Status.PLAN_TO_WATCH: "PLANNING"}  # fmt: skip
EXPLAINED_TIMEOUT_MS = 60_000


def anilist_answer(name: str, export) -> dict:
    """AniList's MediaListCollection answer for the list of a MyAnimeList export."""
    profile = parse_profile_file(export.read_bytes(), export.name)
    lists: dict[str, list] = {}
    for e in profile.entries:
        lists.setdefault(ANILIST_STATUS[e.status], []).append({
            "mediaId": 900_000 + e.mal_id, "status": ANILIST_STATUS[e.status],
            "score": e.score or 0, "progress": e.episodes_watched, "updatedAt": 1600000000,
            "media": {"id": 900_000 + e.mal_id, "idMal": e.mal_id,
                      "title": {"romaji": e.title or f"#{e.mal_id}", "english": None},
                      "coverImage": {"medium": None, "large": None}},
        })  # fmt: skip
    lists_ = [{"status": s, "entries": es} for s, es in lists.items()]
    return {"data": {"MediaListCollection": {"user": {"name": name}, "lists": lists_}}}


ANILIST_ANSWERS.setdefault(FRIEND, (200, anilist_answer(FRIEND, FRIEND_EXPORT), {}))


def friend_ids() -> set[int]:
    profile = parse_profile_file(FRIEND_EXPORT.read_bytes(), FRIEND_EXPORT.name)
    return {e.mal_id for e in profile.entries if e.status is not Status.PLAN_TO_WATCH}


def wait_for_reasons(page) -> None:
    """Until the cards carry both people's reasons (the explanations follow the first cards)."""
    page.wait_for_function(
        "(names) => { const c = document.querySelector('#recommendations li.card');"
        " return c && names.every(n => [...c.querySelectorAll('.because')]"
        ".some(p => p.textContent.startsWith(n + ' liked '))); }",
        arg=[ME, FRIEND],
        timeout=EXPLAINED_TIMEOUT_MS,
    )


def reasons_by_card(page, cards: str = "#recommendations li.card") -> list[list[str]]:
    return page.eval_on_selector_all(
        cards, "cs => cs.map(c => [...c.querySelectorAll('.because')].map(p => p.textContent))"
    )


def wait_for_request(page) -> None:
    """Until the link's request has ended (the "New for you" shelf comes last)."""
    page.wait_for_function("() => Number(document.body.dataset.runs || 0) > 0",
                           timeout=EXPLAINED_TIMEOUT_MS)  # fmt: skip


def who(reasons: list[str]) -> set[str]:
    """The people a card's reasons name: "NAME liked X" (the model's titles) or "NAME: …" (the
    cold-start model's, for the titles it does not score)."""
    return {r.split(" liked ")[0] if " liked " in r else r.split(": ")[0] for r in reasons}


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def fold(page) -> None:
    """Close what a test may have left open: the second-list form, the filter panel (or the
    phone's drawer), the list of hidden titles; and bring back every title a test hid."""
    while page.locator("#hidden-list button").count():
        count = page.locator("#hidden-list button").count()
        page.evaluate("() => document.querySelector('#hidden-list button').click()")
        page.wait_for_function("(n) => document.querySelectorAll('#hidden-list button').length < n",
                               arg=count)  # fmt: skip
    page.evaluate("""() => {
        for (const id of ["together", "hidden-titles"]) document.getElementById(id).open = false;
    }""")
    if page.is_visible("#filter-panel"):
        page.click("#filters-close")


def back_to_the_link(page, url: str) -> None:
    """The pair's link again, as a later history entry of the visit (the page re-ranks from
    the address, as on back), if a test left the page at another address."""
    link = parse_qs(urlsplit(url).query)
    if query(page) != link:
        run_and_wait(page, lambda: page.evaluate("""(url) => {
            history.pushState(null, "", url);
            window.dispatchEvent(new PopStateEvent("popstate"));
        }""", url))  # fmt: skip
    fold(page)
    wait_for_reasons(page)
    wait_for_request(page)
    assert query(page) == link and page.is_hidden("#error")


@pytest.fixture(scope="module")
def link_page(browser, site_url: str) -> Iterator[tuple[Session, str]]:
    """The pair's link opened at a desktop's size."""
    url = f"{site_url}?anilist={ME}&with=anilist:{FRIEND}"
    with opened(browser, url, viewport=DESKTOP) as session:
        yield session, url


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def pair(request: pytest.FixtureRequest, link_page: tuple[Session, str]) -> Session:
    """The pair's page at the test's size (the layout follows the viewport, as on a phone
    turned), showing the link's recommendations with their reasons."""
    session, url = link_page
    session.page.set_viewport_size(request.param)
    back_to_the_link(session.page, url)
    return session


@pytest.fixture(scope="module")
def desktop_page(browser, site_url: str) -> Iterator[Session]:
    with opened(browser, site_url, viewport=DESKTOP) as session:
        yield session


@pytest.fixture
def alone(desktop_page: Session) -> Session:
    """A desktop page with the forms folded and no title hidden (a list, if a test asked one)."""
    fold(desktop_page.page)
    return desktop_page


def test_a_shared_link_opens_the_pair(pair: Session) -> None:
    session, page = pair, pair.page
    assert {ME, FRIEND} <= set(session.anilist_calls)
    shown = set(card_ids(page))
    assert len(shown) == 50
    assert not shown & watched_ids(FIXTURES / "anilist" / "list-evanalxen.json")
    assert not shown & friend_ids()
    assert f"{ME} and {FRIEND}" in page.inner_text("#summary")
    named = [{r.split(" liked ")[0] for r in rs} for rs in reasons_by_card(page)]
    assert sum(n == {ME, FRIEND} for n in named) >= 45, named  # a rare title has no reason
    assert query(page)["with"] == [f"anilist:{FRIEND}"]
    wait_for_request(page)  # the pair's "New for you" shelf: both lists out, both explained
    shelf = [int(i) for i in page.eval_on_selector_all(
        "#fresh-cards li.card", "cs => cs.map(c => c.dataset.malId)")]  # fmt: skip
    assert shelf and page.is_visible("#fresh")
    assert not set(shelf) & (watched_ids(FIXTURES / "anilist" / "list-evanalxen.json")
                             | friend_ids())  # fmt: skip
    named = [who(rs) for rs in reasons_by_card(page, "#fresh-cards li.card")]
    assert sum(n == {ME, FRIEND} for n in named) >= len(shelf) // 2, named
    assert not page.locator("#fresh-cards").get_by_text("Because you watched").count()
    assert sideways_overflow(page) <= 0
    page.click("#together summary")
    assert axe_violations(page) == []


def test_back_and_forward_follow_the_second_list_in_the_address(pair: Session) -> None:
    """A filter change is a new history entry; "Just my list" takes `with=` off it. Back: the
    entry with `with=` shows the pair again, and the form names the friend, as a fresh load of
    that address does; forward: the first list alone, the form empty."""
    session, page = pair, pair.page
    shown = card_ids(page)
    open_filters(page)
    renders = int(page.evaluate("document.body.dataset.renders || 0"))
    page.check("#filters input[name=types][value=TV]")
    page.wait_for_function("(n) => Number(document.body.dataset.renders || 0) > n",
                           arg=renders)  # fmt: skip
    assert query(page)["with"] == [f"anilist:{FRIEND}"] and query(page)["type"] == ["TV"]
    if page.is_visible("#filters-close"):  # the phone's drawer
        page.click("#filters-close")
    page.click("#together summary")
    run_and_wait(page, lambda: page.click("form[data-source='alone'] button"))
    assert "with" not in query(page)
    alone_tv = card_ids(page)
    assert page.locator("#recommendations .because").first.inner_text().startswith(
        "Because you watched")

    run_and_wait(page, page.go_back)  # ?anilist=ME&with=anilist:FRIEND
    wait_for_reasons(page)
    assert card_ids(page) == shown
    assert query(page)["with"] == [f"anilist:{FRIEND}"] and "type" not in query(page)
    assert page.input_value("#with-anilist-user") == FRIEND
    assert f"{ME} and {FRIEND}" in page.inner_text("#summary")
    assert session.anilist_calls.count(FRIEND) == 1  # the list read this visit, kept

    run_and_wait(page, page.go_forward)  # ?anilist=ME&types=TV, no with=
    assert card_ids(page) == alone_tv
    assert "with" not in query(page) and query(page)["type"] == ["TV"]
    assert page.input_value("#with-anilist-user") == ""
    assert f"{FRIEND}" not in page.inner_text("#summary")
    reasons = page.locator("#recommendations .because").all_inner_texts()
    assert reasons and not [r for r in reasons if r.startswith(f"{FRIEND} liked")]
    assert page.is_hidden("#error")


def test_the_form_adds_a_second_list_and_just_my_list_goes_back(alone: Session) -> None:
    page = alone.page
    ask_anilist(page, ME)
    mine = card_ids(page)
    assert "with" not in query(page)
    page.click("#together summary")
    page.fill("#with-anilist-user", FRIEND)
    run_and_wait(page, lambda: page.click("form[data-source='with:anilist'] button"))
    wait_for_reasons(page)
    assert not set(card_ids(page)) & friend_ids()
    assert card_ids(page) != mine
    assert query(page)["with"] == [f"anilist:{FRIEND}"] and query(page)["anilist"] == [ME]
    page.click("button.dismiss >> nth=0")  # "not interested" refills the pair's list
    assert len(card_ids(page)) == 50
    run_and_wait(page, lambda: page.click("form[data-source='alone'] button"))
    assert "with" not in query(page)
    first_reason = page.locator("#recommendations .because").first.inner_text()
    assert first_reason.startswith("Because you watched")


def test_a_second_list_that_cannot_be_read_keeps_the_first(alone: Session) -> None:
    session, page = alone, alone.page
    ask_anilist(page, ME)
    mine = card_ids(page)
    page.click("#together summary")
    page.fill("#with-anilist-user", "nobody_here")
    run_and_wait(page, lambda: page.click("form[data-source='with:anilist'] button"))
    assert "second list" in page.inner_text("#error")
    assert card_ids(page) == mine  # the first list's cards stay
    assert "with" not in query(page) and query(page)["anilist"] == [ME]
    assert page.input_value("#with-anilist-user") == "nobody_here"  # the input survives
    assert "nobody_here" in session.anilist_calls
