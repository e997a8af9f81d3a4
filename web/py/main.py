"""The page's controller (PyScript runs this): waits for the loader's catalog and model, wires
the three profile sources to the pipeline, the filter controls and model selector to re-ranking
and the URL, and hands what to show to `web/js/ui.js`."""

from __future__ import annotations

import asyncio
import json
import traceback
from array import array
from collections.abc import Awaitable, Callable

import controls
import pipeline
import views
from animerec import anilist
from animerec.catalog import Catalog
from animerec.encoding import ENCODING_VERSION
from animerec.explain import LeaveOneOut
from animerec.filters import from_query
from animerec.franchise import Titles, continuations
from animerec.parsers import ProfileParseError, parse_profile_file
from animerec.profile import Entry, Profile, Status
from animerec.ranking import Candidates, RankContext
from extra import ExtraUnavailable, load_extra
from js import URL, URLSearchParams, document, history, location, window
from js import animerec as site
from pyodide.ffi import JsException, create_proxy, to_js
from transport import pyfetch_transport

SEARCH_LIMIT = 8
LONGEST_WAIT_S = 10.0  # a longer AniList Retry-After is shown as an error, not waited out
MAX_UPLOAD_BYTES = 50_000_000  # refused before reading: the largest real export is a few MB


class ModelUnavailable(Exception):
    """The loader could not load the model (it says why on the page)."""


VISITOR_ERRORS = (ProfileParseError, anilist.AniListError, pipeline.NothingKnown, ModelUnavailable)

ui = site.ui
_handlers = []  # keeps the event proxies alive for the page's lifetime


def kept(handler: Callable):
    """A JS-callable proxy of `handler` that lives as long as the page."""
    proxy = create_proxy(handler)
    _handlers.append(proxy)
    return proxy


def on(element_id: str, event: str, handler: Callable) -> None:
    document.getElementById(element_id).addEventListener(event, kept(handler))


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


