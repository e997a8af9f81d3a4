"""Non-linear forms of the fresh score, on the same per-(user, title) terms (issue 21, third
round; RESULTS.md, "Non-linear fresh scores"):

- pairwise interactions in `fresh_blend`'s listwise softmax: own popularity squared, popularity
  × taste / near / direct, and popularity × per-visitor statistics (how popular, how long, how
  old and how long-tailed the visitor's list is; how far the cold year lies past it);
- a small gradient-boosted ranker (LightGBM `lambdarank`) on the seven shipped terms, with and
  without the visitor statistics.

Popularity² and taste × ln list length won and ship (`fresh_build.FEATURES` and the bias; so
`fresh_blend.BASE` holds them, and BASE here is the seven terms before them).

Each is compared by `fresh_content.cross_check`'s 4-fold cross-check over the training users
(both years' cuts, fitted on three folds, NDCG@20 of the fourth ÷ popularity's, pooled) and on
validation users; `--test` measures the `--choose` set once on test users.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.fresh_nonlinear --cache /tmp/cold
"""

from __future__ import annotations

import argparse
import json

import numpy as np

from converter import coldstart, fresh_build
from converter.experiments import cold_start, fresh_blend, fresh_content

BASE = ("near", "direct", "franchise", "unstarted", "taste", "popularity", "neighbour_popularity")
STATS = ("list_pop", "list_size", "list_year", "list_tail", "year_gap")
PAIRS = {  # name: (term, term) multiplied (terms of BASE, centred over training rows, or STATS)
    "pop2": ("popularity", "popularity"),
    "pop_taste": ("popularity", "taste"),
    "pop_near": ("popularity", "near"),
    "pop_direct": ("popularity", "direct"),
    "taste_size": ("taste", "list_size"),
    "near_size": ("near", "list_size"),
    **{f"pop_{s}": ("popularity", s) for s in STATS},
}
TERMS = (*BASE, *STATS, *PAIRS)
SETS = {
    "all terms": BASE,
    **{f"+ {p}": (*BASE, p) for p in PAIRS},
    "+ popularity × term": (*BASE, "pop2", "pop_taste", "pop_near", "pop_direct"),
    "+ popularity × visitor": (*BASE, *(f"pop_{s}" for s in STATS)),
    "+ every pair": (*BASE, *PAIRS),
    "+ pop2, taste_size": (*BASE, "pop2", "taste_size"),
    "+ pop2, pop_list_pop": (*BASE, "pop2", "pop_list_pop"),
    "+ pop2, pop_direct": (*BASE, "pop2", "pop_direct"),
}
TREES = {  # name: (terms of the trees, trees, leaves, terms of a linear start or ())
    "trees": (BASE, 150, 7, ()),
    "trees + visitor": ((*BASE, *STATS), 150, 7, ()),
    "trees, 50 of 4 leaves": (BASE, 50, 4, ()),
    "trees, 300 of 4 leaves": (BASE, 300, 4, ()),
    "trees, 50 of 7 leaves": (BASE, 50, 7, ()),
    "linear + 50 trees of 4 leaves": (BASE, 50, 4, BASE),
    "linear + 150 trees of 7 leaves": (BASE, 150, 7, BASE),
    "linear with pop2 + 50 trees of 4 leaves": (BASE, 50, 4, (*BASE, "pop2")),
}
TAIL = 9.0  # ln members below which a list title counts as long tail (≈ 8,100 members)


def visitor_stats(s: coldstart.ColdSet, catalog, year: int) -> np.ndarray:
    """[len(STATS), users]: mean ln members of the list's titles, ln(list length), mean start
    year, share with ln members < TAIL, and `year` less the list's latest start year."""
    on = s.cut.x > 0
    n = np.maximum(on.sum(axis=1), 1)
    pop = s.hood.warm_log_pop
    years = np.array([i.year or 0 for i in catalog], np.float64)
    dated = on & (years > 0)
    mean_year = (dated * years).sum(axis=1) / np.maximum(dated.sum(axis=1), 1)
    latest = np.where(dated, years, 0).max(axis=1)
    return np.stack([on @ pop / n, np.log(n), mean_year, (on & (pop < TAIL)).sum(axis=1) / n,
                     year - latest])  # fmt: skip


