"""What "continue what you love" (`animerec.franchise.continuations`) adds, measured on the
whole-list cut of held-out users (`splits.hold_out(whole_list=True)`): the input part of each
list gives the shelf, the held-out part is the truth.

- `target_share`: of all held-out targets, the share the rule would offer (its shelf without a
  size limit), i.e. how often a target is such a continuation;
- `recall@50`: the model's 50 cards alone; `shelf_first`: the shelf's titles, then the model's,
  50 in all (Recall@50 if the shelf took the first places among the cards);
- beside the 50 cards (the page shows the shelf apart): `shelf_users`, the share of users with a
  shelf; `shelf_precision`, the share of shelf titles that are targets; `shelf_new_hits`, the
  targets per user the shelf holds and the 50 cards miss.
Recall is Mult-VAE's (hits / min(50, targets)); a target the model cannot score is a miss of the
model, but the shelf may hold it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from animerec.catalog import Catalog
from animerec.franchise import Titles, continuations
from animerec.profile import Profile, Status

from . import splits
from .metrics import Scorer, rank

K = 50


def measure(
    profiles: dict[str, Profile],
    users: Sequence[str],
    catalog: Catalog,
    extra: Catalog,
    seed: int,
    scorer: Scorer,
) -> dict[str, Any]:
    """The module docstring's numbers for `scorer` on `users`."""
    titles = Titles(catalog, extra)
    heldout = splits.hold_out(profiles, users, catalog, seed, whole_list=True)
    if not len(heldout):
        return {"users": 0}
    ranked = []
    for start in range(0, len(heldout), 256):
        stop = min(start + 256, len(heldout))
        exclude = [heldout.inputs.row(r)[0] for r in range(start, stop)]
        ranked.extend(rank(scorer(heldout.inputs.dense(start, stop)), exclude, K))
    counts = dict.fromkeys(("targets", "continuations", "shelved", "shelf_hits", "new_hits"), 0)
    users_with_shelf = 0
    recall: dict[str, list[float]] = {"recall@50": [], "shelf_first": []}
    for user, top in zip(heldout.users, ranked, strict=True):
        parts = splits.cut(profiles[user], catalog, seed, whole_list=True)
        assert parts is not None  # hold_out kept the user, so the list was cut
        held, rest = parts
        truth = {e.mal_id for e in held if e.status is not Status.DROPPED}
        given = profiles[user].with_entries(rest)
        every = {i.mal_id for i in continuations(given, titles, limit=None)}
        shelf = [i.mal_id for i in continuations(given, titles)]
        cards = [catalog[int(i)].mal_id for i in top]
        first = list(dict.fromkeys(shelf + cards))[:K]
        counts["targets"] += len(truth)
        counts["continuations"] += len(truth & every)
        counts["shelved"] += len(shelf)
        counts["shelf_hits"] += len(truth & set(shelf))
        counts["new_hits"] += len(truth & set(shelf) - set(cards))
        users_with_shelf += bool(shelf)
        for name, shown in (("recall@50", cards), ("shelf_first", first)):
            recall[name].append(len(truth & set(shown)) / min(K, len(truth)))
    return {
        "users": len(heldout),
        "target_share": round(counts["continuations"] / counts["targets"], 4),
        **{name: round(float(np.mean(v)), 4) for name, v in recall.items()},
        "shelf_users": round(users_with_shelf / len(heldout), 4),
        "shelf_precision": round(counts["shelf_hits"] / max(counts["shelved"], 1), 4),
        "shelf_new_hits": round(counts["new_hits"] / len(heldout), 4),
    }
