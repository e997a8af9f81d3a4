"""The catalog map in Chromium: it loads only when opened, draws every catalog title (adult ones
only when shown), lights up the visitor's titles and the recommendations, dims what the filters
exclude, zooms with the wheel and the keyboard, opens the clicked title's card, and fits and
pans by touch on a phone."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from animerec.catalog import Catalog, is_adult
from animerec.parsers import parse_profile_file

from .conftest import (
    FIXTURES,
    SHARED,
    Session,
    card_ids,
    open_filters,
    open_site,
    open_sources,
    run_and_wait,
)
from .test_view import save_for_readme

pytestmark = pytest.mark.browser

XML = SHARED / "mal-export-xinil-evanalxen.xml"
ANILIST_LIST = FIXTURES / "anilist" / "list-evanalxen.json"
MAP_TIMEOUT_MS = 30_000
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}  # fmt: skip
LIST_WHITE, REC_YELLOW = (255, 255, 255), (255, 210, 63)
PIXEL = """([x, y]) => {
  const canvas = document.querySelector('#atlas canvas');
  const rect = canvas.getBoundingClientRect();
  const scale = canvas.width / rect.width;
  const data = canvas.getContext('2d').getImageData(
    Math.round((x - rect.left) * scale), Math.round((y - rect.top) * scale), 1, 1).data;
  return [data[0], data[1], data[2]];
}"""


def catalog_of(models_dir: Path) -> Catalog:
    return Catalog.from_json(json.loads((models_dir / "catalog.json").read_text()))


def with_results(session: Session) -> Session:
    page = session.page
    page.set_input_files("#file-input", str(XML))
    run_and_wait(page, lambda: page.click("#file-form button[type=submit]"))
    return session


def open_map(page) -> None:
    page.click("#map-toggle")
    page.wait_for_selector("#atlas[data-drawn]", timeout=MAP_TIMEOUT_MS)
    page.wait_for_function(
        "() => Number(document.getElementById('atlas').dataset.recs) > 0", timeout=MAP_TIMEOUT_MS
    )


def map_open(page) -> None:
    """The map shown, opened here unless an earlier test of the module opened it: each test
    runs alone too (`-k`)."""
    if page.get_attribute("#map-toggle", "aria-pressed") != "true":
        open_map(page)


def state(page) -> dict[str, float]:
    data = page.eval_on_selector("#atlas", "box => ({...box.dataset})")
    return {k: float(v) for k, v in data.items()}


def point(page, index: int) -> dict[str, float]:
    return page.evaluate("(i) => animerec.atlasView.clientPoint(i)", index)


def map_requests(session: Session) -> list[str]:
    """The map's script and files (its Python glue, web/py/atlas_*.py, boots with the page)."""
    return [u for u in session.requests if "atlas" in u and "/py/" not in u]


@pytest.fixture(scope="module")
def app(browser, site_url) -> Session:
    session = with_results(open_site(browser, site_url))
    yield session
    session.page.context.close()


def test_map_loads_on_first_open_and_draws_the_whole_catalog(
    app: Session, models_dir: Path
) -> None:
    page = app.page
    assert not map_requests(app), "the map's script or files loaded before it was opened"
    open_map(page)
    assert sorted(u.rsplit("/", 1)[1] for u in map_requests(app)) == [
        "atlas.bin", "atlas.js", "atlas.json"
    ]  # fmt: skip
    catalog = catalog_of(models_dir)
    n, adult = len(catalog), sum(map(is_adult, catalog))
    got = state(page)
    assert got["points"] == n and got["drawn"] == n - adult and got["unshown"] == adult
    assert got["labels"] > 0
    assert got["openMs"] < 3000  # a freeze: ten times bench.py's 300 ms target
    canvas = page.locator("#atlas canvas")
    assert "titles of the catalog" in canvas.get_attribute("aria-label")
    assert page.get_attribute("#map-toggle", "aria-pressed") == "true"
    assert page.locator("#recommendations li.card").count() > 0  # the list stays beside it
    save_for_readme(lambda: page.locator("#atlas").screenshot(), "atlas.png")