class Page:
    def __init__(self, catalog: Catalog, folder: str, models, manifest: dict) -> None:
        self.folder = folder  # the model folder in use
        self.models = models  # models/index.json's list (a JS array)
        self.on_filters_proxy = kept(self.on_filters)
        self.use_catalog(catalog, manifest)
        self.profile: Profile | None = None
        self.filters = from_query(location.search)  # the controls change this, then show()
        self.ratings: dict[int, int] = {}
        self.task: asyncio.Future | None = None  # the request (profile or model) in flight

    def use_catalog(self, catalog: Catalog, manifest: dict) -> None:
        self.catalog = catalog
        self.manifest = manifest
        self.titles = Titles(catalog)  # the recognized titles join after the first cards
        self.extra_loaded = False
        self.context = RankContext(catalog)  # per-catalog ranking columns, built once
        self.id_map = catalog.anilist_to_mal()
        self.candidates: Candidates | None = None  # the last model output, for re-ranking
        self.loo: LeaveOneOut | None = None  # its leave-one-out output, for explanations
        site.controls.mount(controls.spec(self.context.genres), self.on_filters_proxy)

    async def predict(self, row: array) -> array:
        return floats(await (await model()).predict(to_js(row)))

    async def predict_batch(self, flat: array, rows: int) -> array:
        return floats(await (await model()).predictBatch(to_js(flat), rows))

    def start(self, load: Callable[[], Awaitable[Profile]], anilist_name: str | None = None):
        """Run one recommendation request unless a request is already running."""

        async def work() -> None:
            ui.setStatus("Reading your list…")
            profile = await load()
            await self.recommend(profile)
            share_state(anilist_name and (profile.username or anilist_name))

        self.run(work)

    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def run(self, work: Callable[[], Awaitable[None]]) -> bool:
        """Start `work` (a profile or model request) unless one is running; False if one is."""
        if self.busy():
            return False
        self.task = asyncio.ensure_future(self._guarded(work))
        return True

    async def recommend(self, profile: Profile) -> None:
        """Score `profile` (one model call) and show the list at once; then stats, and the
        explanations (one batched call, ~1 s on SwiftShader), which re-render the cards: the
        first cards do not wait for them. Filter changes meanwhile show cards without them."""
        ui.setStatus("Running the model…")
        scores = await pipeline.score(profile, self.catalog, self.predict)
        self.profile = profile
        self.candidates = Candidates(self.context, profile, scores)
        self.loo = None  # the last list's explanations do not apply to this one
        self.show()
        ui.setStatus("Finding out why…")
        await asyncio.sleep(0)  # let the browser paint the cards before more Python runs
        await self.load_recognized()
        self.candidates = Candidates(self.context, profile, scores, self.titles)
        self.show()
        site.charts.renderStats(views.profile_stats(profile, self.titles))
        self.loo = await pipeline.explainer(profile, self.catalog, scores, self.predict_batch)
        self.show()
        ui.setStatus("Done.")

    async def load_recognized(self) -> None:
        """The titles the model does not score, once per model, after the first cards."""
        if self.extra_loaded:
            return
        self.extra_loaded = True
        try:
            self.titles = Titles(self.catalog, await load_extra(self.folder, self.manifest))
        except (ExtraUnavailable, JsException) as err:  # the page works on without them
            print(f"The recognized titles did not load: {err}")

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
        except Exception as err:  # a bug: say so plainly, keep the details in the console
            traceback.print_exc()
            ui.clearResults()
            ui.showError(f"Something went wrong on our side: {err}")
            ui.setStatus("Something went wrong.")
        finally:
            ui.setBusy(False)

    def show(self) -> None:
        """Rank and explain the last model output under `self.filters` and render it (no model
        run)."""
        if self.candidates is None or self.profile is None:
            return
        recs = pipeline.explained(self.candidates.rank(self.filters), self.loo)
        ui.renderResults(views.results(recs, self.profile, self.titles))
        ui.renderShelf(views.shelf(continuations(self.profile, self.titles), self.candidates))

    # --- controls, model selector and history -------------------------------------------

    def on_filters(self, values: str) -> None:
        filters = controls.from_form(values)
        if filters != self.filters:
            self.filters = filters
            history.pushState(None, "", self.url())
            self.show()

    def on_model(self, folder: str) -> None:
        if not self.switch_model(folder, push=True):
            site.controls.setModel(self.folder)  # busy: the selection does not take

    def on_popstate(self, _event) -> None:
        """Back/forward: the view the URL describes, without pushing it again."""
        self.filters = from_query(location.search)
        site.controls.set(controls.to_form(self.filters))
        folder = site.chooseModel(self.models, location.search)
        site.controls.setModel(folder)
        if folder == self.folder or not self.switch_model(folder, push=False):
            self.show()

    def switch_model(self, folder: str, push: bool) -> bool:
        """Load the model in `folder` (and its catalog) and re-run the current profile."""

        async def work() -> None:
            ui.setStatus("Loading the model…")
            loaded = await site.loadBundle(folder)
            problem = encoding_problem(loaded.manifest.to_py())
            if problem:
                raise RuntimeError(problem)
            self.folder = folder
            catalog = Catalog.from_json(json.loads(loaded.catalogText))
            self.use_catalog(catalog, loaded.manifest.to_py())
            site.controls.set(controls.to_form(self.filters))
            if push:
                history.pushState(None, "", self.url())
            if self.profile is None:
                ui.setStatus(f"Ready: {len(self.catalog):,} titles, model {folder}.")
            else:
                await self.recommend(self.profile)

        return self.run(work)

    def url(self) -> str:
        """This page's URL for the current view (filters and model); other keys stay."""
        model = None if self.folder == self.models[0].folder else self.folder
        query = controls.view_query(location.search, self.filters, model)
        return location.pathname + query + location.hash

    # --- the three sources --------------------------------------------------------------

    def on_anilist(self, event) -> None:
        event.preventDefault()
        self.anilist(document.getElementById("anilist-user").value)

    def anilist(self, name: str) -> None:
        async def load() -> Profile:
            ui.setStatus("Asking AniList for the list…")
            retry = anilist.RetryPolicy(max_wait=LONGEST_WAIT_S, on_wait=self._waiting)
            return await anilist.fetch_profile(
                name, pyfetch_transport, id_map=self.id_map, retry=retry
            )

        self.start(load, anilist_name=name)

    def _waiting(self, seconds: float) -> None:
        ui.setStatus(f"AniList asked us to wait {round(seconds)} s; trying again then…")

    def on_file_change(self, event) -> None:
        files = event.target.files
        ui.showFileName(files.item(0).name if files.length else "")

    def on_file(self, event) -> None:
        event.preventDefault()
        files = document.getElementById("file-input").files
        if not files.length:
            ui.showError("Choose your MyAnimeList export (.xml or .xml.gz) or list JSON first.")
            return
        file = files.item(0)

        async def load() -> Profile:
            if file.size > MAX_UPLOAD_BYTES:
                raise ProfileParseError(
                    f"{file.name} is {file.size / 1e6:.0f} MB; a list export is far smaller, so "
                    f"this page reads files of up to {MAX_UPLOAD_BYTES / 1e6:.0f} MB only."
                )
            data = (await file.arrayBuffer()).to_bytes()
            return parse_profile_file(data, file.name)

        self.start(load)

    def on_search(self, event) -> None:
        hits = self.catalog.search(event.target.value, SEARCH_LIMIT)
        ui.renderSearchResults(views.search_hits(hits))

    def on_pick(self, event) -> None:
        target = event.target
        row = target.closest("li")
        if row is None or target.tagName != "BUTTON":
            return
        mal_id = int(row.dataset.malId)
        if "add" in target.classList:
            self.ratings[mal_id] = int(row.querySelector("select").value)
        else:
            self.ratings.pop(mal_id, None)
        ui.renderRated(views.rated(self.ratings, self.catalog))

    def on_rate(self, event) -> None:
        event.preventDefault()
        ratings = dict(self.ratings)

        async def load() -> Profile:
            if not ratings:
                raise ProfileParseError("Search for a title and add at least one score first.")
            entries = [Entry(i, Status.COMPLETED, score) for i, score in ratings.items()]
            return Profile(entries, source="manual")

        self.start(load)

    def wire(self) -> None:
        on("anilist-form", "submit", self.on_anilist)
        on("file-input", "change", self.on_file_change)
        on("file-form", "submit", self.on_file)
        on("search-input", "input", self.on_search)
        on("search-results", "click", self.on_pick)
        on("rated", "click", self.on_pick)
        on("rate-form", "submit", self.on_rate)
        site.controls.set(controls.to_form(self.filters))
        site.controls.mountModels(json.dumps(self.models.to_py()), self.folder,
                                  kept(self.on_model))  # fmt: skip
        window.addEventListener("popstate", kept(self.on_popstate))


