"""The catalog's franchises as pseudo-users of the Gram matrix (collective EASE: Jeunen, Van Balen
& Goethals, RecSys 2020, "Closed-form models for collaborative filtering with side-information").

A franchise group (`Item.franchise`: franchises-2026.json, a maintained relation source) "watched"
all its titles, so DLAE starts from G = XᵀX + Σ_groups w·k^−e·1_g·1_gᵀ (k: the group's titles in
the model's catalog) in place of XᵀX. Only the Gram matrix changes: B is still item × item, the
tied factorization, export and page run it unchanged, so the relation costs the page nothing.

Why it helps: a sequel and its first season co-occur in users' lists only as often as those few
users say, and a title of 2025 has few of them; the group tells the model the relation outright.
Why k^−e: a franchise of a hundred titles (music videos, specials) would otherwise swamp the
Gram rows of all its members. Measured in RESULTS.md, "Franchises as pseudo-users".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from animerec.catalog import Item


def franchise_groups(items: Iterable[Item]) -> list[list[int]]:
    """Catalog indices per franchise with at least two titles in `items`."""
    groups: dict[int, list[int]] = defaultdict(list)
    for item in items:
        if item.franchise is not None:
            groups[item.franchise].append(item.index)
    return [g for g in groups.values() if len(g) > 1]


def pseudo_user_gram(
    n_items: int, groups: Sequence[Sequence[int]], weight: float, exponent: float
) -> np.ndarray:
    """Σ over groups of weight·k^−exponent on every pair (and diagonal entry) of the group."""
    s = np.zeros((n_items, n_items))
    for group in groups:
        idx = np.asarray(group)
        s[np.ix_(idx, idx)] += weight * len(idx) ** -exponent
    return s