def test_visitor_titles_and_recommendations_are_lit_up(app: Session, models_dir: Path) -> None:
    page = app.page
    map_open(page)
    catalog = catalog_of(models_dir)
    profile = parse_profile_file(XML.read_bytes(), XML.name)
    listed = {i for e in profile.entries if (i := catalog.index_of(e.mal_id)) is not None}
    got = state(page)
    recs = card_ids(page)
    assert got["listed"] == len(listed)
    assert got["recs"] == len(recs)
    assert got["highlighted"] == len(listed) + len(recs)  # all in view at the first zoom
    rec_indices = [catalog.index_of(r) for r in recs]
    lit = [*rec_indices, *(sorted(listed - set(rec_indices)))]
    spots = page.evaluate("(ix) => ix.map((i) => animerec.atlasView.clientPoint(i))", lit)
    for group, colour in ((lit[: len(recs)], REC_YELLOW), (lit[len(recs) :], LIST_WHITE)):
        spot = next(p for k, p in zip(lit, spots, strict=True) if k in group and alone(p, spots))
        assert tuple(page.evaluate(PIXEL, [spot["x"], spot["y"]])) == colour


def alone(spot: dict[str, float], spots: list[dict[str, float]], gap: float = 12.0) -> bool:
    """No other lit-up title within `gap` CSS pixels of `spot` (its ring is drawn whole)."""
    return all(o is spot or abs(o["x"] - spot["x"]) + abs(o["y"] - spot["y"]) > gap for o in spots)


def test_filters_dim_what_they_exclude(app: Session, models_dir: Path) -> None:
    page = app.page
    map_open(page)
    catalog = catalog_of(models_dir)
    before = state(page)["dimmed"]
    run_renders = int(page.evaluate("document.body.dataset.renders || 0"))
    open_filters(page)  # a folded panel since the visitor's view (issue 13)
    page.check("#filters input[name=types][value=Movie]")
    page.wait_for_function("(n) => Number(document.body.dataset.renders || 0) > n", arg=run_renders)
    page.wait_for_function("() => Number(document.getElementById('atlas').dataset.dimmed) > 0")
    assert before == 0
    assert state(page)["dimmed"] == sum(i.type != "Movie" and not is_adult(i) for i in catalog)
    page.uncheck("#filters input[name=types][value=Movie]")
    page.wait_for_function("() => document.getElementById('atlas').dataset.dimmed === '0'")


def test_wheel_and_keys_zoom_and_a_click_opens_the_title(app: Session, models_dir: Path) -> None:
    page = app.page
    map_open(page)
    catalog = catalog_of(models_dir)
    page.locator("#atlas canvas").scroll_into_view_if_needed()
    box = page.locator("#atlas canvas").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = state(page)
    page.mouse.wheel(0, -600)
    page.wait_for_function(
        "(z) => Number(document.getElementById('atlas').dataset.zoom) > z", arg=before["zoom"]
    )
    zoomed = state(page)
    assert zoomed["drawn"] < before["drawn"]  # fewer titles in view
    page.locator("#atlas canvas").focus()
    page.keyboard.press("+")
    page.wait_for_function(
        "(z) => Number(document.getElementById('atlas').dataset.zoom) > z", arg=zoomed["zoom"]
    )
    page.keyboard.press("0")
    page.wait_for_function("() => document.getElementById('atlas').dataset.zoom === '1.000'")
    start = point(page, 0)
    page.keyboard.press("ArrowRight")  # looks further right: the titles move left
    assert point(page, 0)["x"] == pytest.approx(start["x"] - 60, abs=1)
    wanted = card_ids(page)[3]
    spot = point(page, catalog.index_of(wanted))
    page.mouse.move(spot["x"], spot["y"])
    page.mouse.wheel(0, -400)  # zooms about the pointer: the title stays under it
    page.wait_for_function("() => Number(document.getElementById('atlas').dataset.zoom) > 1.5")
    spot = point(page, catalog.index_of(wanted))
    page.mouse.click(spot["x"], spot["y"])
    card = page.wait_for_selector(".atlas-card li.card", timeout=MAP_TIMEOUT_MS)
    assert int(card.get_attribute("data-mal-id")) == wanted
    assert catalog.by_mal_id(wanted).title in card.inner_text()
    assert page.locator(".atlas-card a[href*='myanimelist.net']").count() == 1
    assert page.get_attribute(".atlas-tip", "data-index") == str(catalog.index_of(wanted))


