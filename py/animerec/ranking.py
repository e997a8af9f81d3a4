"""Model scores → the visitor's recommendation list."""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from .catalog import Catalog, Item
from .profile import Entry, Profile


@dataclass(frozen=True, slots=True)
class Recommendation:
    item: Item
    score: float  # the model's raw output for the item
    match: float  # 0–100: the share of catalog items this one outscores
    because: tuple[Entry, ...] = ()


def top_n(
    scores: Sequence[float], profile: Profile, catalog: Catalog, n: int = 50
) -> list[Recommendation]:
    """The `n` best-scored catalog items that are not already on the profile."""
    if len(scores) != len(catalog):
        raise ValueError(f"{len(scores)} scores for a catalog of {len(catalog)} items")
    on_list = {i for i in map(catalog.index_of, profile.ids()) if i is not None}
    candidates = (i for i in range(len(scores)) if i not in on_list)
    best = heapq.nlargest(n, candidates, key=scores.__getitem__)
    percentile = match_percentiles(scores, best)
    return [Recommendation(catalog[i], float(scores[i]), percentile[i]) for i in best]


def match_percentiles(scores: Sequence[float], indices: Sequence[int]) -> dict[int, float]:
    """For each index, the percentage of all items scored strictly lower."""
    ordered = sorted(scores)
    top = max(len(ordered) - 1, 1)
    return {i: 100.0 * bisect_left(ordered, scores[i]) / top for i in indices}