def with_pairs(block: fresh_blend.Block, stats: np.ndarray, centre: dict) -> fresh_blend.Block:
    """The block's BASE rows and the PAIRS products (terms less their training `centre`)."""
    t, y = block
    rows = {name: t[i] - centre[name] for i, name in enumerate(fresh_blend.TERMS)}
    rows |= {name: np.broadcast_to((v - centre[name])[:, None], y.shape)
             for name, v in zip(STATS, stats, strict=True)}  # fmt: skip
    base = [t[fresh_blend.TERMS.index(b)] for b in BASE]
    pairs = [rows[a] * rows[b] for a, b in PAIRS.values()]
    return np.stack([*base, *(rows[k] + centre[k] for k in STATS), *pairs]), y


def centres(blocks: list[fresh_blend.Block], stats: list[np.ndarray]) -> dict[str, float]:
    """Mean of every term over the training rows of unseen candidates, and of every statistic
    over training users."""
    out = {name: float(np.concatenate([t[i][y >= 0] for t, y in blocks]).mean())
           for i, name in enumerate(fresh_blend.TERMS)}  # fmt: skip
    out |= {
        name: float(np.concatenate([s[i] for s in stats]).mean()) for i, name in enumerate(STATS)
    }
    return out


def lambdarank(
    blocks: list[fresh_blend.Block], spec: tuple, terms: tuple[str, ...]
) -> fresh_content.Scorer:
    """LightGBM `lambdarank` per TREES `spec`, one query per user over their unseen
    candidates, the held-out cold titles relevant; from a fitted linear blend's scores where
    the spec names its terms."""
    import lightgbm

    use, trees, leaves, start = spec
    base = fresh_content.linear(blocks, start, terms) if start else (lambda t: 0.0 * t[0])
    cols = [terms.index(t) for t in use]
    feats, labels, groups, init = [], [], [], []
    for t, y in blocks:
        s = base(t)
        for r in range(len(y)):
            keep = y[r] >= 0
            feats.append(t[cols][:, r, keep].T)
            labels.append((y[r, keep] > 0).astype(int))
            groups.append(int(keep.sum()))
            init.append(s[r, keep])
    model = lightgbm.LGBMRanker(
        objective="lambdarank", n_estimators=trees, learning_rate=0.05, num_leaves=leaves,
        min_child_samples=200, verbose=-1,
    )  # fmt: skip
    model.fit(np.concatenate(feats), np.concatenate(labels), group=groups,
              init_score=np.concatenate(init))  # fmt: skip

    def score(t: np.ndarray) -> np.ndarray:
        flat = t[cols].reshape(len(cols), -1).T
        return base(t) + model.predict(flat).reshape(t.shape[1:])

    return score


def main() -> None:
    parser = argparse.ArgumentParser()
    cold_start.add_cut_arguments(parser, "sets to test, by semicolons")
    parser.add_argument("--folds", type=int, default=4)
    parser.add_argument("--only", default="", help="run only these sets, by semicolons")
    args = parser.parse_args()
    state, catalog, metadata = cold_start.prepared(args)
    hp = fresh_build.FreshHyper()
    raw, stats, sets = {}, {}, {}
    for key in state["sets"]:
        year = int(key.split()[-1])
        s = cold_start.prepared_set(state, key, metadata, hp.neighbours)
        raw[key], stats[key], sets[key] = (
            fresh_blend.design(s, hp),
            visitor_stats(s, catalog, year),
            s,
        )
    train_keys = [f"train {y}" for y in cold_start.YEARS]
    centre = centres([raw[k] for k in train_keys], [stats[k] for k in train_keys])
    blocks = {k: with_pairs(raw[k], stats[k], centre) for k in raw}
    test = args.choose.split(";") if args.test else []
    for term_sets, fitter in ((SETS, fresh_content.linear), (TREES, lambdarank)):
        if args.only:
            term_sets = {k: v for k, v in term_sets.items() if k in args.only.split(";")}
        fresh_content.cross_check(blocks, sets, TERMS, catalog, args.folds, term_sets, fitter)
        fresh_content.validate(blocks, sets, TERMS, catalog, test, term_sets, fitter)
    print("centres", json.dumps({k: round(v, 3) for k, v in centre.items()}), flush=True)


if __name__ == "__main__":
    main()