def test_an_anilist_list_shows_its_covers_on_hover_and_in_the_card(
    app: Session, models_dir: Path
) -> None:
    page = app.page
    map_open(page)
    catalog = catalog_of(models_dir)
    collection = json.loads(ANILIST_LIST.read_text())["data"]["MediaListCollection"]
    entry = next(e["media"] for lst in collection["lists"] for e in lst["entries"]
                 if catalog.index_of(e["media"]["idMal"] or 0) is not None)  # fmt: skip
    index, cover = catalog.index_of(entry["idMal"]), entry["coverImage"]["large"]
    open_sources(page)  # folded into the "Your list" bar after an answer
    page.fill("#anilist-user", "evanalxen")
    run_and_wait(page, lambda: page.click("#anilist-form button[type=submit]"))
    page.locator("#atlas canvas").focus()
    page.keyboard.press("0")
    spot = point(page, index)
    page.mouse.move(spot["x"], spot["y"])
    page.mouse.wheel(0, -800)  # close enough that no other title is nearer the pointer
    page.wait_for_function("() => Number(document.getElementById('atlas').dataset.zoom) > 3")
    spot = point(page, index)
    page.mouse.move(spot["x"] + 1, spot["y"])
    page.wait_for_selector(f".atlas-tip[data-index='{index}']:not([hidden])")
    assert page.get_attribute(".atlas-tip img", "src") == cover
    assert catalog[index].title in page.inner_text(".atlas-tip")
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_selector(f".atlas-card li.card[data-mal-id='{entry['idMal']}'] img.cover")
    assert page.get_attribute(".atlas-card img.cover", "src") == cover


def refuses_a_damaged_map(page, models_dir: Path) -> None:
    """atlas.bin with a flipped byte: its sha256 check fails, the map stays closed and the page
    says why; the results stay."""
    data = bytearray((models_dir / "atlas.bin").read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged = lambda route: route.fulfill(body=bytes(data))  # noqa: E731
    page.route("**/models/default/atlas.bin", damaged)
    page.click("#map-toggle")
    page.wait_for_selector("#error:not([hidden])", timeout=MAP_TIMEOUT_MS)
    page.unroute("**/models/default/atlas.bin", damaged)
    assert "map could not be opened" in page.inner_text("#error")
    assert "damaged" in page.inner_text("#error")
    assert page.is_hidden("#atlas")
    assert page.get_attribute("#map-toggle", "aria-pressed") == "false"
    assert page.locator("#recommendations li.card").count() > 0


def test_a_damaged_map_is_refused_then_the_phone_fits_and_pans_by_touch(
    browser, site_url, models_dir: Path
) -> None:
    """One phone page for two tests (one boot fewer: tools/BENCH.md, "The suite's time"): a
    damaged atlas file is refused with a message, and once the file is whole again the map
    opens, fits the phone and pans and zooms by touch."""
    session = with_results(open_site(browser, site_url, **PHONE))
    page = session.page
    try:
        refuses_a_damaged_map(page, models_dir)
        open_map(page)
        page.locator("#atlas canvas").scroll_into_view_if_needed()
        box = page.locator("#atlas canvas").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        # The map and its tools fit (the loading panel's rows are wider on a phone: issue 13).
        assert page.eval_on_selector("#atlas", "box => box.scrollWidth <= box.clientWidth")
        assert page.eval_on_selector("#atlas", "box => box.getBoundingClientRect().right") <= 390
        cdp = page.context.new_cdp_session(page)
        start = point(page, 0)
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

        def touch(kind: str, *points: tuple[float, float]) -> None:
            cdp.send("Input.dispatchTouchEvent", {
                "type": kind, "touchPoints": [{"x": px, "y": py, "id": k}
                                              for k, (px, py) in enumerate(points)]})  # fmt: skip

        touch("touchStart", (x, y))
        for step in range(1, 6):
            touch("touchMove", (x + 12 * step, y + 8 * step))
        touch("touchEnd")
        moved = point(page, 0)
        assert moved["x"] - start["x"] == pytest.approx(60, abs=2)
        assert moved["y"] - start["y"] == pytest.approx(40, abs=2)
        zoom = state(page)["zoom"]
        touch("touchStart", (x - 20, y), (x + 20, y))
        for step in range(1, 6):
            touch("touchMove", (x - 20 - 10 * step, y), (x + 20 + 10 * step, y))
        touch("touchEnd")
        page.wait_for_function(
            "(z) => Number(document.getElementById('atlas').dataset.zoom) > z", arg=zoom * 1.5
        )
    finally:
        page.context.close()
