"""The fresh model's weights, chosen on validation users, then measured on test users
(converter/coldstart.py; RESULTS.md, "New titles"). Train's split (seed 0): the catalog from the
training users; the titles of 2022, then of 2023, made cold; validation users pick the weights
(mean NDCG@20 ÷ popularity over both sets) and the offset, test users measure. The fitted
models are saved beside --cache, so a second run only re-scores.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.cold_start --cache /tmp/cold
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import random
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from animerec.catalog import Catalog

from converter import baselines, catalog_build, coldstart, data, fresh_build, splits

YEARS = (2022, 2023)  # each made cold in turn; validation users choose, test users measure
GRID = {  # two earlier grids (K 4/8/16, sharpness 1/2/4, direct 0–8, franchise 0–4,
    # popularity 0–3) chose K = 4, sharpness 1 and the largest direct weight: this one goes on
    "neighbours": (4,),
    "sharpness": (1.0,),
    "direct": (8.0, 16.0, 32.0),
    "franchise": (1.0, 2.0, 4.0),
    "popularity": (1.0, 1.5, 2.0, 3.0),
}


def add_cut_arguments(parser: argparse.ArgumentParser, choose: str) -> None:
    """The options the experiments on training users' cold cuts share (fresh_blend,
    fresh_content, fresh_nonlinear): `prepare`'s cache, seed and number of training users, and
    the term sets measured once on test users (`choose`: how the option reads them)."""
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--train-users", type=int, default=1500)
    parser.add_argument("--test", action="store_true", help="measure the chosen set on test")
    parser.add_argument("--choose", default="all terms", help=choose)


def split(profiles: dict, seed: int, train_users: int) -> tuple[list[str], dict[str, list[str]]]:
    """Train's split of `profiles`: its training users, and the users measured on: a seeded
    sample of `train_users` training users (whose cold cuts fit the fresh weights), the
    validation users and the test users."""
    train_u, val_u, test_u = splits.split_users(list(profiles), 0.08, 0.1, seed)
    sample = random.Random(seed).sample(train_u, min(train_users, len(train_u)))
    return train_u, {"train": sample, "validation": val_u, "test": test_u}


def fitted_logits(
    path: Path, train: data.SparseRows, catalog: Catalog, cold: list[int], seed: int,
    gram: Callable[[], np.ndarray],
) -> np.ndarray:  # fmt: skip
    """`coldstart.dlae_logits` without the `cold` titles (`gram`: the training rows' XᵀX,
    computed once at the first call that needs it), saved to `path` when first fitted
    (an interrupted run goes on where it stopped) and read from it (memory-mapped) after."""
    if not path.exists():
        started = time.time()
        np.save(path, coldstart.dlae_logits(train, catalog, cold, seed, gram()))
        print(f"fit {path.name} {time.time() - started:.0f} s", flush=True)
    return np.load(path, mmap_mode="r")


def prepare(seed: int, cache: Path, train_users: int = 0) -> dict:
    """The catalog, the cuts and the fitted logits, each model saved to `cache` as it is
    fitted (an interrupted run goes on where it stopped); with `train_users`, the cuts of
    that many training users too (seeded sample; the model saw their other titles)."""
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    train_u, groups = split(profiles, seed, train_users)
    counts = catalog_build.user_counts(profiles[u] for u in train_u)
    catalog, _ = catalog_build.build_catalogs(data.DEFAULT_DATA, counts, 10)
    train = data.encode_profiles((profiles[u] for u in train_u), catalog)
    gram = functools.cache(lambda: baselines.gram(train))
    state: dict = {"catalog": catalog, "sets": {}}
    for year in (None, *YEARS):
        path = cache.with_suffix(f".{year or 'warm'}.npy")
        cold = [] if year is None else coldstart.year_titles(catalog, year)
        state["b", year] = fitted_logits(path, train, catalog, cold, seed, gram)
        for name, users in groups.items():
            if year is not None and users:
                cut = coldstart.cold_cut(profiles, users, catalog, cold, seed)
                state["sets"][f"{name} {year}"] = (cold, cut)
                print(f"{name} {year}: {len(cold)} titles, {len(cut.users)} users", flush=True)
    return state


def prepared(args: argparse.Namespace) -> tuple[dict, Catalog, dict]:
    """`prepare` on the cut arguments (`add_cut_arguments`): its state, with the catalog and the
    content metadata that the cold sets are built from."""
    state = prepare(args.seed, args.cache, args.train_users)
    return state, state["catalog"], fresh_build.read_metadata(data.DEFAULT_DATA)


def prepared_set(state: dict, key: str, metadata: dict, neighbours: int) -> coldstart.ColdSet:
    """The cold set of `prepare`'s set `key` ("train 2022", …): its cut ranked by the model that
    never saw that year's titles against the warm one, `neighbours` content neighbours a title."""
    cold, cut = state["sets"][key]
    b_cold = state["b", int(key.split()[-1])]
    return coldstart.cold_set(key, cold, cut, state["catalog"], b_cold, state["b", None],
                              metadata, neighbours)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    state = prepare(args.seed, args.cache)
    catalog = state["catalog"]
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    hoods = {}

    def cold_set(key: str, k: int) -> coldstart.ColdSet:
        if (key, k) not in hoods:
            hoods[key, k] = prepared_set(state, key, metadata, k)
        return hoods[key, k]

    def validation(hp: fresh_build.FreshHyper) -> float:
        """Mean validation NDCG@20 ÷ popularity over the cold sets."""
        ratios = [
            coldstart.compare(cold_set(f"validation {y}", hp.neighbours), hp, catalog)["fresh"][
                "ndcg@20 ÷ popularity"
            ]
            for y in YEARS
        ]
        return float(np.mean(ratios))

    best, best_hp = -1.0, None
    for values in itertools.product(*GRID.values()):
        hp = fresh_build.FreshHyper(**dict(zip(GRID, values, strict=True)))
        score = validation(hp)
        if score > best:
            best, best_hp = score, hp
            print(f"{score:.4f} {hp}", flush=True)
    offsets = [
        coldstart.calibrated_offset(cold_set(f"validation {y}", best_hp.neighbours), best_hp)
        for y in YEARS
    ]
    hp = replace(best_hp, offset=round(float(np.mean(offsets)), 2))
    print("chosen", hp)
    report: dict = {"hyper": hp.__dict__}
    for key in [f"{n} {y}" for n in ("validation", "test") for y in YEARS]:
        s = cold_set(key, hp.neighbours)
        report[key] = {"titles": len(s.cold), "users": len(s.cut.users),
                       **coldstart.compare(s, hp, catalog)}  # fmt: skip
        print(key, json.dumps(report[key]), flush=True)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
