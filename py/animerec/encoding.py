"""Profile → model input. The only encoder: training rows and the visitor's list both come here.

Bump ENCODING_VERSION whenever `entry_weight` changes; the manifest records it and the page
refuses a model trained on another version.
"""

from __future__ import annotations

from array import array
from typing import Any

from .catalog import Catalog
from .profile import Entry, Profile, Status

ENCODING_VERSION = 1

UNSCORED_WEIGHT = 0.7  # about the weight of a typical score (7–8) of a watched title
DROPPED_WEIGHT = 0.2  # dropped: some interest in the kind of show, a weak signal


def entry_weight(entry: Entry) -> float:
    """The input value of one list entry; 0.0 means the entry is not part of the input."""
    if entry.status is Status.PLAN_TO_WATCH:
        return 0.0
    if entry.status is Status.DROPPED:
        return DROPPED_WEIGHT
    if entry.score is None:
        return UNSCORED_WEIGHT
    return 0.2 + 0.08 * entry.score  # 1 → 0.28 … 10 → 1.0


def encode_sparse(profile: Profile, catalog: Catalog) -> tuple[list[int], list[float]]:
    """Sorted model indices and their weights; titles the catalog lacks are skipped."""
    pairs = []
    for entry in profile.entries:
        index = catalog.index_of(entry.mal_id)
        weight = entry_weight(entry)
        if index is not None and weight > 0.0:
            pairs.append((index, weight))
    pairs.sort()
    return [i for i, _ in pairs], [w for _, w in pairs]


def encode(profile: Profile, catalog: Catalog) -> array:
    """The dense input row (`array('f')`, length = catalog size), as the model takes it."""
    row = array("f", bytes(4 * len(catalog)))
    for index, weight in zip(*encode_sparse(profile, catalog), strict=True):
        row[index] = weight
    return row


def known_entries(profile: Profile, catalog: Catalog) -> list[Entry]:
    """The entries that reach the model's input, in the order the profile lists them."""
    return [
        e for e in profile.entries if catalog.index_of(e.mal_id) is not None and entry_weight(e)
    ]


def describe() -> dict[str, Any]:
    """The encoding, as recorded in the model manifest."""
    return {
        "version": ENCODING_VERSION,
        "length": "catalog size; position = catalog index",
        "scored": "0.2 + 0.08 * score (score 1..10 → 0.28..1.0)",
        "unscored": UNSCORED_WEIGHT,
        "dropped": DROPPED_WEIGHT,
        "plan_to_watch": "0 (not input; excluded from ranking unless boosted)",
        "unknown_titles": "skipped",
        "normalization": "inside the model (L2 of the input row)",
    }
