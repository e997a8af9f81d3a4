"""Issue 13 in Chromium, at a desktop (1280×800) and a phone (390×844, and 360 px wide): once a
list is answered the first card is in the first screen and nothing scrolls sideways; covers come
from a faked AniList for the shown titles only, and never for a visitor who turned them off;
"not interested" hides a title with undo and a restore list that outlive a reload, without a
model call; dark mode follows the system and a remembered toggle; axe-core finds no violation;
the whole walk works from the keyboard. With ANIMEREC_SCREENSHOTS=1 the screenshots go to
docs/ for the README.

The tests of the view with a list (results first, axe-core, the phone's 360 px and dark mode)
share a page per size (`seen`): what a page showed before its first list is looked at once,
when it opens, and before each test its filters are folded and its colour scheme put back;
dark mode, which stores a choice and reloads, is the phone page's last user (tools/BENCH.md,
"The suite's time")."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

import pytest
from PIL import Image

from .conftest import (
    ANILIST_API,
    COVER_CDN,
    ROOT,
    Session,
    card_ids,
    open_filters,
    open_site,
    run_and_wait,
    shown_ids,
)
from .test_controls import COUNT_MODEL_CALLS, model_calls
from .test_site import XML, ask_anilist, upload

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
COVER_TIMEOUT_MS = 15_000
AXE_RULES = ["wcag2a", "wcag2aa", "best-practice"]
MAX_CLS = 0.05
# Sums layout shifts not caused by input (the CLS definition) from the first paint on.
RECORD_SHIFTS = """
window.layoutShift = 0;
const add = (entries) => {
  for (const e of entries) if (!e.hadRecentInput) window.layoutShift += e.value;
};
window.shiftObserver = new PerformanceObserver((list) => add(list.getEntries()));
window.shiftObserver.observe({ type: "layout-shift", buffered: true });
window.allShifts = () => (add(window.shiftObserver.takeRecords()), window.layoutShift);
"""

# The cards showing a letter tile, not a cover, by id.
LETTER_TILES = """cs => cs.filter(c => c.querySelector('.cover.placeholder'))
    .map(c => Number(c.dataset.malId))"""
# The fonts and the covers on screen are in (the late arrivals that could shift what is seen;
# covers below the fold load lazily, on scrolling).
ALL_IN = """() => document.fonts.status === "loaded"
    && [...document.querySelectorAll("#recommendations img")]
        .filter((i) => i.getBoundingClientRect().top < innerHeight).every((i) => i.complete)"""


@contextmanager
def opened(browser, url: str, **options) -> Iterator[Session]:
    """open_site, closed again at the end of the block."""
    session = open_site(browser, url, **options)
    try:
        yield session
    finally:
        session.page.context.close()


def fake_cover(route) -> None:
    """A cover-like image per faked cover URL (…/cover/ID.jpg): a coloured poster, so the
    screenshots show what covers look like."""
    mal_id = int(route.request.url.rsplit("/", 1)[1].split(".")[0])
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="142">'
        f'<rect width="100" height="142" fill="hsl({mal_id * 47 % 360} 55% 42%)"/>'
        f'<circle cx="70" cy="40" r="22" fill="hsl({mal_id * 91 % 360} 70% 70%)"/>'
        f'<path d="M0 142 L40 80 L70 120 L100 90 L100 142Z" fill="rgb(0 0 0 / .35)"/></svg>'
    )
    route.fulfill(body=svg, content_type="image/svg+xml")


def save_for_readme(shot: Callable[[], bytes], name: str) -> None:
    """The screenshot `shot` takes as docs/NAME for the README, a 128-colour PNG (about a third
    of the bytes), only when asked (ANIMEREC_SCREENSHOTS=1): a test run leaves the tree as is."""
    if os.environ.get("ANIMEREC_SCREENSHOTS") != "1":
        return
    DOCS.mkdir(exist_ok=True)
    image = Image.open(BytesIO(shot())).convert("RGB")
    image.quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(DOCS / name, optimize=True)


def first_card_box(page) -> dict:
    """Where the first card rests (after the cards' FLIP animations), the page at its top."""
    page.wait_for_function("() => document.getAnimations().length === 0")
    page.evaluate("() => window.scrollTo(0, 0)")
    return page.eval_on_selector("#recommendations li.card", "c => c.getBoundingClientRect()"
                                 ".toJSON()")  # fmt: skip


def sideways_overflow(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def out_of_their_cards(page) -> list[str]:
    """The fields, buttons and texts of the source forms that stick out of their card."""
    return page.eval_on_selector_all("#source-forms .source", """forms => forms.flatMap((form) => {
        const card = form.getBoundingClientRect();
        return [...form.querySelectorAll("*")].filter((e) => {
          const box = e.getBoundingClientRect();
          return box.width && (box.left < card.left - 0.5 || box.right > card.right + 0.5);
        }).map((e) => `${form.id} ${e.tagName.toLowerCase()}#${e.id}`);
    })""")  # fmt: skip


def wait_for_covers(page) -> None:
    page.wait_for_selector("#recommendations img.cover", timeout=COVER_TIMEOUT_MS)


def axe_violations(page) -> list[str]:
    page.evaluate(AXE.read_text() + "; 0")
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: tags})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(' | '))",
        AXE_RULES,
    )
    return found


