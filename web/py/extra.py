"""The model files the page loads after its first cards, so that they cost the cold load nothing
before them: the recognized titles the model does not score (`catalog-extra.json`, read into a
`Catalog`) and the cold-start model of the "New for you" shelf (`fresh.json`, read into a
`FreshModel`). Each is checked against the manifest's sha256 like every model file."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TypeVar

import bridge
from animerec.catalog import EXTRA_FILE, Catalog
from animerec.fresh import FRESH_FILE, FreshModel
from animerec.steps import Steps, finish_async
from pyodide.ffi import JsException
from pyodide.http import pyfetch

T = TypeVar("T")


class ExtraUnavailable(Exception):
    """A file listed in the manifest could not be loaded; the page goes on without it."""


async def fetch_checked(folder: str, manifest: dict, name: str) -> bytes | None:
    """The bytes of `models/<folder>/<name>`, checked against the manifest; None where the
    manifest lists no such file."""
    entry = (manifest.get("files") or {}).get(name)
    if entry is None:
        return None
    response = await pyfetch(bridge.site_url(f"models/{folder}/{name}"))
    if not response.ok:
        raise ExtraUnavailable(f"HTTP {response.status} for {name}")
    data = await response.bytes()
    if await bridge.sha256_hex(data) != entry["sha256"]:
        raise ExtraUnavailable(f"{name} does not match the model's manifest")
    return data


async def load_extra(folder: str, manifest: dict) -> Catalog:
    """The recognized titles of the model in `models/<folder>/`; an empty catalog for a model
    that has none."""
    data = await fetch_checked(folder, manifest, EXTRA_FILE)
    if data is None:
        return Catalog([])
    return await finish_async(_read(data, Catalog.from_json_steps))


async def load_fresh(folder: str, manifest: dict) -> FreshModel | None:
    """The cold-start model of `models/<folder>/`, or None: a model without one, or one that
    did not load or read (the page goes on without the "New for you" shelf)."""
    try:
        data = await fetch_checked(folder, manifest, FRESH_FILE)
        return None if data is None else await finish_async(_read(data, FreshModel.from_json_steps))
    except (ExtraUnavailable, JsException, ValueError, KeyError, TypeError) as err:
        print(f"The cold-start model did not load: {err}")
        return None


def _read(data: bytes, from_json_steps: Callable[[dict], Steps[T]]) -> Steps[T]:
    obj = json.loads(data)  # megabytes: a step of its own
    yield
    return (yield from from_json_steps(obj))
