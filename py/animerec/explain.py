"""Explanations ("because you watched"): exact leave-one-out, batched into one model call.

The page encodes the profile L times, each time with one entry removed (`leave_one_out_batch`),
runs the [L, n_items] batch through the model once, and hands the flat output here. An entry
explains a recommendation by how much removing it lowers that item's log-probability.

Log-probability (logit − logsumexp of its row), not the raw logit: removing an input can shift
every logit of a row by about the same amount, which says nothing about this item. The
logsumexp of each row is computed once (`LeaveOneOut`), then each recommendation only reads its
own column, so explaining a re-ranked list is cheap.

L is capped at `LOO_LIMIT` entries, the highest-weighted (ties: most recently updated first):
those are the inputs the model leans on most, and a 5,000-entry list stays one [64, n_items]
call. Dropped titles are never offered: "because you watched" a title you dropped is no reason.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Collection, Iterable, Sequence

from .catalog import Catalog
from .encoding import encode, entry_weight
from .profile import Entry, Profile, Status

LOO_LIMIT = 64


def explainable_entries(profile: Profile, catalog: Catalog, limit: int = LOO_LIMIT) -> list[Entry]:
    """The entries to leave out one at a time: known to the catalog, in the model input, not
    dropped; the `limit` highest-weighted."""
    pool = [
        e
        for e in profile.entries
        if e.status is not Status.DROPPED
        and entry_weight(e) > 0.0
        and catalog.index_of(e.mal_id) is not None
    ]
    return heapq.nsmallest(limit, pool, key=lambda e: (-entry_weight(e), -(e.updated_at or 0)))


def leave_one_out_batch(
    profile: Profile, catalog: Catalog, limit: int = LOO_LIMIT, row: array | None = None
) -> tuple[array, list[Entry]]:
    """The model input for the leave-one-out call: one flat `array('f')` of L rows × n_items
    (row r = the profile without `entries[r]`), and the L entries in row order. `row`: the
    profile's encoding, where the caller has it already."""
    entries = explainable_entries(profile, catalog, limit)
    row = encode(profile, catalog) if row is None else row
    n = len(row)
    batch = row * len(entries)
    for r, e in enumerate(entries):
        batch[r * n + catalog.index_of(e.mal_id)] = 0.0
    return batch, entries


class LeaveOneOut:
    """The model's leave-one-out output, with each row's logsumexp computed once."""

    def __init__(
        self, full_scores: Sequence[float], loo_scores: Sequence[float], entries: Sequence[Entry]
    ) -> None:
        n = len(full_scores)
        if len(loo_scores) != n * len(entries):
            raise ValueError(
                f"{len(loo_scores)} leave-one-out scores for {len(entries)} rows of {n} items"
            )
        self.n = n
        self.full_scores = full_scores
        self.loo_scores = loo_scores
        self.entries = list(entries)
        self.full_lse = logsumexp(full_scores)
        self.row_lse = [logsumexp(loo_scores[r * n : (r + 1) * n]) for r in range(len(entries))]

    def because(
        self, indices: Iterable[int], k: int = 3, unnamed: Collection[int] = ()
    ) -> dict[int, list[Entry]]:
        """For each catalog index, up to `k` entries whose removal lowers its log-probability
        most, biggest drop first; entries whose removal does not lower it are left out, and so
        are the entries of the MyAnimeList ids in `unnamed` (titles not to be shown)."""
        n, loo = self.n, self.loo_scores
        rows = [(r, lse) for r, lse in enumerate(self.row_lse)
                if self.entries[r].mal_id not in unnamed]  # fmt: skip
        out: dict[int, list[Entry]] = {}
        for j in indices:
            full = self.full_scores[j] - self.full_lse
            drops = [(full - (loo[r * n + j] - lse), r) for r, lse in rows]
            top = heapq.nlargest(k, drops)
            out[j] = [self.entries[r] for drop, r in top if drop > 0.0]
        return out


def because_you_watched(
    full_scores: Sequence[float],
    loo_scores: Sequence[float],
    entries: Sequence[Entry],
    rec_indices: Iterable[int],
    k: int = 3,
) -> dict[int, list[Entry]]:
    """One-shot `LeaveOneOut(...).because(...)`; keep a `LeaveOneOut` to explain re-ranks."""
    return LeaveOneOut(full_scores, loo_scores, entries).because(rec_indices, k)


def logsumexp(values: Sequence[float]) -> float:
    """log Σ exp(v), shifted by the maximum so that large logits do not overflow."""
    top = max(values)
    if -700.0 < top < 700.0:  # exp cannot overflow, and the largest term cannot underflow
        return math.log(sum(map(math.exp, values)))
    return top + math.log(sum(math.exp(v - top) for v in values))
