"""Small shared test helpers: where the shared fixtures live, hand-built catalogs, and slices of
the rating files."""

from __future__ import annotations

import csv
from collections.abc import Container
from pathlib import Path

from animerec.catalog import Catalog, Item

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = SHARED / "fixtures"


def make_catalog(specs: list[dict]) -> Catalog:
    """A catalog from dicts of Item fields (index is assigned in order)."""
    return Catalog([Item(index=i, **spec) for i, spec in enumerate(specs)])


def slice_ratings(src: Path, dst: Path, users: Container[int]) -> None:
    """The rows of the rating file `src` whose user_id is in `users`, written to `dst`."""
    with open(src, newline="") as f, open(dst, "w", newline="") as g:
        reader = csv.DictReader(f)
        out = csv.DictWriter(g, reader.fieldnames or [])
        out.writeheader()
        out.writerows(r for r in reader if int(r["user_id"]) in users)


def first_users(src: Path, n: int) -> set[int]:
    """The `n` smallest user ids of the rating file `src` (its first users, as
    converter.data.read_profiles orders them)."""
    with open(src, newline="") as f:
        return set(sorted({int(r["user_id"]) for r in csv.DictReader(f)})[:n])
