"""The recognized titles the model does not score (`catalog-extra.json` beside the model's
catalog): fetched after the first cards, so they cost the cold load nothing before them, checked
against the manifest's sha256 like every model file, and read into a `Catalog`."""

from __future__ import annotations

import json

import bridge
from animerec.catalog import EXTRA_FILE, Catalog
from animerec.steps import Steps, finish_async
from pyodide.http import pyfetch


class ExtraUnavailable(Exception):
    """The recognized titles could not be loaded; the page goes on without them."""


async def load_extra(folder: str, manifest: dict) -> Catalog:
    """The recognized titles of the model in `models/<folder>/`; an empty catalog for a model
    that has none."""
    entry = (manifest.get("files") or {}).get(EXTRA_FILE)
    if entry is None:
        return Catalog([])
    response = await pyfetch(f"models/{folder}/{EXTRA_FILE}")
    if not response.ok:
        raise ExtraUnavailable(f"HTTP {response.status} for {EXTRA_FILE}")
    data = await response.bytes()
    if await bridge.sha256_hex(data) != entry["sha256"]:
        raise ExtraUnavailable(f"{EXTRA_FILE} does not match the model's manifest")
    return await finish_async(_read(data))


def _read(data: bytes) -> Steps[Catalog]:
    obj = json.loads(data)  # 2 MB: a step of its own
    yield
    return (yield from Catalog.from_json_steps(obj))
