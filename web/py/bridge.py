"""The one place where the page's Python meets its JavaScript. Everything the controller
(`main.py`) uses from JS comes through here, and every event it receives is listed here.

It runs on the main thread, or in PyScript's worker where the page asks for it
(web/js/python-mode.js decides). The page's functions are reached by name through one
function, web/js/page-calls.js's `call`, with values both ways (strings, numbers, typed arrays):
from the worker that is polyscript's `xworker.sync`, one message each way per call. The events
come back the same way: one dispatcher (`listen`), which the page calls with values (in the
worker through `xworker.sync.event`, its arguments structured clones). A page object reached
through `page()` instead (polyscript's proxy of the main thread's `globalThis`) becomes a proxy
in the worker, and Pyodide's type checks of each proxy cost dozens of round trips
(tools/BENCH.md, "Values, not proxies, across the worker's bridge"): `page()` is left for the
map (`animerec.openAtlas(folder, items, onPick)`, web/py/atlas_panel.py, which keeps the
view it returns) and for awaiting a model that is not in yet (`animerec.ready`).

The calls (web/js/page-calls.js), by name:
- `ui.*` (web/js/ui.js: rendering, the status line, storage), `controls.*`
  (web/js/controls.js: the filter form's `set`, `setModel`), `charts.renderStats`;
- `listen`, `mountFilters`, `mountModels`: the events' dispatcher, the filter form and the
  model selector;
- `catalog` (the default bundle's JSON text: folder, manifest, models, catalog), `loadBundle`,
  `chooseModel`, `backend` (null until the model is in), `predict`, `predictBatch`;
- `mark`, `location`, `pushUrl`, `baseUri`, `hook` (a test's setting on the page's
  `globalThis`); `crypto.subtle` is this thread's own (`sha256_hex`).

Events received, each as Python values (ui.js owns the DOM listeners):
- `source(kind, value)`: a source form was sent (kind "anilist" or "kitsu" → name, "file" → a
  File, "rate" → None); "with:KIND" is the same for watch together's second list, "alone" → None;
- `search(text)`, `pick(mal_id, score | None)`: the "rate a few titles" picker;
- `dismiss(mal_id)`, `restore(mal_id)`: "not interested" and its undo/restore;
- `covers(on)`: the covers switch;
- `map()`: the "Map" toggle (web/py/atlas_panel.py opens or closes the catalog map);
- `filters(values_json)`, `model(folder)`: the filter form and the model selector;
- `popstate`: back/forward.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from functools import cache, partial
from urllib.parse import parse_qs, urljoin

import js
import round_trips
from pyodide.ffi import create_proxy, to_js

LOADER_MODULES = ("ui", "controls", "charts")  # bridge.ui etc.: globalThis.animerec's modules
EVENTS = ("source", "search", "pick", "dismiss", "restore", "covers", "map")  # through ui.listen
PAGE_EVENTS = ("filters", "model", "popstate")  # the filter form, the model selector, back/forward
SHARED_SOURCES = ("anilist", "kitsu")  # sources a link can open: ?anilist=NAME, ?kitsu=NAME
_proxies: list = []  # JS-callable handlers live as long as the page


@cache
def _in_worker() -> bool:
    """Whether this Python runs in PyScript's worker. Not whether `js` has a `document`:
    PyScript's `pyscript` module, imported there, gives the worker's `js` one."""
    return hasattr(js, "WorkerGlobalScope")


@cache
def page():
    """The page's `globalThis`: `js` where this Python runs on the main thread; in PyScript's
    worker (web/js/python-mode.js chooses), polyscript's synchronous proxy of the main thread's
    (`pyscript.window` would need 'unsafe-eval'). Only for what `call` cannot carry (see
    above). Looked up on first use: the build imports this module outside the page
    (tools/pyodide_compile.py). Counted where the page asks (web/py/round_trips.py)."""
    if not _in_worker():
        return round_trips.counted(js, js)
    from polyscript import xworker  # exists only in PyScript's worker

    return round_trips.counted(xworker.window, js)


@cache
def _call() -> Callable:
    """web/js/page-calls.js's `call`: the page's own on the main thread, polyscript's
    `xworker.sync.call` in the worker (registered by web/js/python-mode.js)."""
    if not _in_worker():
        return round_trips.counted_call(js.animerec.call, js)
    from polyscript import xworker

    return round_trips.counted_call(xworker.sync.call, js)


def call(name: str, *args: object) -> object:
    """The page's call `name` with values; its value (from the worker, once the page has
    settled it where it is a promise)."""
    return _call()(name, *args)


async def call_async(name: str, *args: object) -> object:
    """`call` for the page's calls that answer with a promise: awaited here on the main
    thread; the worker's call has waited for it already."""
    value = call(name, *args)
    return await value if inspect.isawaitable(value) else value


