"""Small shared test helpers: where the shared fixtures live, and hand-built catalogs."""

from __future__ import annotations

from pathlib import Path

from animerec.catalog import Catalog, Item

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"


def make_catalog(specs: list[dict]) -> Catalog:
    """A catalog from dicts of Item fields (index is assigned in order)."""
    return Catalog([Item(index=i, **spec) for i, spec in enumerate(specs)])