@dataclass(frozen=True)
class Visit:
    """A page of the view, and what it showed before its first list was asked for."""

    session: Session
    overflow: int  # sideways, in px
    outside: list[str]  # the source forms' parts that stuck out of their card
    violations: list[str]  # axe-core's


@pytest.fixture(scope="module")
def visits() -> Iterator[dict[tuple[int, int], Visit]]:
    """The shared pages, by the width and height they were opened at."""
    opened_visits: dict[tuple[int, int], Visit] = {}
    yield opened_visits
    close_visits(opened_visits)


def close_visits(visits: dict[tuple[int, int], Visit]) -> None:
    for kept in visits.values():
        kept.session.page.context.close()
    visits.clear()


SHARED_PAGE_FIXTURES = {"seen", "seen_phone"}


@pytest.fixture(autouse=True)
def visits_only_while_used(request: pytest.FixtureRequest, visits) -> None:
    """The shared pages closed once a test that does not use them runs (the tests that do are
    next to each other): an idle page still takes about 3% of a core (tools/BENCH.md)."""
    if not SHARED_PAGE_FIXTURES & set(request.fixturenames):
        close_visits(visits)


def shared_visit(browser, site_url: str, visits, viewport: dict, scheme: str) -> Visit:
    """The shared page opened at `viewport`, with faked covers, booted and looked at on first
    use; then its filters folded, its size `viewport` and its colour scheme `scheme` (the
    system's: the page follows it, having stored no choice)."""
    key = (viewport["width"], viewport["height"])
    if key not in visits:
        session = open_site(browser, site_url, viewport=viewport, color_scheme=scheme)
        page = session.page
        page.route(f"{COVER_CDN}file/cover/**", fake_cover)
        visits[key] = Visit(session, sideways_overflow(page), out_of_their_cards(page),
                            axe_violations(page))  # fmt: skip
    page = visits[key].session.page
    if page.is_visible("#filter-panel"):
        page.click("#filters-close")
    page.set_viewport_size(viewport)
    page.emulate_media(color_scheme=scheme)
    return visits[key]


@pytest.fixture
def seen(request: pytest.FixtureRequest, browser, site_url: str, visits) -> Visit:
    """The shared page of the test's viewport, in the test's colour scheme (light unless it
    names one)."""
    params = request.node.callspec.params
    return shared_visit(browser, site_url, visits, params["viewport"],
                        params.get("scheme", "light"))  # fmt: skip


@pytest.fixture
def seen_phone(browser, site_url: str, visits) -> Visit:
    """The shared phone page, light."""
    return shared_visit(browser, site_url, visits, PHONE, "light")


