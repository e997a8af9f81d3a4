"""Issue 4 in Chromium: each filter control changes the list the way it says (checked against the
catalog and the profile, not against the page's own code), without running the model again;
explanations come from the profile; stats charts render; the view lives in the URL (fresh page,
back/forward); cards move with FLIP unless reduced motion is asked for; a second model folder
brings a model selector that switches. One page load serves every control test."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from animerec import stats
from animerec.catalog import EXTRA_FILE, Catalog
from animerec.filters import Filters, from_query
from animerec.franchise import Titles
from animerec.parsers import parse_profile_file
from animerec.profile import Profile, Status
from animerec.ranking import Candidates, RankContext

from tools import dist
from tools.serve import serve_in_thread

from .conftest import ROOT, SHARED, Session, card_ids, open_filters, open_site, run_and_wait
from .test_site import ask_anilist, upload

pytestmark = pytest.mark.browser

IGORV = SHARED / "mal-export-v110-igorv.xml"  # watching + plan-to-watch entries
EVANALXEN = SHARED / "mal-export-xinil-evanalxen.xml"  # completed + dropped entries
RENDER_TIMEOUT_MS = 15_000
# Records the keyframes of every card animation (flip.js uses the Web Animations API).
RECORD_ANIMATIONS = """
window.cardAnimations = [];
const animate = Element.prototype.animate;
Element.prototype.animate = function (keyframes, options) {
  if (this.matches("li.card")) window.cardAnimations.push(JSON.stringify(keyframes));
  return animate.call(this, keyframes, options);
};
"""
# Counts model calls in window.modelCalls (Python looks up animerec.model.predict* per call).
COUNT_MODEL_CALLS = """() => {
  window.modelCalls = 0;
  const model = animerec.model;
  for (const name of ["predict", "predictBatch"]) {
    const call = model[name];
    model[name] = (...args) => { window.modelCalls += 1; return call(...args); };
  }
}"""


def model_calls(page, action: Callable[[], object]) -> int:
    """How many times `action` ran the model (COUNT_MODEL_CALLS installed on the page)."""
    page.evaluate("window.modelCalls = 0")
    action()
    return page.evaluate("window.modelCalls")


# Clicks a genre chip until its mode is `mode` (three presses go round every mode).
PRESS_UNTIL = """(chip, mode) => {
  for (let i = 0; i < 3 && chip.dataset.mode !== mode; i++) chip.click();
}"""


class App:
    """The page the control tests share: one profile at a time, filters reset before each use."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.page = session.page
        self.loaded: Path | None = None

    def use(self, path: Path) -> Profile:
        if self.loaded != path:  # the model runs, and the counter shows it (it can fail)
            assert model_calls(self.page, lambda: upload(self.page, path)) > 0
            self.loaded = path
        open_filters(self.page)
        if from_query(urlsplit(self.page.url).query) != Filters():
            self.change(lambda: self.page.click("#filters button.reset"))
        return parse_profile_file(path.read_bytes(), path.name)

    def change(self, action: Callable[[], None]) -> list[int]:
        """Do `action` on the controls, wait for the re-render, check the model did not run;
        returns the listed ids."""
        page = self.page
        before = int(page.evaluate("document.body.dataset.renders || 0"))

        def act() -> None:
            action()
            page.wait_for_function(  # a function, not an expression: the CSP forbids eval
                "(n) => Number(document.body.dataset.renders || 0) > n", arg=before,
                timeout=RENDER_TIMEOUT_MS,
            )  # fmt: skip

        assert model_calls(page, act) == 0, "a control change ran the model"
        assert page.is_hidden("#error")
        return card_ids(page)

    def genre(self, name: str, mode: str) -> list[int]:
        """Press the genre's chip until it is in `mode` ("", "require" or "exclude"), all
        presses in one task: presses a loaded machine spread wider than the form's debounce
        would each be a change of their own, and each its own history entry."""
        chip = self.page.locator(f"#filters button.chip[data-genre='{name}']")
        ids = self.change(lambda: chip.evaluate(PRESS_UNTIL, mode))
        assert url_genre_mode(self.page, name) == mode
        return ids

    def field(self, name: str, value: str) -> list[int]:
        return self.change(lambda: self.page.fill(f"#filters [name={name}]", value))