async def model():
    """The page's model (`site.model`), once the loader has it: the page takes input before."""
    if not site.model:  # JS null (pyodide.ffi.jsnull) until the loader has the model
        ui.setStatus("Waiting for the model to load…")
        try:
            await site.ready
        except JsException as err:
            raise ModelUnavailable("The model could not be loaded; reload the page.") from err
    return site.model


def share_state(anilist_name: str | None) -> None:
    """Keep `?anilist=NAME` in the address bar for AniList results, and only for those."""
    url = URL.new(location.href)
    if anilist_name:
        url.searchParams.set("anilist", anilist_name)
    else:
        url.searchParams.delete("anilist")
    history.replaceState(None, "", url.href)


async def boot() -> None:
    """Take input as soon as the catalog is in; the model loads on (site.ready)."""
    window.performance.mark("animerec:py-main")
    ui.setStatus("Python is up; waiting for the catalog…")
    try:
        loaded = await site.catalogReady
    except JsException:
        return  # the loader has already told the visitor what failed
    manifest = loaded.manifest.to_py()
    problem = encoding_problem(manifest)
    if problem:
        ui.showError(problem)
        return
    catalog = Catalog.from_json(json.loads(loaded.catalogText))
    window.performance.mark("animerec:py-catalog")
    page = Page(catalog, loaded.folder, loaded.models, manifest)
    page.wire()
    ui.setReady(True)
    window.performance.mark("animerec:py-ready")
    ready = f"Ready: {len(catalog):,} titles"
    if not site.model:
        ui.setStatus(f"{ready}; the model is still loading.")
    name = URLSearchParams.new(location.search).get("anilist")
    if name:
        document.getElementById("anilist-user").value = name
        page.anilist(name)
    try:
        await site.ready
    except JsException:
        return
    if not page.busy():
        ui.setStatus(f"{ready}, model on {site.model.backend}.")


await boot()  # noqa: F704  (PyScript runs the page script with top-level await)