@pytest.mark.parametrize(
    ("name", "viewport", "scheme"),
    # phone-dark first: the phone page boots in the system's dark (phone, light, follows it)
    [("desktop", DESKTOP, "light"), ("phone-dark", PHONE, "dark"), ("phone", PHONE, "light")],
)
def test_results_first_with_covers(seen: Visit, name: str, viewport: dict, scheme: str) -> None:
    session, page = seen.session, seen.session.page
    assert seen.overflow <= 0
    assert seen.outside == []  # the file input was 360 px wide on a phone
    ask_anilist(page, "evanalxen")
    box = first_card_box(page)
    assert box["top"] >= 0 and box["bottom"] <= viewport["height"], box
    assert sideways_overflow(page) <= 0
    assert page.is_hidden("#source-forms") and page.is_visible("#list-bar")
    assert "evanalxen" in page.inner_text("#list-bar")
    assert page.is_hidden("#progress")
    wait_for_covers(page)
    shown = set(card_ids(page))
    asked = {i for call in session.cover_calls for i in call}
    assert asked and asked <= shown_ids(page), "the covers query asked for titles not shown"
    srcs = page.eval_on_selector_all("#recommendations img.cover", "is => is.map(i => i.src)")
    assert all(s.startswith("https://s4.anilist.co/") for s in srcs)
    odd = [i for i in shown if i % 2]  # the fake has no cover for odd ids: letter tiles
    tiles = page.eval_on_selector_all("#recommendations li.card", LETTER_TILES)
    assert tiles == [i for i in card_ids(page) if i in odd]
    page.wait_for_function(ALL_IN)
    first_card_box(page)  # at rest, at the top
    save_for_readme(lambda: page.screenshot(scale="css"), f"screenshot-{name}.png")


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_axe_finds_no_violation(seen: Visit, viewport: dict) -> None:
    page = seen.session.page
    assert seen.violations == [], "empty page"
    ask_anilist(page, "evanalxen")
    wait_for_covers(page)
    page.wait_for_selector("#stats svg")
    assert axe_violations(page) == [], "with results"
    open_filters(page)
    assert axe_violations(page) == [], "filters open"
    page.emulate_media(color_scheme="dark")
    assert axe_violations(page) == [], "dark mode"


def test_phone_360_has_no_sideways_scroll_and_big_tap_targets(seen_phone: Visit) -> None:
    """The phone page narrowed to 360 px (a layout that follows the viewport, as on a phone
    turned or a smaller one) with a list of its own."""
    page = seen_phone.session.page
    page.set_viewport_size({"width": 360, "height": 740})
    upload(page, XML)
    page.wait_for_selector("#stats svg")
    assert sideways_overflow(page) <= 0
    small = page.eval_on_selector_all(  # a checkbox's target is its whole label
        "#results button, #results input, #results select, #results a, header button",
        "els => els.filter(e => e.offsetParent !== null)"
        ".map(e => e.type === 'checkbox' ? e.closest('label') : e)"
        ".map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect().height])"
        ".filter(([, h]) => Math.round(h) < 44)",  # sub-pixel layout: 43.9995 px is 44
    )
    assert small == []
    charts = page.eval_on_selector_all("#stats svg", "ss => ss.map(s => "
                                       "s.getBoundingClientRect().right)")  # fmt: skip
    assert charts and max(charts) <= 360
    open_filters(page)  # the filter drawer fits too, and keeps the focus
    assert sideways_overflow(page) <= 0
    page.focus("#filters button.chip >> nth=-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "filters-close"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.dataset.genre")  # the last chip again


def test_dark_mode_follows_the_system_and_the_toggle(seen_phone: Visit) -> None:
    """On the shared phone page, its last user: the toggle's choice is stored and reloaded."""
    page = seen_phone.session.page
    background = "() => getComputedStyle(document.documentElement).backgroundColor"
    light_system = page.evaluate(background)
    page.emulate_media(color_scheme="dark")  # the system turns dark: the page follows
    dark = page.evaluate(background)
    # The toggle hears of it by the media query's `change` event, which comes at the next frame.
    page.wait_for_function("() => document.getElementById('theme-toggle').ariaPressed === 'true'")
    assert dark != light_system
    page.click("#theme-toggle")
    light = page.evaluate(background)
    assert light != dark and page.get_attribute("#theme-toggle", "aria-pressed") == "false"
    # The choice is applied before the first paint (web/js/theme.js, in the head): the
    # reloaded page is looked at once its document is parsed, not booted again.
    page.reload(wait_until="domcontentloaded")
    assert page.evaluate(background) == light, "the choice was not remembered"