@pytest.fixture(scope="module")
def app(browser, site_url: str) -> App:
    session = open_site(browser, site_url, init_script=RECORD_ANIMATIONS)
    session.page.evaluate(COUNT_MODEL_CALLS)
    yield App(session)
    session.page.context.close()


@pytest.fixture(scope="module")
def catalog(models_dir: Path) -> Catalog:
    return Catalog.from_json(json.loads((models_dir / "catalog.json").read_text()))


@pytest.fixture(scope="module")
def titles(models_dir: Path, catalog: Catalog) -> Titles:
    """The model's catalog and the recognized titles, as the page has them after the first cards."""
    extra = json.loads((models_dir / EXTRA_FILE).read_text())
    return Titles(catalog, Catalog.from_json(extra))


def candidates(profile: Profile, titles: Titles) -> Candidates:
    """The profile-dependent sets the ranking filters on (scores do not matter for those)."""
    catalog = titles.catalog
    return Candidates(RankContext(catalog), profile, [0.0] * len(catalog), titles)


def mal_ids(indices: set[int], catalog: Catalog) -> set[int]:
    return {catalog[i].mal_id for i in indices}


def genre_mode(page, name: str) -> str:
    return page.get_attribute(f"#filters button.chip[data-genre='{name}']", "data-mode")


def url_genre_mode(page, name: str) -> str:
    """The genre's mode as the page's URL (the view last rendered) has it."""
    filters = from_query(urlsplit(page.url).query)
    return next((mode for mode, genres in (("require", filters.genres_required),
                                           ("exclude", filters.genres_excluded))
                 if name in genres), "")  # fmt: skip


def card_genres(page) -> dict[int, list[str]]:
    return {
        int(k): v.split(", ") if v else []
        for k, v in page.eval_on_selector_all(
            "#recommendations li.card",
            "cs => cs.map(c => [c.dataset.malId, c.querySelector('.genres')?.textContent || ''])",
        )
    }


def planned_cards(page) -> set[int]:
    return {int(x) for x in page.eval_on_selector_all(
        "li.card.planned", "cs => cs.map(c => c.dataset.malId)")}  # fmt: skip


def test_controls_are_labelled(app: App) -> None:
    app.use(IGORV)
    unlabelled = app.page.eval_on_selector_all(
        "#filters input, #filters select",
        "els => els.filter(e => !e.labels || !e.labels.length || !e.labels[0].textContent.trim())"
        ".map(e => e.outerHTML)",
    )
    assert unlabelled == []
    legends = app.page.eval_on_selector_all(
        "#filters fieldset", "fs => fs.map(f => f.querySelector('legend')?.textContent)"
    )
    assert len(legends) >= 6 and all(legends)
    assert app.page.is_hidden("#model-choice"), "one model: no selector"


def test_exclude_genre(app: App, catalog: Catalog) -> None:
    app.use(IGORV)
    before = card_ids(app.page)
    assert any("Comedy" in g for g in card_genres(app.page).values())
    after = app.genre("Comedy", "exclude")
    assert after != before and len(after) == len(before)
    for mal_id, genres in card_genres(app.page).items():
        assert "Comedy" not in genres
        assert "Comedy" not in catalog.by_mal_id(mal_id).genres
    assert "nogenre=Comedy" in app.page.url


def test_require_genre(app: App, catalog: Catalog) -> None:
    app.use(IGORV)
    ids = app.genre("Romance", "require")
    assert ids
    for mal_id, genres in card_genres(app.page).items():
        assert "Romance" in genres and "Romance" in catalog.by_mal_id(mal_id).genres


def test_type(app: App, catalog: Catalog) -> None:
    app.use(IGORV)
    ids = app.change(lambda: app.page.check("#filters input[name=types][value=Movie]"))
    assert ids and all(catalog.by_mal_id(i).type == "Movie" for i in ids)
    facts = app.page.eval_on_selector_all(
        "#recommendations li.card .facts", "ps => ps.map(p => p.textContent)"
    )
    assert all(f.startswith("Movie") for f in facts)


def test_year_range(app: App, catalog: Catalog) -> None:
    app.use(IGORV)
    app.field("year_min", "2005")
    ids = app.field("year_max", "2008")
    assert ids and all(2005 <= catalog.by_mal_id(i).year <= 2008 for i in ids)
    assert "from=2005" in app.page.url and "to=2008" in app.page.url


