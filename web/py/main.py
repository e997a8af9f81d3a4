"""The page's controller (PyScript runs this): state and flow. It waits for the loader's catalog
and model, turns the visitor's list (`sources`) into recommendations (`pipeline`), re-ranks on
filter changes, "not interested" and back/forward, and hands what to show to the view. Every
JS global it uses and every event it receives goes through `bridge`."""

from __future__ import annotations

import asyncio
import gc
import json
import traceback
from array import array
from collections.abc import Awaitable, Callable
from functools import partial

import atlas_panel
import bridge
import controls
import pipeline
import sources
import together
import views
from animerec import anilist
from animerec.catalog import Catalog, Item
from animerec.covers import CoverCache, fetch_covers
from animerec.encoding import ENCODING_VERSION
from animerec.explain import LeaveOneOut
from animerec.filters import Filters, from_query
from animerec.franchise import Titles, continuations
from animerec.http_api import ApiError, RetryPolicy
from animerec.parsers import ProfileParseError
from animerec.profile import Profile
from animerec.ranking import Candidates, RankContext
from animerec.stored import MAX_HIDDEN, hidden_ids
from bridge import charts, ui
from extra import ExtraUnavailable, load_extra, load_fresh
from fresh_shelf import FreshShelf
from pyodide.ffi import JsException, to_js
from transport import pyfetch_transport

SEARCH_LIMIT = 8
LONGEST_WAIT_S = 10.0  # a longer AniList Retry-After is shown as an error, not waited out
HIDDEN_KEY = "animerec:hidden"  # localStorage: the titles marked "not interested"
COVERS_KEY = "animerec:cover-cache"  # localStorage: id → cover, between visits


class ModelUnavailable(Exception):
    """The loader could not load the model (it says why on the page)."""


VISITOR_ERRORS = (ProfileParseError, ApiError, pipeline.NothingKnown, ModelUnavailable)


def floats(output) -> array:
    """A Float32Array from TF.js as `array('f')` (one copy, no per-element proxies)."""
    scores = array("f")
    scores.frombytes(output.to_bytes())
    return scores


def encoding_problem(manifest: dict) -> str | None:
    """Why this page cannot feed the model of `manifest`, or None."""
    version = manifest.get("encoding_version", (manifest.get("encoding") or {}).get("version"))
    if version != ENCODING_VERSION:
        return f"The model needs encoding v{version}; this page has v{ENCODING_VERSION}."
    return None


async def breathe() -> None:
    """Give the browser a turn (paint, input) between two pieces of a request's work: none may
    hold the main thread for more than 200 ms (issue 15; tools/BENCH.md measures them)."""
    await asyncio.sleep(0)


