"""Seeded splits for strong generalization: whole users are held out, then each held-out user's
list is cut into an input part (80%) and a target part (20%).

What counts: the list is what reaches the model input (`encoding.known_entries`: in the catalog,
not plan_to_watch). Targets are the held-out entries that are not `dropped` (a dropped show is no
successful recommendation); held-out dropped entries are hidden from the input and never count.
Users with fewer than `MIN_ENTRIES` list entries, or no target, are left out of evaluation.

Two more cuts for what a visitor feels (`whole_list=True`): the list is every entry but
plan_to_watch, titles the model cannot score included; such a target is a miss, always (its
target index is negative, which no ranking holds). `keep` narrows the targets further, e.g. to
titles that started in 2023 or later.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from animerec.catalog import Catalog
from animerec.encoding import encode_sparse, known_entries
from animerec.profile import Entry, Profile, Status

from .data import SparseRows

MIN_ENTRIES = 5
TARGET_FRACTION = 0.2


def split_users(
    keys: Sequence[str], val_fraction: float, test_fraction: float, seed: int
) -> tuple[list[str], list[str], list[str]]:
    """(train, validation, test) user keys, disjoint, drawn by a seeded shuffle of sorted keys."""
    order = sorted(keys)
    random.Random(seed).shuffle(order)
    n_test, n_val = round(len(order) * test_fraction), round(len(order) * val_fraction)
    return order[n_test + n_val :], order[n_test : n_test + n_val], order[:n_test]


@dataclass(frozen=True)
class HeldOut:
    """Encoded input rows and the target catalog indices of each evaluated user."""

    users: list[str]
    inputs: SparseRows
    targets: list[np.ndarray]

    def __len__(self) -> int:
        return len(self.users)


def hold_out(
    profiles: dict[str, Profile],
    users: Sequence[str],
    catalog: Catalog,
    seed: int,
    *,
    whole_list: bool = False,
    keep: Callable[[Entry], bool] | None = None,
) -> HeldOut:
    """Cut each user's list 80/20 with a shuffle seeded by `seed` and the list's own titles, so the
    same list is cut the same way whatever its user id, file or row order."""
    kept, pairs, targets = [], [], []
    for user in users:
        profile = profiles[user]
        parts = cut(profile, catalog, seed, whole_list)
        if parts is None:
            continue
        held, rest = parts
        target = sorted(
            target_index(e.mal_id, catalog)
            for e in held
            if e.status is not Status.DROPPED and (keep is None or keep(e))
        )
        if not target:
            continue
        kept.append(user)
        pairs.append(encode_sparse(profile.with_entries(rest), catalog))
        targets.append(np.asarray(target, np.int64))
    return HeldOut(kept, SparseRows.from_pairs(pairs, len(catalog)), targets)


def cut(
    profile: Profile, catalog: Catalog, seed: int, whole_list: bool = False
) -> tuple[list[Entry], list[Entry]] | None:
    """(held-out entries, input entries) of one list, or None when it is too short to cut."""
    entries = _listed(profile, catalog, whole_list)
    if len(entries) < MIN_ENTRIES:
        return None
    ids = ",".join(str(e.mal_id) for e in entries)
    random.Random(f"{seed}:{hashlib.sha256(ids.encode()).hexdigest()}").shuffle(entries)
    n_target = max(1, round(len(entries) * TARGET_FRACTION))
    return entries[:n_target], entries[n_target:]


def _listed(profile: Profile, catalog: Catalog, whole_list: bool) -> list[Entry]:
    """The entries a cut draws from, by id: the model's input, or the whole list but planned."""
    if whole_list:
        entries = [e for e in profile.entries if e.status is not Status.PLAN_TO_WATCH]
    else:
        entries = known_entries(profile, catalog)
    return sorted(entries, key=lambda e: e.mal_id)


def target_index(mal_id: int, catalog: Catalog) -> int:
    """The catalog index of a target; for a title the model cannot score, `-1 - mal_id`: a
    distinct negative number, so it counts in the target set and is never hit."""
    index = catalog.index_of(mal_id)
    return -1 - mal_id if index is None else index


def subset(heldout: HeldOut, users: Sequence[str]) -> HeldOut:
    """The part of `heldout` that belongs to `users`, in `heldout`'s order."""
    wanted = set(users)
    rows = [r for r, u in enumerate(heldout.users) if u in wanted]
    return HeldOut(
        [heldout.users[r] for r in rows],
        SparseRows.from_pairs((heldout.inputs.row(r) for r in rows), heldout.inputs.n_items),
        [heldout.targets[r] for r in rows],
    )