def test_minimum_popularity(app: App, catalog: Catalog) -> None:
    app.use(IGORV)
    ids = app.field("min_popularity", "500000")
    assert ids and all(catalog.by_mal_id(i).popularity >= 500_000 for i in ids)


def test_niche_boost_lowers_popularity(app: App, catalog: Catalog) -> None:
    app.use(IGORV)

    def mean_log_popularity(ids: list[int]) -> float:
        return sum(math.log(max(catalog.by_mal_id(i).popularity, 1)) for i in ids) / len(ids)

    before = card_ids(app.page)
    after = app.change(lambda: app.page.press("#filters [name=niche]", "End"))  # slider to max
    assert mean_log_popularity(after) < mean_log_popularity(before) - 1.0
    assert "niche=2" in app.page.url


def test_number_of_results(app: App) -> None:
    app.use(IGORV)
    before = card_ids(app.page)
    assert app.field("n", "10") == before[:10]


def test_plan_to_watch_show_hide_boost(app: App, catalog: Catalog) -> None:
    profile = app.use(IGORV)
    planned = {e.mal_id for e in profile.entries if e.status is Status.PLAN_TO_WATCH}
    shown = set(card_ids(app.page)) & planned
    assert planned_cards(app.page) == shown  # "show": listed where they rank, and marked
    hidden = app.change(lambda: app.page.select_option("#filters [name=plan_to_watch]", "hide"))
    assert not set(hidden) & planned and not planned_cards(app.page)
    boosted = app.change(lambda: app.page.select_option("#filters [name=plan_to_watch]", "boost"))
    assert len(set(boosted) & planned) > len(shown)
    assert planned_cards(app.page) == set(boosted) & planned


def test_unstarted_sequels(app: App, catalog: Catalog, titles: Titles) -> None:
    profile = app.use(IGORV)
    sequels = mal_ids(candidates(profile, titles).unstarted_sequels, catalog)
    assert not set(card_ids(app.page)) & sequels  # on by default
    shown = app.change(lambda: app.page.uncheck("#filters [name=hide_unstarted_sequels]"))
    assert set(shown) & sequels
    assert "sequels=show" in app.page.url


def test_dropped_related(app: App, catalog: Catalog, titles: Titles) -> None:
    profile = app.use(EVANALXEN)
    related = mal_ids(candidates(profile, titles).dropped_related, catalog)
    dropped = {e.mal_id for e in profile.entries if e.status is Status.DROPPED}
    related -= dropped  # the dropped titles themselves stay hidden either way
    assert not set(card_ids(app.page)) & related  # on by default
    shown = app.change(lambda: app.page.uncheck("#filters [name=hide_dropped_related]"))
    assert set(shown) & related
    assert not set(shown) & dropped


def test_explanations_are_on_the_profile(app: App) -> None:
    profile = app.use(EVANALXEN)
    watched = {e.mal_id for e in profile.entries if e.status is not Status.DROPPED}

    def check_explanations() -> None:
        why = app.page.eval_on_selector_all(
            "#recommendations li.card",  # the cards: the shelves explain in other words
            "cs => cs.map(c => [...c.querySelectorAll('.because span')]"
            ".map(s => Number(s.dataset.malId)))",
        )
        assert sum(1 for ids in why if ids) >= len(why) * 0.8
        for ids in why:
            assert len(ids) <= 3 and len(set(ids)) == len(ids)
            assert set(ids) <= watched

    check_explanations()
    app.genre("Action", "require")  # re-explained without a model call (change() checks)
    check_explanations()


def test_stats_charts(app: App, catalog: Catalog, titles: Titles) -> None:
    profile = app.use(EVANALXEN)
    labels = app.page.eval_on_selector_all(
        "#stats svg[role=img]", "svgs => svgs.map(s => s.getAttribute('aria-label'))"
    )
    assert labels[:3] == ["Score distribution", "Top genres", "Type mix"]
    assert labels[3].startswith("Mainstream")
    want = stats.summary(stats.profile_stats(profile, catalog, titles.extra))
    assert app.page.inner_text("#stats .stats-summary") == want
    heights = app.page.eval_on_selector_all(
        "#stats svg >> nth=0 >> rect.bar", "rs => rs.map(r => +r.getAttribute('height'))"
    )
    counts = stats.profile_stats(profile, catalog).score_counts
    assert [h > 0 for h in heights] == [c > 0 for c in counts]


