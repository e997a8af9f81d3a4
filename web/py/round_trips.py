"""What the page's Python asks of the page, counted (issue 22): each call through
`bridge.call` by name, and each attribute read, call and await through `bridge.page()` by its
path from the page's `globalThis`, with the time it took. From PyScript's worker each is a
synchronous round trip to the main thread (a read through `page()` that hands back an object,
dozens: bridge.py).

Off unless the page sets `globalThis.animerecCountCalls` before Python starts
(tools/bridge_calls.py does); then `globalThis.animerecCalls()` where this Python runs (the
worker's global, or the page's) returns the counts as JSON: {"get PATH" | "call PATH()" |
"await PATH" | "call NAME": [count, total ms]}."""

from __future__ import annotations

import json
import time

from pyodide.ffi import JsProxy, create_proxy

HOOK = "animerecCountCalls"
_counts: dict[str, list[float]] = {}


def _record(key: str, started: float) -> None:
    entry = _counts.setdefault(key, [0, 0.0])
    entry[0] += 1
    entry[1] += (time.perf_counter() - started) * 1000


def _wrap(value: object, path: str) -> object:
    return Counted(value, path) if isinstance(value, JsProxy) else value


def _unwrap(value: object) -> object:
    return value._target if isinstance(value, Counted) else value


class Counted:
    """A JS value of the page whose reads, calls and awaits are counted."""

    __slots__ = ("_path", "_target")

    def __init__(self, target: JsProxy, path: str) -> None:
        self._target = target
        self._path = path

    def __getattr__(self, name: str) -> object:
        path = f"{self._path}.{name}"
        started = time.perf_counter()
        value = getattr(self._target, name)
        _record(f"get {path}", started)
        return _wrap(value, path)

    def __call__(self, *args: object) -> object:
        started = time.perf_counter()
        value = self._target(*map(_unwrap, args))
        _record(f"call {self._path}()", started)
        return _wrap(value, f"{self._path}()")

    def __getitem__(self, key: object) -> object:
        return _wrap(self._target[key], f"{self._path}[]")

    def __bool__(self) -> bool:
        return bool(self._target)

    def __str__(self) -> str:
        return str(self._target)

    def __await__(self):
        started = time.perf_counter()
        value = yield from self._target.__await__()
        _record(f"await {self._path}", started)
        return _wrap(value, self._path)


def counted(window: JsProxy, local) -> object:
    """`window` itself, or counting where the page asks for it; the counts are published on
    `local`, this Python's own `globalThis` (bridge.py's `js`: only the bridge imports it)."""
    if not getattr(window, HOOK, False):
        return window
    local.animerecCalls = create_proxy(lambda: json.dumps(_counts))
    return Counted(window, "window")


def counted_call(function: JsProxy, local) -> object:
    """bridge.py's `call` (`function(name, *args)`) itself, or counting each call by its name
    where the page asks for it (see `counted`)."""
    if not function("hook", HOOK):
        return function

    def counting(name: str, *args: object) -> object:
        started = time.perf_counter()
        value = function(name, *args)
        _record(f"call {name}", started)
        return value

    local.animerecCalls = create_proxy(lambda: json.dumps(_counts))
    return counting