class Page:
    def __init__(self, catalog: Catalog, folder: str, models: list[dict], manifest: dict) -> None:
        self.folder = folder  # the model folder in use
        self.models = models  # models/index.json's list
        self.map = atlas_panel.MapPanel()
        self.use_catalog(catalog, manifest)
        self.profile: Profile | None = None
        self.listed: dict = {}  # what the results say of the profile's list (`describe`)
        self.shelf: list[Item] = []  # its "continue what you love" titles
        self.filters = self.url_filters()  # the controls change this, then show()
        self.ratings: dict[int, int] = {}
        self.hidden: list[int] = hidden_ids(ui.remembered(HIDDEN_KEY))  # "not interested"
        self.covers: CoverCache | None = CoverCache.from_json(ui.remembered(COVERS_KEY))
        if not ui.coversOn():
            self.covers = None  # off: no cover is shown or asked for
        self.task: asyncio.Future | None = None  # the request (profile or model) in flight
        self.cover_task: asyncio.Future | None = None
        self.cover_ids: list[int] = []  # the titles shown last, asked for when a request ends
        self.covers_down = False  # AniList refused or failed once: no more asking this visit
        self.partner: together.Partner | None = None  # watch together: the second list
        self.pending: tuple | None = None  # a `with=` link's second list, read with the first
        self.partners = together.Known()  # named second lists read this visit (back/forward)
        self.url_waits = False  # back/forward came during a request: follow the URL after it
        second = self.start_partner
        self.loaders = {
            "anilist": partial(self.from_api, "anilist"), "kitsu": partial(self.from_api, "kitsu"),
            "file": self.upload, "rate": self.rated,
            "with:anilist": partial(self.from_api, "anilist", start=second),
            "with:kitsu": partial(self.from_api, "kitsu", start=second),
            "with:file": partial(self.upload, start=second),
            "with:rate": partial(self.rated, start=second), "alone": self.alone,
        }  # fmt: skip

    def use_catalog(self, catalog: Catalog, manifest: dict) -> None:
        self.catalog = catalog
        self.manifest = manifest
        self.titles = Titles(catalog)  # the recognized titles join after the first cards
        self.extra_loaded = False
        self.context = RankContext(catalog)  # per-catalog ranking columns, built once
        self.id_map = catalog.anilist_to_mal()
        self.kitsu_map = catalog.kitsu_to_mal()  # for library entries without a MAL mapping
        self.candidates: Candidates | None = None  # the last model output, for re-ranking
        self.loo: LeaveOneOut | None = None  # its leave-one-out output, for explanations
        self.fresh = FreshShelf(partial(load_fresh, self.folder, manifest))  # "New for you"
        self.map.reset(self.folder, catalog)
        bridge.mount_filters(controls.spec(self.context.genres))

    async def predict(self, row: array) -> array:
        await model()
        return floats(await bridge.call_async("predict", to_js(row)))

    async def predict_batch(self, flat: array, rows: int) -> array:
        await model()
        return floats(await bridge.call_async("predictBatch", to_js(flat), rows))

    def start(self, load: Callable[[], Awaitable[Profile]], shared: tuple[str, str] | None = None):
        """Run one recommendation request unless a request is already running; `shared` is the
        (URL key, username) that names this list in the address bar."""

        async def work() -> None:
            ui.setStatus("Reading your list…")
            profile = await load()
            if self.pending:  # a `with=` link: the second list comes with the first
                await self.read_partner(*self.pending)
                self.pending = None
            await self.recommend(profile)
            bridge.share_state(shared and (shared[0], profile.username or shared[1]))
            bridge.share_partner(together.with_value(self.partner and self.partner.shared))

        self.run(work)

    def start_partner(self, load: Callable[[], Awaitable[Profile]], shared=None) -> None:
        """Watch together: read a second list and recommend for the pair (a first list is
        needed; a `with=` link's second list waits for it)."""
        if self.profile is None:
            self.pending = (load, shared)
            return

        async def work() -> None:
            if not await self.read_partner(load, shared):
                return
            await self.recommend(self.profile)
            bridge.share_partner(together.with_value(self.partner.shared))

        self.run(work)

    async def read_partner(self, load: Callable[[], Awaitable[Profile]], shared) -> bool:
        """Read the second list; whether it came. When it cannot be read, say why and keep the
        first list's cards (and the pair before it, if any): the visitor loses nothing."""
        ui.setStatus("Reading the second list…")
        try:
            self.partner = together.Partner(await load(), shared)
        except VISITOR_ERRORS as err:
            ui.showError(f"The second list could not be read. {err}")
            ui.setStatus("Something needs your attention.")
            return False
        self.partners.add(self.partner)
        return True

    def alone(self, _value: None) -> bool:
        """Back to the first list alone ("Just my list"); whether a request started."""
        if self.partner is None or self.profile is None:
            return False

        async def work() -> None:
            self.partner = None
            await self.recommend(self.profile)
            bridge.share_partner(None)

        return self.run(work)

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def run(self, work: Callable[[], Awaitable[None]]) -> bool:
        """Start `work` (a profile or model request) unless one is running; False if one is."""
        if self.busy():
            return False
        self.task = asyncio.ensure_future(self._guarded(work))
        return True

    async def recommend(self, profile: Profile) -> None:
        """Score `profile` (one model call) and show the list at once; then stats, the
        explanations (one batched call, ~1 s on SwiftShader), which re-render the cards, and the
        "New for you" shelf: the first cards do not wait for them. Filter changes meanwhile
        show cards without them. Each piece of work that reads the whole list is a task of its
        own (`breathe`)."""
        ui.setStatus("Running the model…")
        await breathe()  # the list's last parse step, and its encoding, apart
        row = pipeline.encoded(profile, self.catalog)
        scores = await self.predict(row)
        if self.partner is not None:
            await self.partner.score(self.catalog, self.predict)
        await breathe()
        self.profile = profile
        self.candidates = self.candidates_for(profile, scores)
        self.loo = None  # the last list's explanations do not apply to this one
        self.fresh.forget()  # nor its "New for you" shelf
        await breathe()
        self.describe(profile)
        self.show()
        ui.setStatus("Finding out why…")
        await breathe()  # let the browser paint the cards before more Python runs
        if await self.load_recognized():  # the first request only: the titles grew
            self.candidates = self.candidates_for(profile, scores)
            await breathe()
            self.describe(profile)
            self.show()
        await breathe()
        charts.renderStats(views.profile_stats(profile, self.titles))
        await breathe()
        self.loo = await pipeline.explainer(
            profile, self.catalog, row, scores, self.predict_batch
        )
        if self.partner is not None:
            await self.partner.explain(self.catalog, self.predict_batch)
        self.show()
        pair = self.partner and (self.partner, scores)  # together: the pair's shelf
        if await self.fresh.prepare(profile, row, self.candidates, pair):  # after the cards
            await breathe()
            self.show()
        ui.setStatus("Done.")

    def describe(self, profile: Profile) -> None:
        """What the results say of the list itself, and its "continue" shelf: once per list
        and titles, as each reads every entry (a control change re-ranks only)."""
        self.listed = views.list_view(
            profile, self.titles, sources.describe(profile), self.filters.shows
        )
        if self.partner is not None:
            self.listed["name"] = together.pair_name(profile, self.partner)
        self.shelf = continuations(profile, self.titles)

    async def load_recognized(self) -> bool:
        """The titles the model does not score, once per model, after the first cards; whether
        they came now (a later request finds them loaded)."""
        if self.extra_loaded:
            return False
        self.extra_loaded = True
        try:
            self.titles = Titles(self.catalog, await load_extra(self.folder, self.manifest))
        except (ExtraUnavailable, JsException) as err:  # the page works on without them
            print(f"The recognized titles did not load: {err}")
            return False
        return True

    async def _guarded(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run `work` with the page busy; errors end up in front of the visitor."""
        ui.setBusy(True)
        ui.showError("")
        try:
            await work()
        except VISITOR_ERRORS as err:
            ui.clearResults()
            ui.showError(str(err))
            ui.setStatus("Something needs your attention.")
        except Exception:  # a bug: say so plainly, keep the details (a traceback) in the console
            traceback.print_exc()
            ui.clearResults()
            ui.showError(
                "Something went wrong on our side. Reload the page and try again; the "
                "browser's console has the details."
            )
            ui.setStatus("Something went wrong.")
        finally:
            ui.setBusy(False)
            if self.url_waits:  # once this task is done (a callback runs after it)
                self.url_waits = False
                asyncio.get_running_loop().call_soon(self.on_popstate)

    def candidates_for(self, profile: Profile, scores: array) -> Candidates:
        if self.partner is None:
            return Candidates(self.context, profile, scores, self.titles)
        return together.candidates(self.context, profile, scores, self.partner, self.titles)

    def show(self) -> None:
        """Rank and explain the last model output under `self.filters` and render it (no model
        run)."""
        if self.candidates is None or self.profile is None:
            return
        hidden = {i for m in self.hidden if (i := self.catalog.index_of(m)) is not None}
        ranked = self.candidates.rank(self.filters, hidden)
        loo = None if self.partner else self.loo
        recs = pipeline.explained(ranked, loo, self.catalog, self.filters.shows)
        why = self.partner and together.reasons(recs, self.profile, self.loo, self.partner,
                                                self.titles, self.filters.shows)  # fmt: skip
        shelf = [i for i in self.shelf if i.mal_id not in self.hidden and self.filters.keeps(i)]
        fresh = self.fresh.shelf(self.titles, self.filters, self.hidden,
                                 [r.item.mal_id for r in recs])  # fmt: skip
        shows = self.filters.shows
        pair = self.partner and (self.profile, self.partner)
        fresh_view = self.fresh.view(fresh, self.titles, self.candidates, self.loo, shows,
                                     self.covers, pair)  # fmt: skip
        ui.renderView(views.page_view(  # one call: from the worker each is a main-thread task
            views.shelf(shelf, self.candidates, self.covers), fresh_view,
            controls.changed(self.filters),
            views.results(recs, self.listed, self.titles, self.covers, why),
        ))  # fmt: skip
        lit = together.both(self.profile, self.partner)  # the map lights both lists
        self.map.refresh(self.candidates, recs, lit, self.filters)
        self.fetch_covers([r.item.mal_id for r in recs] + fresh)

    # --- covers: optional, after the cards, never in the way ----------------------------

    def fetch_covers(self, mal_ids: list[int]) -> None:
        """Ask AniList for the shown titles' unknown covers (one request at a time: titles shown
        while one is out are asked for when it ends), unless covers are off or a request failed;
        they are swapped in when they come, and failures are silent."""
        if self.covers is None or self.covers_down:
            return
        self.cover_ids = mal_ids
        if self.cover_task and not self.cover_task.done():
            return  # _covers asks for these when it ends
        missing = self.covers.missing(mal_ids)
        if missing:
            self.cover_task = asyncio.ensure_future(self._covers(missing, mal_ids))

    async def _covers(self, missing: list[int], shown: list[int]) -> None:
        try:
            found = await fetch_covers(missing, pyfetch_transport)
        except (anilist.AniListError, ProfileParseError):
            self.covers_down = True  # covers are optional: the letter tiles stay
            return
        if self.covers is None:
            return
        self.covers.add(found)
        ui.remember(COVERS_KEY, self.covers.to_json())
        ui.applyCovers(views.cover_map(self.covers, shown))
        self.cover_task = None  # this one has ended: titles shown since, or more than one
        self.fetch_covers(self.cover_ids)  # request's worth, are asked for now

    def on_covers(self, on: bool) -> None:
        self.covers = CoverCache.from_json(ui.remembered(COVERS_KEY)) if on else None
        self.show()

    # --- not interested -------------------------------------------------------------------

    def on_dismiss(self, mal_id: int) -> None:
        mal_id = int(mal_id)
        if mal_id in self.hidden:
            return
        self.hidden.append(mal_id)
        self.hidden_changed()
        item = self.titles.by_mal_id(mal_id)  # a shelf's title may be one the model does not score
        ui.showUndo(mal_id, item.title if item else f"#{mal_id}")

    def on_restore(self, mal_id: int) -> None:
        mal_id = int(mal_id)
        if mal_id not in self.hidden:
            return
        self.hidden.remove(mal_id)
        self.hidden_changed()
        ui.showUndo(mal_id, "")
        ui.focusCard(mal_id)

    def hidden_changed(self) -> None:
        self.hidden = self.hidden[-MAX_HIDDEN:]
        ui.remember(HIDDEN_KEY, json.dumps(self.hidden))
        ui.renderHidden(views.hidden(self.hidden, self.titles))
        self.show()

    # --- controls, model selector and history -------------------------------------------

    def on_filters(self, values: str) -> None:
        filters = controls.from_form(values)
        if filters != self.filters:
            if filters.adult != self.filters.adult:
                ui.remember(controls.ADULT_KEY, controls.remembered_adult(filters))
            self.use_filters(filters)
            bridge.push_url(self.url())
            self.show()

    def url_filters(self) -> Filters:
        """The filters the URL names, adult titles shown where the visitor keeps them shown."""
        remembered = ui.remembered(controls.ADULT_KEY)
        return controls.with_remembered(from_query(bridge.query()), remembered)

    def use_filters(self, filters: Filters) -> None:
        """Take `filters`; the adult switch also changes which of the list's titles show."""
        adult_changed = filters.adult != self.filters.adult
        self.filters = filters
        if adult_changed and self.profile is not None:
            self.describe(self.profile)

    def on_model(self, folder: str) -> None:
        if not self.switch_model(folder, push=True):
            bridge.controls.setModel(self.folder)  # busy: the selection does not take

    def on_popstate(self) -> None:
        """Back/forward: the view the URL describes, without pushing it again: filters, model
        and, as a fresh load of the URL reads it, the second list of `with=`. What needs a
        request while one runs follows when it ends."""
        self.use_filters(self.url_filters())
        bridge.controls.set(controls.to_form(self.filters))
        folder = bridge.call("chooseModel", json.dumps(self.models), bridge.query())
        bridge.controls.setModel(folder)
        if self.busy():
            self.url_waits = True
            self.show()
        elif folder != self.folder:
            self.url_waits = self.switch_model(folder, push=False)  # then the second list
        elif not self.follow_with():
            self.show()

    def follow_with(self) -> bool:
        """Make the second list the one `with=` names, and the second-list forms say so, as a
        fresh load of the URL would (no `with=`: the first list alone); whether a request
        started. A second list without a name (an export, rated titles) is never in the URL,
        so an address without `with=` keeps it. A list read this visit is not asked for
        again."""
        link = together.parse_with(bridge.query_value("with"))
        for kind in together.SHARED_KINDS:
            ui.setSourceValue(f"with:{kind}", link[1] if link and link[0] == kind else "")
        if self.profile is None:
            return False
        shared = self.partner and self.partner.shared
        if link is None:
            return shared is not None and self.alone(None)
        if together.same_list(link, shared):
            return False
        if known := self.partners.get(link):

            async def again() -> Profile:
                return known

            self.start_partner(again, shared=link)
        else:
            self.loaders[f"with:{link[0]}"](link[1])
        return self.busy()

    def switch_model(self, folder: str, push: bool) -> bool:
        """Load the model in `folder` (and its catalog) and re-run the current profile."""

        async def work() -> None:
            ui.setStatus("Loading the model…")
            bundle = json.loads(await bridge.call_async("loadBundle", folder))
            problem = encoding_problem(bundle["manifest"])
            if problem:
                raise RuntimeError(problem)
            self.folder = folder
            self.use_catalog(Catalog.from_json(bundle["catalog"]), bundle["manifest"])
            bridge.controls.set(controls.to_form(self.filters))
            if push:
                bridge.push_url(self.url())
            if self.profile is None:
                ui.setStatus(f"Ready: {len(self.catalog):,} titles, model {folder}.")
            else:
                await self.recommend(self.profile)

        return self.run(work)

    def url(self) -> str:
        """This page's URL for the current view (filters and model); other keys stay."""
        model = None if self.folder == self.models[0]["folder"] else self.folder
        search, path, fragment = bridge.location()  # one call, not one per part
        return path + controls.view_query(search, self.filters, model) + fragment

    # --- the sources (web/py/sources.py) ------------------------------------------------

    def on_source(self, kind: str, value) -> None:
        self.loaders[kind](value)

    def from_api(self, kind: str, name: str, start: Callable | None = None) -> None:
        """The list of user `name` on a profile API (`kind`: "anilist" or "kitsu"); `start`:
        `start_partner` for the second list of a pair."""
        site_name, fetch, id_map = {
            "anilist": ("AniList", sources.from_anilist, self.id_map),
            "kitsu": ("Kitsu", sources.from_kitsu, self.kitsu_map),
        }[kind]
        retry = RetryPolicy(max_wait=LONGEST_WAIT_S, on_wait=waiting_for(site_name))

        async def load() -> Profile:
            ui.setStatus(f"Asking {site_name} for the list…")
            return await fetch(name, pyfetch_transport, id_map, retry)

        (start or self.start)(load, shared=(kind, name))

    def upload(self, file, start: Callable | None = None) -> None:
        if file is None:
            ui.showError("Choose your MyAnimeList export (.xml or .xml.gz) or list JSON first.")
            return

        async def read() -> bytes:
            return (await file.arrayBuffer()).to_bytes()

        (start or self.start)(lambda: sources.from_file(file.name, file.size, read))

    def rated(self, _value: None, start: Callable | None = None) -> None:
        ratings = dict(self.ratings)

        async def load() -> Profile:
            return sources.from_ratings(ratings)

        (start or self.start)(load)

    def on_search(self, text: str) -> None:
        hits = self.catalog.search(text, SEARCH_LIMIT, self.filters.shows)
        ui.renderSearchResults(text, views.search_hits(hits))

    def on_pick(self, mal_id: int, score: int | None) -> None:
        if score is None:
            self.ratings.pop(int(mal_id), None)
        else:
            self.ratings[int(mal_id)] = int(score)
        ui.renderRated(views.rated(self.ratings, self.catalog))

    def wire(self) -> None:
        bridge.listen({
            "source": self.on_source, "search": self.on_search, "pick": self.on_pick,
            "dismiss": self.on_dismiss, "restore": self.on_restore, "covers": self.on_covers,
            "map": self.map.on_toggle, "filters": self.on_filters, "model": self.on_model,
            "popstate": self.on_popstate,
        })  # fmt: skip
        bridge.controls.set(controls.to_form(self.filters))
        bridge.mount_models(json.dumps(self.models), self.folder)
        ui.renderHidden(views.hidden(self.hidden, self.catalog))