def test_flip_animation_and_reduced_motion(app: App) -> None:
    app.use(IGORV)
    page = app.page
    page.evaluate("window.cardAnimations.length = 0")
    app.genre("Drama", "exclude")
    moved = page.evaluate("window.cardAnimations")
    assert any("translate(" in k for k in moved), "no card slid to its new place"
    page.emulate_media(reduced_motion="reduce")
    try:
        page.evaluate("window.cardAnimations.length = 0")
        app.genre("Drama", "")
        assert page.evaluate("window.cardAnimations") == []
        assert page.evaluate("document.getAnimations().length") == 0
    finally:
        page.emulate_media(reduced_motion="no-preference")


def test_back_and_forward(app: App) -> None:
    app.use(IGORV)
    page = app.page
    default = card_ids(page)
    no_comedy = app.genre("Comedy", "exclude")
    tv_only = app.change(lambda: page.check("#filters input[name=types][value=TV]"))
    assert len({tuple(default), tuple(no_comedy), tuple(tv_only)}) == 3
    assert app.change(page.go_back) == no_comedy
    assert not page.is_checked("#filters input[name=types][value=TV]")
    assert genre_mode(page, "Comedy") == "exclude"
    assert app.change(page.go_back) == default
    assert genre_mode(page, "Comedy") == ""
    assert app.change(page.go_forward) == no_comedy
    assert app.change(page.go_forward) == tv_only
    assert page.is_checked("#filters input[name=types][value=TV]")


def test_url_round_trip(app: App, browser, site_url: str) -> None:
    app.use(IGORV)
    page = app.page
    assert model_calls(page, lambda: ask_anilist(page, "evanalxen")) > 0  # a list a URL can name
    app.loaded = None
    app.genre("Comedy", "exclude")
    app.change(lambda: page.check("#filters input[name=types][value=TV]"))
    app.field("year_min", "2010")
    app.field("n", "20")
    want = card_ids(page)
    url = page.url
    assert "anilist=evanalxen" in url and "nogenre=Comedy" in url
    fresh = open_site(browser, url)
    try:
        fresh.page.wait_for_selector("#recommendations li.card", timeout=60_000)
        assert card_ids(fresh.page) == want
        assert fresh.page.input_value("#filters [name=year_min]") == "2010"
        assert genre_mode(fresh.page, "Comedy") == "exclude"
        assert fresh.page.is_checked("#filters input[name=types][value=TV]")
    finally:
        fresh.page.context.close()


@pytest.fixture(scope="module")
def two_model_site(tmp_path_factory, site_url: str):
    """The site built with models/default and a copy named "second" (another manifest name)."""
    root = tmp_path_factory.mktemp("two-models")
    models = root / "models"
    source = ROOT / "dist" / "models" / "default"
    shutil.copytree(source, models / "default")
    shutil.copytree(source, models / "second")
    manifest = json.loads((models / "second" / "manifest.json").read_text())
    manifest["name"] = "second-model"
    (models / "second" / "manifest.json").write_text(json.dumps(manifest))
    url, stop = serve_in_thread(dist.build(root / "dist", models))
    yield url
    stop()


def test_model_selector_switches(browser, two_model_site: str) -> None:
    session = open_site(browser, two_model_site + "?anilist=evanalxen")
    page = session.page
    try:  # the whole first run (cards come before explanations): a busy page refuses a switch
        page.wait_for_selector("body[data-runs]:not(.busy)", timeout=60_000)
        assert page.is_visible("#model-select")
        options = page.eval_on_selector_all("#model-select option", "os => os.map(o => o.text)")
        assert len(options) == 2 and "second-model" in options[1]
        first = card_ids(page)
        run_and_wait(page, lambda: page.select_option("#model-select", "second"))
        assert page.is_hidden("#error")
        assert "model=second" in page.url and "anilist=evanalxen" in page.url
        assert any("/models/second/model.json" in u for u in session.requests)
        assert card_ids(page) == first  # same weights, so the same list, re-run
        run_and_wait(page, page.go_back)  # back to the default model
        assert page.input_value("#model-select") == "default"
        assert "model=" not in page.url
    finally:
        page.context.close()
