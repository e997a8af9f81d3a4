"""The "New for you" shelf (issue 21) in Chromium, on a real MyAnimeList export that holds
2021–2024 titles: the cold-start model loads after the first cards; the shelf shows titles of
the last seasons that are not on the list, each with its match and what its place rests on, and
their covers; a type filter and "not interested" apply to it; nothing but AniList is contacted;
axe-core finds nothing at 1280×800 and 390×844; a cold-start model that does not match the
manifest is refused, and the page goes on without the shelf. (That the first screen does not
move when it appears: tests/browser/test_view.py's layout-shift test.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from animerec.catalog import EXTRA_FILE, Catalog
from animerec.franchise import Titles
from animerec.fresh import FRESH_FILE, SHELF_SIZE

from .conftest import Session, card_ids, open_filters, open_site, shown_ids
from .test_site import N_CARDS, XML_V110, upload, watched_ids
from .test_view import DESKTOP, PHONE, axe_violations

pytestmark = pytest.mark.browser

# When the first cards were drawn (ms since the epoch), to compare with the model files' fetches
# (the page's Python fetches them from its worker, whose requests only Playwright sees).
RECORD_FIRST_CARDS = """
new MutationObserver((_, observer) => {
  if (document.querySelector("#recommendations li.card")) {
    window.firstCardsAt = performance.timeOrigin + performance.now();
    observer.disconnect();
  }
}).observe(document, { childList: true, subtree: true });
"""
SHELF = "#fresh-cards li.card"
COVER_TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def app(browser, site_url) -> Session:
    session = open_site(browser, site_url, init_script=RECORD_FIRST_CARDS)
    session.fetches = []
    session.page.on("requestfinished", lambda request: session.fetches.append(request))
    upload(session.page, XML_V110)
    yield session
    session.page.context.close()


@pytest.fixture(scope="module")
def titles(models_dir: Path) -> Titles:
    def read(name: str) -> Catalog:
        return Catalog.from_json(json.loads((models_dir / name).read_text()))

    return Titles(read("catalog.json"), read(EXTRA_FILE))


def shelf(page) -> list[dict]:
    return page.eval_on_selector_all(SHELF, """cs => cs.map(c => ({
        id: Number(c.dataset.malId), text: c.innerText,
        match: c.querySelector('.match')?.textContent || '',
        reason: c.querySelector('.reason')?.textContent || ''}))""")  # fmt: skip


def changed(page, action) -> None:
    """Do `action` (a filter or "not interested") and wait until the results are drawn again."""
    renders = int(page.evaluate("document.body.dataset.renders || 0"))
    action()
    page.wait_for_function("(n) => Number(document.body.dataset.renders || 0) > n", arg=renders)


def test_the_shelf_loads_after_the_first_cards(app: Session) -> None:
    page = app.page
    assert page.is_hidden("#error"), page.inner_text("#error")
    assert page.is_visible("#fresh")
    [fetched] = [r for r in app.fetches if r.url.endswith(f"/{FRESH_FILE}")]
    assert fetched.timing["startTime"] > page.evaluate("window.firstCardsAt")


def test_recent_titles_off_the_list_with_what_they_rest_on(
    app: Session, models_dir: Path, titles: Titles
) -> None:
    since = json.loads((models_dir / FRESH_FILE).read_text())["since_year"]
    cards = shelf(app.page)
    assert 0 < len(cards) <= SHELF_SIZE
    assert not {c["id"] for c in cards} & watched_ids(XML_V110)
    assert all(titles.by_mal_id(c["id"]).year >= since for c in cards)
    assert all(c["match"].endswith("% match") for c in cards)
    unscored = [c for c in cards if not titles.scored(c["id"])]
    assert unscored, "no title the model does not score made the shelf"
    assert all(c["reason"] for c in unscored), unscored


def test_the_shelf_asks_for_its_covers(app: Session) -> None:
    page = app.page
    page.wait_for_selector(f"{SHELF} img.cover", timeout=COVER_TIMEOUT_MS)
    asked = {i for call in app.cover_calls for i in call}
    assert {c["id"] for c in shelf(page)} & asked
    assert asked <= shown_ids(page), "the covers query asked for titles not shown"


def test_a_type_filter_applies_to_the_shelf(app: Session) -> None:
    page = app.page
    before = shelf(page)
    assert any("TV" in c["text"] for c in before)
    open_filters(page)
    changed(page, lambda: page.check("#filters input[name=types][value=Movie]"))
    try:
        after = shelf(page)
        assert all("Movie" in c["text"] for c in after)
        assert not {c["id"] for c in before if "Movie" not in c["text"]} & {c["id"] for c in after}
    finally:
        changed(page, lambda: page.uncheck("#filters input[name=types][value=Movie]"))
        page.click("#filters-close")


def test_not_interested_takes_a_title_off_the_shelf(app: Session, titles: Titles) -> None:
    page = app.page
    first = shelf(page)[0]["id"]
    changed(page, lambda: page.click(f"{SHELF}[data-mal-id='{first}'] button.dismiss"))
    assert first not in [c["id"] for c in shelf(page)]
    page.wait_for_selector("#undo button")  # drawn after the cards
    assert titles.by_mal_id(first).title in page.inner_text("#undo")
    changed(page, lambda: page.click("#undo button"))
    assert shelf(page)[0]["id"] == first


def test_only_anilist_leaves_the_origin(app: Session) -> None:
    assert app.foreign_requests() == []


def test_axe_finds_no_violation_with_the_shelf(app: Session) -> None:
    page = app.page
    try:
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            assert axe_violations(page) == [], viewport
    finally:
        page.set_viewport_size(DESKTOP)


def test_a_tampered_cold_start_model_is_refused_and_the_page_goes_on(
    browser, site_url: str, models_dir: Path
) -> None:
    """fresh.json differs from the manifest by one byte: refused, the cards and the rest of the
    page are there, without the shelf."""
    real = (models_dir / FRESH_FILE).read_bytes()
    tampered = real.replace(b'"since_year":2', b'"since_year":1', 1)
    assert tampered != real
    served: list[str] = []

    def tamper(route) -> None:
        served.append(route.request.url)
        route.fulfill(status=200, body=tampered)

    session = open_site(browser, site_url, service_workers="block")  # the route sees every fetch
    page = session.page
    page.route(f"**/{FRESH_FILE}", tamper)
    try:
        upload(page, XML_V110)
        assert served, "the page did not ask for the cold-start model"
        assert page.is_hidden("#error"), page.inner_text("#error")
        assert len(card_ids(page)) == N_CARDS and "Done." in page.inner_text("#status")
        assert page.is_hidden("#fresh") and not shelf(page)
    finally:
        page.context.close()