class _Calls:
    """A loader module (ui.js etc.) whose functions are called by name through `call`."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Callable:
        function = partial(call, f"{self._module}.{name}")
        setattr(self, name, function)
        return function


@cache
def __getattr__(name: str):
    """`bridge.site` (globalThis.animerec, through `page()`) and its LOADER_MODULES (through
    `call`)."""
    if name == "site":
        return page().animerec
    if name in LOADER_MODULES:
        return _Calls(name)
    raise AttributeError(name)


@cache
def _base() -> str:
    return str(call("baseUri"))


def site_url(path: str) -> str:
    """`path` (relative to the site's root) as an absolute URL: a worker's own address is a
    blob: URL, against which no relative fetch resolves."""
    return urljoin(_base(), path)


def callback(handler: Callable):
    """A JS-callable proxy of `handler` that lives as long as the page."""
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    return proxy


def listen(handlers: dict[str, Callable[..., None]]) -> None:
    """Hand the page the handlers for EVENTS and PAGE_EVENTS: one dispatcher, called with the
    event's name and values (in the worker, polyscript's `xworker.sync.event`, so that the
    page calls it with structured clones, not references)."""
    expected = set(EVENTS + PAGE_EVENTS)
    if set(handlers) != expected:
        raise ValueError(f"handlers for {sorted(expected ^ set(handlers))} differ from the events")

    def dispatch(event: str, *args: object) -> None:
        handlers[event](*args)

    if not _in_worker():
        call("listen", json.dumps(EVENTS), callback(dispatch))
        return
    from polyscript import xworker

    xworker.sync.event = callback(dispatch)
    call("listen", json.dumps(EVENTS))


def mount_filters(spec_json: str) -> None:
    """controls.js's filter form for `spec_json`; its values come as the "filters" event."""
    call("mountFilters", spec_json)


def mount_models(models_json: str, current: str) -> None:
    """controls.js's model selector; the folder chosen comes as the "model" event."""
    call("mountModels", models_json, current)


async def model_ready() -> None:
    """Once the loader has the model (raises JsException where it failed to load): awaited
    through `page()`, as a call would hold the worker until then."""
    await __getattr__("site").ready


def location() -> tuple[str, str, str]:
    """The page's address: its query (with "?"), path and fragment (with "#"), in one call."""
    search, path, fragment = call("location")
    return str(search), str(path), str(fragment)


def query() -> str:
    return location()[0]


def push_url(url: str) -> None:
    call("pushUrl", url)


def share_state(shared: tuple[str, str] | None) -> None:
    """Keep `?anilist=NAME` or `?kitsu=NAME` (`shared` = (key, name)) in the address bar for
    that site's results, and neither for other sources."""
    named = dict([shared]) if shared else {}
    __getattr__("ui").replaceQuery(json.dumps({key: named.get(key) for key in SHARED_SOURCES}))


def share_partner(value: str | None) -> None:
    """Keep `with=KIND:NAME` (watch together's second list, web/py/together.py) in the address
    bar where the second list has a username, and no `with` otherwise."""
    __getattr__("ui").replaceQuery(json.dumps({"with": value or None}))


def query_value(key: str) -> str | None:
    """`key`'s first value in the address's query, as URLSearchParams reads it."""
    return parse_qs(query().removeprefix("?"), keep_blank_values=True).get(key, [None])[0]


def hook(name: str) -> object:
    """A test's setting on the page's `globalThis` (None where unset)."""
    return call("hook", name)


async def sha256_hex(data: bytes) -> str:
    """SHA-256 of `data`, in hex, by the browser's own `crypto.subtle`."""
    digest = await js.crypto.subtle.digest("SHA-256", to_js(data))
    return js.Uint8Array.new(digest).to_bytes().hex()


def mark(name: str) -> None:
    call("mark", name)