def waiting_for(site_name: str) -> Callable[[float], None]:
    """What the status line says while a profile API's Retry-After is waited out."""

    def waiting(seconds: float) -> None:
        ui.setStatus(f"{site_name} asked us to wait {round(seconds)} s; trying again then…")

    return waiting


async def model(status: str | None = "Waiting for the model to load…") -> str:
    """The backend of the page's model, once the loader has it (the page takes input before;
    meanwhile the status line says `status`)."""
    backend = bridge.call("backend")  # None until the loader has the model
    if not backend:
        if status:
            ui.setStatus(status)
        try:
            await bridge.model_ready()
        except JsException as err:
            raise ModelUnavailable("The model could not be loaded; reload the page.") from err
        backend = bridge.call("backend")
    return str(backend)


async def boot() -> None:
    """Take input as soon as the catalog is in; the model loads on (site.ready)."""
    bridge.mark("py-main")
    ui.setStatus("Python is up; waiting for the catalog…")
    try:
        bundle = json.loads(await bridge.call_async("catalog"))  # see loader.js's bundleJson
    except JsException:
        return  # the loader has already told the visitor what failed
    problem = encoding_problem(bundle["manifest"])
    if problem:
        ui.showError(problem)
        return
    catalog = Catalog.from_json(bundle["catalog"])
    bridge.mark("py-catalog")
    page = Page(catalog, bundle["folder"], bundle["models"], bundle["manifest"])
    page.wire()
    gc.freeze()  # the catalog lives as long as the page: collections during a parse skip it
    ui.setReady(True)
    bridge.mark("py-ready")
    ready = f"Ready: {len(catalog):,} titles"
    if not bridge.call("backend"):
        ui.setStatus(f"{ready}; the model is still loading.")
    for kind in bridge.SHARED_SOURCES:  # ?anilist=NAME or ?kitsu=NAME opens that list at once
        if name := bridge.query_value(kind):
            ui.setSourceValue(kind, name)
            if link := together.parse_with(bridge.query_value("with")):
                ui.setSourceValue(f"with:{link[0]}", link[1])
                page.loaders[f"with:{link[0]}"](link[1])  # waits for the first list
            page.loaders[kind](name)
            break
    try:
        backend = await model(status=None)
    except ModelUnavailable:
        return
    if not page.busy():
        ui.setStatus(f"{ready}, model on {backend}.")


await boot()  # noqa: F704  (PyScript runs the page script with top-level await)
