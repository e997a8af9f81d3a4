"""The one place where the page's Python meets its JavaScript. Everything the controller
(`main.py`) uses from JS comes through here, and every event it receives is listed here.

It runs on the main thread, or in PyScript's worker where the page asks for it
(web/js/python-mode.js decides). `page()` is the page's `globalThis` in both; calls carry values
(JSON strings, numbers, typed arrays), so that each is one round trip from the worker (a view is
one call: `ui.renderView`; the modules' functions are looked up once), and the
handlers below are called from the main thread with values too (an uploaded File is the one
reference: the worker reads its name, size and bytes through it).

JS globals used (set by web/js/loader.js as `globalThis.animerec`):
- `ui` (web/js/ui.js): rendering, the status line, storage, and `listen(handlers)`;
- `controls` (web/js/controls.js): the filter form (`mount`, `set`, `mountModels`, `setModel`);
- `charts` (web/js/charts.js): `renderStats`;
- `catalogReady`, `ready`, `model`, `loadBundle`, `chooseModel`: the loader's model and catalog
  (`catalogReady` and `loadBundle(folder)` give one JSON text: folder, manifest, models, catalog);
- `openAtlas(folder, items, onPick)`: the catalog map (web/py/atlas_panel.py);
- the browser's `history`, `location`, `URLSearchParams`, `document.baseURI`, `performance`,
  `JSON.parse` (`js_value`), and `crypto.subtle` (`sha256_hex`).

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

import json
from collections.abc import Callable
from functools import cache
from urllib.parse import urljoin

import js
import round_trips
from pyodide.ffi import create_proxy, to_js

LOADER_MODULES = ("ui", "controls", "charts")  # bridge.ui etc.: globalThis.animerec's modules
EVENTS = ("source", "search", "pick", "dismiss", "restore", "covers", "map")  # through ui.listen
SHARED_SOURCES = ("anilist", "kitsu")  # sources a link can open: ?anilist=NAME, ?kitsu=NAME
_proxies: list = []  # JS-callable handlers live as long as the page


@cache
def page():
    """The page's `globalThis`: `js` where this Python runs on the main thread; in PyScript's
    worker (web/js/python-mode.js chooses), polyscript's synchronous proxy of the main thread's
    (`pyscript.window` would need 'unsafe-eval'). What only the page has (the DOM, the loader,
    history, storage) is reached through it; `js` stays for what is local (crypto, typed
    arrays, plain objects). Looked up on first use: the build imports this module outside the
    page (tools/pyodide_compile.py). Counted where the page asks (web/py/round_trips.py)."""
    if hasattr(js, "document"):
        return round_trips.counted(js, js)
    from polyscript import xworker  # exists only in PyScript's worker

    return round_trips.counted(xworker.window, js)


class _Module:
    """A loader module (ui.js etc.) whose functions are each looked up once: from the worker a
    lookup is a round trip of its own before the call's, and a module's exports do not
    change."""

    def __init__(self, module) -> None:
        self._module = module

    def __getattr__(self, name: str):
        function = getattr(self._module, name)
        setattr(self, name, function)
        return function


@cache
def __getattr__(name: str):
    """`bridge.site` (globalThis.animerec) and its LOADER_MODULES, looked up once (a lookup
    from the worker is a round trip to the main thread)."""
    if name == "site":
        return page().animerec
    if name in LOADER_MODULES:
        return _Module(getattr(__getattr__("site"), name))
    raise AttributeError(name)


def js_value(data: object):
    """Python data (JSON's kinds) as the page's own JS value: made where the page runs, in one
    round trip from the worker (a worker's object would reach the page as a proxy back)."""
    return page().JSON.parse(json.dumps(data))


@cache
def _base() -> str:
    return str(page().document.baseURI)


def site_url(path: str) -> str:
    """`path` (relative to the site's root) as an absolute URL: a worker's own address is a
    blob: URL, against which no relative fetch resolves."""
    return urljoin(_base(), path)


def callback(handler: Callable):
    """A JS-callable proxy of `handler` that lives as long as the page."""
    proxy = create_proxy(handler)
    _proxies.append(proxy)
    return proxy


def listen(handlers: dict[str, Callable]) -> None:
    """Hand ui.js the page's handlers for EVENTS."""
    if set(handlers) != set(EVENTS):
        raise ValueError(f"handlers for {sorted(set(EVENTS) ^ set(handlers))} differ from EVENTS")
    table = {name: callback(fn) for name, fn in handlers.items()}
    __getattr__("ui").listen(to_js(table, dict_converter=js.Object.fromEntries))


def on_popstate(handler: Callable[[], None]) -> None:
    page().addEventListener("popstate", callback(lambda _event: handler()))


def query() -> str:
    return page().location.search


def push_url(url: str) -> None:
    page().history.pushState(None, "", url)


def path_and_hash() -> tuple[str, str]:
    return page().location.pathname, page().location.hash


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
    return page().URLSearchParams.new(page().location.search).get(key)


async def sha256_hex(data: bytes) -> str:
    """SHA-256 of `data`, in hex, by the browser's own `crypto.subtle`."""
    digest = await js.crypto.subtle.digest("SHA-256", to_js(data))
    return js.Uint8Array.new(digest).to_bytes().hex()


@cache
def _performance():
    return page().performance


def mark(name: str) -> None:
    _performance().mark(f"animerec:{name}")
