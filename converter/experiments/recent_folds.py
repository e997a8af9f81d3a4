"""Recent recall of the page (converter/recent.py) on the users of the 2025 AniList file, all of
them held out in folds (one split holds only 20–30 users with a recent target). Per fold:
every other user trains; the catalog is rebuilt from them; the model is full DLAE with the
franchise pseudo-users and its temperature (converter/coldstart.dlae_logits: the shipped
model's full form); fresh.json is built as `train` builds it, with the given weights.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.recent_folds --folds 2 \
        --cache /tmp/recent_folds.pkl [--hyper '{"franchise": 2.0}']
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
from pathlib import Path

from animerec.fresh import FreshModel, ShelfOrder

from converter import catalog_build, coldstart, data, fresh_build, recent, sections


def training_users(profiles: dict, test: list[str]) -> list[str]:
    """Every user of `profiles` but the fold's `test` users, in `profiles`' order."""
    held = set(test)
    return [u for u in profiles if u not in held]


def fold_state(profiles: dict, test: list[str], seed: int) -> dict:
    train_users = training_users(profiles, test)
    counts = catalog_build.user_counts(profiles[u] for u in train_users)
    catalog, extra = catalog_build.build_catalogs(data.DEFAULT_DATA, counts, 10)
    train = data.encode_profiles((profiles[u] for u in train_users), catalog)
    b = coldstart.dlae_logits(train, catalog, (), seed)
    return {"test": test, "catalog": catalog, "extra": extra, "b": b}


def load_folds(profiles: dict, cache: Path, folds: int, seed: int) -> list[dict]:
    """`fold_state` of each fold of the 2025 file's users (seeded shuffle, every `folds`-th
    user), read from `cache` when it exists, else fitted and saved there."""
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    users = sorted(u for u in profiles if sections.era_of(u) == "2025")
    random.Random(seed).shuffle(users)
    states = [fold_state(profiles, users[f::folds], seed) for f in range(folds)]
    cache.write_bytes(pickle.dumps(states, protocol=5))
    return states


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--hyper", default="{}", help="FreshHyper fields as JSON")
    parser.add_argument("--order", nargs="+", default=["{}"],
                        help="ShelfOrder fields as JSON (default: shipped)")  # fmt: skip
    args = parser.parse_args()
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    folds = load_folds(profiles, args.cache, args.folds, args.seed)
    hp = fresh_build.FreshHyper(**json.loads(args.hyper))
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    for f, state in enumerate(folds):
        catalog, extra, b = state["catalog"], state["extra"], state["b"]
        fresh_items = fresh_build.fresh_titles(extra, hp.since_year)
        hood = fresh_build.neighbourhood(catalog, fresh_items, metadata, hp.neighbours)
        fresh = FreshModel.from_json(fresh_build.to_json(hood, hp, len(catalog)))
        since = sections.RECENT_SINCE
        for text in args.order:
            order = ShelfOrder(**json.loads(text))
            result = recent.measure(profiles, state["test"], catalog, extra, args.seed,
                                    lambda x, b=b: x @ b, fresh, since, order)  # fmt: skip
            print(f"fold {f} order {text}", json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
