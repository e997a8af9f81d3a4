"""Two franchise terms the fresh score did not have (issue 21, after the 2025 folds' cold-start
measurement; RESULTS.md, "The 2025 file's users, item cold start"). On those folds the fresh
score trails the warm model most on 2023's continuations (the warm model orders a visitor's
sequels better) and on its stand-alone titles. Both terms read only what the page already
holds (the list, the franchise's model titles in fresh.json, the catalog's members), so they
cost no bytes:

- depth: ln(1 + the number of the franchise's listed model titles on the visitor's list): one
  who watched three seasons is likelier to watch the fourth than one who saw a film;
- retention: for a title whose franchise is on the list, its ln members less those of the most
  popular franchise title on the list (how much of the earlier title's audience came back;
  0 when none is on the list). It won and ships (`fresh_build.FEATURES`; so BEFORE here is
  fresh_blend.BASE without it).

Fitted as the shipped weights were (`fresh_blend`'s listwise softmax on the cold cuts of
train's training users, both years) but without the 2025 file's users (`--fit-without`), then
compared by `fresh_content`'s 4-fold cross-check over those training users, on train's
validation users, and on the 2025 file's fold users but train's test users (cold_folds.py's
folds, their own models; none of them in this fit); `--test` measures `--choose` once on
train's test users.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.fresh_franchise --cache /tmp/cold \
        --train-users 6000 --folds-cache /tmp/recent_folds.pkl --cold-folds /tmp/h21/cold_folds
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace
from pathlib import Path

import numpy as np

from converter import coldstart, data, fresh_build, sections
from converter.experiments import cold_folds, cold_start, fresh_blend, fresh_content, recent_folds

BEFORE = tuple(t for t in fresh_blend.BASE if t != "retention")  # the terms before this round
TERMS = (*fresh_blend.TERMS, "depth")  # retention is fresh_build's (it ships)
SETS = {
    "shipped terms": BEFORE,
    "+ depth": (*BEFORE, "depth"),
    "+ retention": (*BEFORE, "retention"),
    "+ depth, retention": (*BEFORE, "depth", "retention"),
}


def depth(s: coldstart.ColdSet) -> np.ndarray:
    """[1, users, cold]: depth (module docstring) of one cold set."""
    out = np.zeros((len(s.cut.x), len(s.cold)))
    for j, group in enumerate(s.hood.franchise):
        if group:
            out[:, j] = np.log1p((s.cut.x[:, group] > 0).sum(axis=1))
    return out[None]


def block(s: coldstart.ColdSet, hp: fresh_build.FreshHyper) -> fresh_blend.Block:
    terms, y = fresh_blend.design(s, hp)
    return np.concatenate([terms, depth(s)]), y


def on_folds(args: argparse.Namespace, weights: dict[str, dict[str, float]]) -> None:
    """Each term set's fitted `weights` on the 2025 folds' users but train's test users (the
    fit saw none of the 2025 file's users), pooled over both folds."""
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    folds = recent_folds.load_folds(profiles, args.folds_cache, 2, args.seed)
    test = set(cold_start.split(profiles, args.seed, 0)[1]["test"])
    hp = fresh_build.FreshHyper()
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    found: dict[tuple[int, str], list] = {}
    groups = {"unseen": lambda u: u not in test}
    for f, state in enumerate(folds):
        sets = cold_folds.fold_sets(profiles, state, f, args.cold_folds, args.seed, metadata,
                                    hp.neighbours, groups)  # fmt: skip
        for year, _, s in sets:
            t, _ = block(s, hp)
            base = None
            for name, w in weights.items():  # the first: the shipped terms
                vec = np.array([w.get(k, 0.0) for k in TERMS])
                part = cold_folds.measure(s, hp, state["catalog"], np.tensordot(vec, t, axes=1))
                base = base or part["fresh"]
                found.setdefault((year, name), []).append({**part, "shipped terms": base})
    for (year, name), parts in found.items():
        result = json.dumps(cold_folds.summary(parts, args.seed), ensure_ascii=False)
        print("folds", year, name, result, flush=True)


def without_era(s: coldstart.ColdSet, era: str) -> coldstart.ColdSet:
    """`s` without the users of the rating file of `era`."""
    return s.rows([r for r, u in enumerate(s.cut.users) if sections.era_of(u) != era])


def main() -> None:
    parser = argparse.ArgumentParser()
    cold_start.add_cut_arguments(parser, "sets to test, by semicolons")
    parser.add_argument("--folds", type=int, default=4, help="cross-check on training users")
    parser.add_argument("--folds-cache", type=Path, required=True, help="recent_folds --cache")
    parser.add_argument("--cold-folds", type=Path, required=True, help="cold_folds --cache")
    parser.add_argument("--fit-without", default="2025", help="era left out of the fit ('' none)")
    args = parser.parse_args()
    state, catalog, metadata = cold_start.prepared(args)
    hp = fresh_build.FreshHyper()
    blocks, sets = {}, {}
    for key in state["sets"]:
        s = cold_start.prepared_set(state, key, metadata, hp.neighbours)
        sets[key] = without_era(s, args.fit_without) if key.startswith("train") else s
        blocks[key] = block(sets[key], hp)
        print(key, len(sets[key].cut.users), "users", flush=True)
    if args.folds:
        fresh_content.cross_check(blocks, sets, TERMS, catalog, args.folds, SETS)
    test = args.choose.split(";") if args.test else []
    fresh_content.validate(blocks, sets, TERMS, catalog, test, SETS)
    train = [blocks[f"train {y}"] for y in cold_start.YEARS]
    weights = {name: fresh_blend.fit(train, use, TERMS) for name, use in SETS.items()}
    if args.test:
        after = replace(hp, **{t: weights[args.choose].get(t, 0.0) for t in fresh_blend.BASE})
        fresh_blend.measure(sets, hp, after, catalog)
    on_folds(args, weights)


if __name__ == "__main__":
    main()
