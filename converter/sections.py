"""The held-out cuts that `train` and `evaluate` both report, each with every scorer measured on
the identical users and targets:

- the top level: targets from the entries that reach the model (the classic strong-generalization
  cut, `splits.hold_out`);
- `whole_list`: targets from the user's whole list but plan_to_watch; a title the model cannot
  score is a miss (what a visitor feels);
- `recent`: the whole-list cut's targets that started in `RECENT_SINCE` or later (years from the
  model's catalog and the recognized one);
- `eras` (train only): the top-level cut per era of the rating file a test user came from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from animerec.catalog import Catalog
from animerec.profile import Entry, Profile

from . import splits
from .data import RATING_FILES
from .metrics import Scorer, evaluate

RECENT_SINCE = 2023
ERAS = {"2016/2023": RATING_FILES[:2], "2025": RATING_FILES[2:]}


def started_since(year: int, *catalogs: Catalog) -> Callable[[Entry], bool]:
    """Whether an entry's title started in `year` or later, by the first catalog that has it."""

    def recent(entry: Entry) -> bool:
        for catalog in catalogs:
            item = catalog.by_mal_id(entry.mal_id)
            if item is not None:
                return item.year is not None and item.year >= year
        return False

    return recent


def cuts(
    profiles: dict[str, Profile], users: Sequence[str], catalog: Catalog, extra: Catalog, seed: int
) -> dict[str, splits.HeldOut]:
    """The `whole_list` and `recent` held-out cuts of `users`."""
    recent = started_since(RECENT_SINCE, catalog, extra)
    return {
        "whole_list": splits.hold_out(profiles, users, catalog, seed, whole_list=True),
        "recent": splits.hold_out(profiles, users, catalog, seed, whole_list=True, keep=recent),
    }


def compare(scorers: Mapping[str, Scorer], heldout: splits.HeldOut) -> dict[str, Any]:
    """{"users": n, name: metrics, …} for every scorer on `heldout`; metrics are None where
    no user is left (e.g. no recent target in an old file)."""
    if not len(heldout):
        return {"users": 0, **dict.fromkeys(scorers)}
    return {"users": len(heldout), **{name: evaluate(s, heldout) for name, s in scorers.items()}}


def era_of(user: str) -> str:
    """The era of a `<file stem>:<user_id>` key; files outside RATING_FILES are their own."""
    stem = user.split(":", 1)[0]
    return next((era for era, names in ERAS.items() if f"{stem}.csv" in names), stem)


def by_era(scorers: Mapping[str, Scorer], heldout: splits.HeldOut) -> dict[str, dict[str, Any]]:
    """`compare` on the users of each era, eras in ERAS order."""
    users: dict[str, list[str]] = {}
    for user in heldout.users:
        users.setdefault(era_of(user), []).append(user)
    order = sorted(users, key=lambda e: (e not in ERAS, e))
    return {era: compare(scorers, splits.subset(heldout, users[era])) for era in order}
