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
users that train's split holds out (its validation and test users). `--cross-fit K` measures
the procedure instead, on every fold user: the fold users are dealt into K parts (seeded), and
each part is scored by weights refitted as they ship without that part's users (fit and offset;
`--train-cache`: cold_start.py's --cache), paired with the given weights ("given weights").

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.cold_folds \
        --folds-cache /tmp/recent_folds.pkl --cache /tmp/cold_folds [--cross-fit 4 \
        --train-cache /tmp/cold]
"""

from __future__ import annotations

import argparse
import functools
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
from animerec.catalog import Catalog

from converter import baselines, coldstart, data, fresh_build
from converter.experiments import cold_start, fresh_blend, recent_folds

BOOTSTRAP = 2000
TRAIN_USERS = 6000  # more than train's split holds: every training user's cold cut


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


def cross_fitted(
    part: dict[str, int], parts: int, seed: int, train_cache: Path
) -> list[fresh_build.FreshHyper]:
    """The fresh weights refitted as they ship (fresh_blend's listwise fit of `BASE` on the cold
    cuts of every training user of train's split, both years; the offset calibrated on its
    validation users), once per part of `part` without that part's users, fit and offset alike
    (`train_cache`: cold_start.py's --cache, train's split's fitted models)."""
    state = cold_start.prepare(seed, train_cache, TRAIN_USERS)
    hp = fresh_build.FreshHyper()
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    sets = {key: cold_start.prepared_set(state, key, metadata, hp.neighbours)
            for key in state["sets"] if not key.startswith("test")}  # fmt: skip
    fits = []
    for p in range(parts):
        kept = {k: s.rows([r for r, u in enumerate(s.cut.users) if part.get(u) != p])
                for k, s in sets.items()}  # fmt: skip
        blocks = [fresh_blend.design(kept[f"train {y}"], hp) for y in cold_start.YEARS]
        w = fresh_blend.fit(blocks, fresh_blend.BASE)
        validation = [kept[f"validation {y}"] for y in cold_start.YEARS]
        fits.append(fresh_blend.calibrated(validation, replace(hp, **w)))
        sizes = {k: len(s.cut.users) for k, s in kept.items()}
        print(f"part {p}", json.dumps(sizes), json.dumps(fits[-1].__dict__), flush=True)
    return fits


def parts_of(folds: list[dict], parts: int, seed: int) -> dict[str, int]:
    """Each fold user's part (0 … parts − 1): a seeded shuffle, dealt in turn."""
    users = sorted(u for state in folds for u in state["test"])
    random.Random(seed).shuffle(users)
    return {u: i % parts for i, u in enumerate(users)}


def scored_groups(
    args: argparse.Namespace, profiles: dict, folds: list[dict], hp: fresh_build.FreshHyper
) -> tuple[dict[str, Callable[[str], bool]], dict[str, tuple[fresh_build.FreshHyper, str]]]:
    """The groups of fold users (predicates), and each one's weights and row label: every user
    and the never-fitted ones under `hp`, or with --cross-fit each part under its own refit."""
    if args.cross_fit:
        part = parts_of(folds, args.cross_fit, args.seed)
        fits = cross_fitted(part, args.cross_fit, args.seed, args.train_cache)
        groups = {f"part {p}": lambda u, p=p: part[u] == p for p in range(args.cross_fit)}
        return groups, {g: (fit, "out of fold") for g, fit in zip(groups, fits, strict=True)}
    fitted = set(cold_start.split(profiles, args.seed, 0)[0])
    groups = {"all": lambda _: True, "never fitted": lambda u: u not in fitted}
    return groups, {g: (hp, g) for g in groups}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds-cache", type=Path, required=True, help="recent_folds --cache")
    parser.add_argument("--cache", type=Path, required=True, help="prefix of the cold fits")
    parser.add_argument("--folds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hyper", default="{}", help="FreshHyper fields as JSON")
    parser.add_argument("--cross-fit", type=int, default=0,
                        help="parts: each scored by weights refitted without it")  # fmt: skip
    parser.add_argument("--train-cache", type=Path, help="cold_start --cache, for --cross-fit")
    args = parser.parse_args()
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    folds = recent_folds.load_folds(profiles, args.folds_cache, args.folds, args.seed)
    hp = fresh_build.FreshHyper(**json.loads(args.hyper))
    groups, hyper = scored_groups(args, profiles, folds, hp)
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    found: dict[tuple[int, int, str], list] = {}
    titles: dict[tuple[int, int], int] = {}
    for f, state in enumerate(folds):
        sets = fold_sets(profiles, state, f, args.cache, args.seed, metadata, hp.neighbours, groups)
        for year, group, s in sets:
            fit, label = hyper[group]
            rows = measure(s, fit, state["catalog"])
            if args.cross_fit:  # paired with the weights fitted on every training user
                rows["given weights"] = measure(s, hp, state["catalog"])["fresh"]
            found.setdefault((f, year, label), []).append(rows)
            titles[f, year] = len(s.cold)
    print_rows(found, titles, args.seed)


def print_rows(
    found: dict[tuple[int, int, str], list], titles: dict[tuple[int, int], int], seed: int
) -> None:
    """`summary` of each (fold, year, label)'s `measure`s, then of each (year, label) pooled
    over the folds."""
    for (f, year, label), parts in found.items():
        result = {"titles": titles[f, year], **summary(parts, seed)}
        print(f"fold {f} {year} {label}", json.dumps(result, ensure_ascii=False), flush=True)
    for year, label in dict.fromkeys((y, lab) for _, y, lab in found):
        pooled = [p for (_, y, lab), parts in found.items() if (y, lab) == (year, label)
                  for p in parts]  # fmt: skip
        result = json.dumps(summary(pooled, seed), ensure_ascii=False)
        print(f"pooled {year} {label}", result, flush=True)


if __name__ == "__main__":
    main()