def test_not_interested_undo_restore_and_reload(browser, site_url: str) -> None:
    with opened(browser, site_url) as session:
        page = session.page
        page.evaluate(COUNT_MODEL_CALLS)
        assert model_calls(page, lambda: upload(page, XML)) > 0  # the counter counts
        before = card_ids(page)

        def dismiss() -> None:
            page.click("#recommendations li.card >> nth=0 >> button.dismiss")
            page.wait_for_function(
                "(id) => !document.querySelector(`li.card[data-mal-id='${id}']`)", arg=before[0]
            )

        assert model_calls(page, dismiss) == 0
        after = card_ids(page)
        assert after[:-1] == before[1:] and len(after) == len(before)  # refilled at once
        page.wait_for_selector("#undo button")  # drawn after the cards
        assert page.is_visible("#hidden-titles")
        page.click("#undo button")
        page.wait_for_function(
            "(id) => document.querySelector('li.card')?.dataset.malId === String(id)",
            arg=before[0],
        )
        assert card_ids(page) == before and page.is_hidden("#hidden-titles")
        page.click("#recommendations li.card >> nth=1 >> button.dismiss")
        page.wait_for_selector("#hidden-list li", state="attached")
        page.reload()
        page.wait_for_selector("body.ready")
        upload(page, XML)
        assert before[1] not in card_ids(page), "the hidden title came back after a reload"
        page.click("#hidden-titles summary")
        page.click("#hidden-list button")
        page.wait_for_function("(id) => document.querySelector(`li.card[data-mal-id='${id}']`)",
                               arg=before[1])  # fmt: skip


def test_covers_off_asks_nothing_and_refused_covers_are_silent(browser, site_url: str) -> None:
    """Covers a past visit turned off are never asked for, and once turned on the same page asks.
    AniList refusing them (429) leaves letter tiles: no error, no delay, and no more asking
    during the visit (a filter change, the next list and its explanations' re-render do not
    retry)."""
    stored = "localStorage.setItem('animerec:covers', 'off')"  # as a past visit left it
    refused = []

    def refuse_covers(route) -> None:
        if "ids" not in (route.request.post_data_json or {}).get("variables", {}):
            route.fallback()
            return
        refused.append(route.request.url)
        route.fulfill(
            status=429,
            json={"errors": [{"message": "Too Many Requests.", "status": 429}]},
            headers={"Access-Control-Allow-Origin": "*", "Retry-After": "30"},
        )

    with opened(browser, site_url, init_script=stored) as session:
        page = session.page
        ask_anilist(page, "evanalxen")  # to its end: the cards, then the explanations' re-render
        assert not page.is_checked("#covers-toggle")
        assert session.cover_calls == []
        assert page.eval_on_selector_all("#recommendations img", "is => is.length") == 0
        page.click("#covers-toggle")  # and the same page does ask once they are on
        wait_for_covers(page)
        asked = {i for call in session.cover_calls for i in call}
        assert asked
        page.route(ANILIST_API.rstrip("/"), refuse_covers)  # from now on AniList refuses
        open_filters(page)
        page.fill("#filters [name=n]", "60")  # more titles, their covers not yet asked for
        page.wait_for_function(  # the cards, not the "continue what you love" shelf's
            "() => document.querySelectorAll('#recommendations li.card').length === 60"
        )
        ask_anilist(page, "evanalxen")  # its answer comes after any request the change made
        assert len(refused) == 1 and {i for c in session.cover_calls for i in c} == asked
        assert page.is_hidden("#error") and len(card_ids(page)) == 60
        tiles = page.eval_on_selector_all("#recommendations li.card", LETTER_TILES)
        assert set(card_ids(page)) - asked <= set(tiles), "a refused cover is not a letter tile"
        assert "Done." in page.inner_text("#status")


