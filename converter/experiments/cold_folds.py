"""Item cold start (converter/coldstart.py) on the users of the 2025 AniList file, held out in
recent_folds.py's folds (train's split holds only 14–51 users per cold set). Per fold: every
other user trains and the catalog is rebuilt from them (recent_folds.py's cached state, its
warm model included); every rating of the titles of 2022, then of 2023, is hidden and full DLAE
with the franchise pseudo-users is refitted without them; those titles are ranked for the
fold's users who watched one: the fresh score with the shipped weights (`FreshHyper()`, or
--hyper), popularity among the same titles, and the warm model that saw their ratings.

A measurement, not a fit: nothing is chosen here. The shipped fresh weights were fitted on the
cold cuts of every training user of train's split (fresh_nonlinear.py, --train-users 6000), the
2025 file's users among them (about 82%; the cut is the same seeded 80/20), so most fold users
lent these very targets to the nine weights; "never fitted" repeats each row with only the fold
users that train's split holds out (its validation and test users).

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.cold_folds \
        --folds-cache /tmp/recent_folds.pkl --cache /tmp/cold_folds
"""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from animerec.catalog import Catalog

from converter import baselines, coldstart, data, fresh_build
from converter.experiments import cold_start, recent_folds

BOOTSTRAP = 2000


def measure(
    s: coldstart.ColdSet, hp: fresh_build.FreshHyper, catalog: Catalog,
    fresh: np.ndarray | None = None,
) -> dict[str, dict[str, np.ndarray]]:  # fmt: skip
    """Each user's NDCG@20 and Recall@20 under each of `coldstart.rankers`, the fresh scores
    replaced by `fresh` [users, cold] when given (another form of the score)."""
    scorers = coldstart.rankers(s, hp, catalog)
    if fresh is not None:
        scorers["fresh"] = lambda: fresh
    return {name: coldstart.per_user(f(), s.cut, s.cold) for name, f in scorers.items()}


def summary(found: list[dict[str, dict[str, np.ndarray]]], seed: int) -> dict:
    """Means over the users of every `measure` in `found` (pooled), NDCG@20 ratios of fresh to
    each other ranker (popularity, the warm model, any other form), and their 90% intervals from
    a paired bootstrap over users (2,000 resamples)."""
    pooled = {r: {m: np.concatenate([f[r][m] for f in found]) for m in found[0][r]}
              for r in found[0]}  # fmt: skip
    out: dict = {"users": len(pooled["fresh"]["ndcg@20"])}
    out |= {r: {m: round(float(v.mean()), 4) for m, v in ms.items()} for r, ms in pooled.items()}
    ndcg = {r: ms["ndcg@20"] for r, ms in pooled.items()}
    draws = np.random.default_rng(seed).integers(0, out["users"], (BOOTSTRAP, out["users"]))
    for base in (r for r in pooled if r != "fresh"):
        ratio = ndcg["fresh"][draws].mean(axis=1) / ndcg[base][draws].mean(axis=1)
        low, high = np.percentile(ratio, [5, 95])
        point = ndcg["fresh"].mean() / ndcg[base].mean()
        out[f"fresh ÷ {base}"] = [round(float(v), 3) for v in (point, low, high)]
    return out


def fold_sets(
    profiles: dict, state: dict, fold: int, cache: Path, seed: int,
    metadata: dict[int, dict[str, str]], k: int, groups: dict[str, Callable[[str], bool]],
) -> Iterator[tuple[int, str, coldstart.ColdSet]]:  # fmt: skip
    """(year, group, cold set) of one fold: each year's titles made cold (the model refitted
    without them, saved beside `cache`), for each group of `groups` (its test users for whom
    the group's predicate holds)."""
    catalog, b_warm, test = state["catalog"], state["b"], state["test"]
    train_u = recent_folds.training_users(profiles, test)
    train = data.encode_profiles((profiles[u] for u in train_u), catalog)
    gram = functools.cache(lambda: baselines.gram(train))
    for year in cold_start.YEARS:
        cold = coldstart.year_titles(catalog, year)
        path = cache.with_suffix(f".fold{fold}.{year}.npy")
        b_cold = cold_start.fitted_logits(path, train, catalog, cold, seed, gram)
        for group, keep in groups.items():
            users = [u for u in test if keep(u)]
            cut = coldstart.cold_cut(profiles, users, catalog, cold, seed)
            yield year, group, coldstart.cold_set(str(year), cold, cut, catalog, b_cold, b_warm,
                                                  metadata, k)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds-cache", type=Path, required=True, help="recent_folds --cache")
    parser.add_argument("--cache", type=Path, required=True, help="prefix of the cold fits")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hyper", default="{}", help="FreshHyper fields as JSON")
    args = parser.parse_args()
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    folds = recent_folds.load_folds(profiles, args.folds_cache, args.folds, args.seed)
    fitted = set(cold_start.split(profiles, args.seed, 0)[0])
    groups = {"all": lambda _: True, "never fitted": lambda u: u not in fitted}
    hp = fresh_build.FreshHyper(**json.loads(args.hyper))
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    found: dict[tuple[int, str], list] = {}
    for f, state in enumerate(folds):
        sets = fold_sets(profiles, state, f, args.cache, args.seed, metadata, hp.neighbours, groups)
        for year, group, s in sets:
            found.setdefault((year, group), []).append(measure(s, hp, state["catalog"]))
            result = {"titles": len(s.cold), **summary(found[year, group][-1:], args.seed)}
            print(f"fold {f} {year} {group}", json.dumps(result, ensure_ascii=False), flush=True)
    for (year, group), parts in found.items():
        result = json.dumps(summary(parts, args.seed), ensure_ascii=False)
        print(f"pooled {year} {group}", result, flush=True)


if __name__ == "__main__":
    main()