def test_keyboard_walk(browser, site_url: str) -> None:
    """All three sources, the filters, "not interested" and undo, with the keyboard only."""
    with opened(browser, site_url) as session:
        page = session.page
        kb = page.keyboard
        page.focus("#anilist-user")  # the first field: Tab order is checked from here on
        kb.type("evanalxen")
        run_and_wait(page, lambda: kb.press("Enter"))
        assert card_ids(page)
        page.focus("#change-list")
        kb.press("Enter")
        assert page.evaluate("document.activeElement.id") == "anilist-user"
        kb.press("Tab")
        kb.press("Tab")  # past the AniList button to the Kitsu field
        assert page.evaluate("document.activeElement.id") == "kitsu-user"
        kb.press("Tab")
        kb.press("Tab")  # past the Kitsu button to the file field
        assert page.evaluate("document.activeElement.id") == "file-input"
        page.set_input_files("#file-input", str(XML))  # the file dialog is the OS's, not ours
        kb.press("Tab")
        run_and_wait(page, lambda: kb.press("Enter"))
        assert page.is_hidden("#error")
        page.focus("#change-list")
        kb.press("Enter")
        page.focus("#search-input")
        kb.type("steins")
        page.wait_for_selector("#search-results[data-query=steins] li")  # the last keystroke's
        # An earlier keystroke's hits, late (as from Python's worker), leave the list alone.
        page.evaluate("() => animerec.ui.renderSearchResults('stein', '[]')")
        assert page.locator("#search-results[data-query=steins] li").count() > 0
        kb.press("Tab")  # the score
        kb.press("Tab")  # Add
        kb.press("Enter")
        page.wait_for_selector("#rated li")
        page.focus("#rate-form button[type=submit]")
        run_and_wait(page, lambda: kb.press("Enter"))
        ids = card_ids(page)
        page.focus("#filters-toggle")
        kb.press("Enter")
        assert page.is_visible("#filter-panel")
        page.focus("#filters button.chip[data-genre=Comedy]")
        before = int(page.evaluate("document.body.dataset.renders"))
        kb.press("Enter")
        kb.press("Enter")  # once: required, twice: excluded
        page.wait_for_function("(n) => Number(document.body.dataset.renders) > n", arg=before)
        assert "nogenre=Comedy" in page.url
        kb.press("Escape")
        assert page.is_hidden("#filter-panel")
        assert page.evaluate("document.activeElement.id") == "filters-toggle"
        assert page.inner_text("#filters-toggle") == "Filters (1)"  # the folded panel says so
        ids = card_ids(page)
        page.focus("#recommendations li.card >> nth=0 >> button.dismiss")
        kb.press("Enter")
        page.wait_for_selector("#undo button")
        assert page.evaluate("document.activeElement.textContent") == "Undo"
        page.wait_for_function(  # the cards are drawn after the undo line
            "(id) => !document.querySelector(`li.card[data-mal-id='${id}']`)", arg=ids[0]
        )
        assert ids[0] not in card_ids(page)
        kb.press("Enter")
        page.wait_for_function("(id) => document.querySelector('li.card').dataset.malId == id",
                               arg=ids[0])  # fmt: skip
        assert card_ids(page) == ids


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE])
def test_layout_shift_from_first_paint_to_explanations(browser, site_url, viewport) -> None:
    """A shared link (?anilist=NAME) loads, answers and explains without the page jumping."""
    url = site_url + "?anilist=evanalxen"
    with opened(browser, url, init_script=RECORD_SHIFTS, viewport=viewport) as session:
        page = session.page
        page.wait_for_selector("body[data-runs]:not(.busy)", timeout=60_000)
        assert page.is_visible("#fresh")  # the "New for you" shelf came after the first cards
        wait_for_covers(page)
        page.wait_for_function(ALL_IN)  # what could still move the page: covers and fonts
        assert page.evaluate("window.allShifts()") <= MAX_CLS
