"""The fresh score's weights learned instead of searched on a grid (RESULTS.md, "New titles"):
a listwise softmax over each user's cold candidates, fitted on the cold cuts of a sample of
training users (titles of 2022 and of 2023 made cold, as in cold_start.py), its terms those of
`converter.fresh_build.features` plus own and neighbours' log-members. The term sets are
compared on validation users; the chosen one is measured once on test users.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.fresh_blend --cache /tmp/cold \
        --train-users 1500
"""

from __future__ import annotations

import argparse
import json
from dataclasses import replace

import numpy as np
from animerec.catalog import Catalog
from scipy.optimize import minimize

from converter import coldstart, fresh_build
from converter.experiments import cold_start

TYPES = ("TV", "Movie", "ONA", "OVA", "Special")
BASE = (*fresh_build.FEATURES, "popularity", "neighbour_popularity", "popularity_squared")
TERMS = (*BASE, "mainstream", *TYPES, "franchise_logit")
SETS = {  # the terms each fit may use (the others stay 0)
    "all terms": BASE,
    "+ franchise logit": (*BASE, "franchise_logit"),
    "+ mainstream": (*BASE, "mainstream"),
    "+ types": (*BASE, *TYPES),
    "+ every extra term": TERMS,
    "no near": tuple(t for t in BASE if t != "near"),
    "popularity + franchise terms": ("franchise", "unstarted", "popularity"),
}
L2 = 1e-3
Block = tuple[np.ndarray, np.ndarray]  # [terms, users, cold] values; [users, cold] targets


def design(s: coldstart.ColdSet, hp: fresh_build.FreshHyper) -> Block:
    """All TERMS of one cold set, and its target mask (1 target, -1 seen, 0 other)."""
    f = fresh_build.features(s.hood, hp, s.cut.x, s.cold_logits)
    codes, _ = fresh_build.weights(s.hood, hp)
    near_pop = (codes * s.hood.warm_log_pop[s.hood.index]).sum(axis=1) / codes.sum(axis=1)
    shape = f.shape[1:]
    own = np.broadcast_to(s.hood.log_pop, shape)[None]
    x = s.cut.x
    list_pop = (x > 0) @ s.hood.warm_log_pop / np.maximum((x > 0).sum(axis=1), 1)
    mainstream = (list_pop - 8.0)[:, None] * (s.hood.log_pop - 8.0)[None, :]
    types = [np.broadcast_to([float(i.type == t) for i in s.hood.fresh], shape) for t in TYPES]
    flogit = np.zeros(shape)
    for j, group in enumerate(s.hood.franchise):
        if group:
            ls = np.where(x[:, group] == 0, s.cold_logits[:, group], -np.inf).max(axis=1)
            flogit[:, j] = np.where(np.isfinite(ls), ls, 0.0)
    squared = (own - hp.popularity_centre) ** 2
    terms = np.concatenate([f, own, -np.broadcast_to(near_pop, shape)[None], squared,
                            mainstream[None], np.stack(types), flogit[None]])  # fmt: skip
    position = {int(c): j for j, c in enumerate(s.cold)}
    y = np.zeros(shape)
    for r, (t, seen) in enumerate(zip(s.cut.targets, s.cut.seen, strict=True)):
        y[r, [position[int(i)] for i in t]] = 1.0
        y[r, [position[int(i)] for i in seen]] = -1.0
    return terms, y


def softmax_loss(w: np.ndarray, blocks: list[Block]) -> tuple[float, np.ndarray]:
    """Mean over users of the targets' mean −log softmax over the unseen candidates (+ L2)."""
    total, grad, n = 0.0, np.zeros_like(w), 0
    for t, y in blocks:
        s = np.where(y < 0, -np.inf, np.tensordot(w, t, axes=1))
        s = s - s.max(axis=1, keepdims=True)
        log_z = np.log(np.exp(s).sum(axis=1, keepdims=True))
        pos = (y > 0) / np.maximum((y > 0).sum(axis=1, keepdims=True), 1)
        total -= (pos * np.where(y > 0, s - log_z, 0.0)).sum()
        grad -= np.tensordot(t, pos - np.exp(s - log_z), axes=([1, 2], [0, 1]))
        n += len(y)
    return total / n + L2 * w @ w, grad / n + 2 * L2 * w


def fit(
    blocks: list[Block], use: tuple[str, ...], terms: tuple[str, ...] = TERMS
) -> dict[str, float]:
    """The weights of the terms `use` (on their own scale) that minimize `softmax_loss`;
    `terms`: the names of the blocks' rows."""
    cols = [terms.index(t) for t in use]
    scale = np.array([np.concatenate([t[c][y >= 0] for t, y in blocks]).std() or 1.0
                      for c in cols])  # fmt: skip
    scaled = [(t[cols] / scale[:, None, None], y) for t, y in blocks]
    res = minimize(softmax_loss, np.zeros(len(cols)), args=(scaled,), jac=True, method="L-BFGS-B")
    return {t: round(float(v), 3) for t, v in zip(use, res.x / scale, strict=True)}


def main() -> None:
    parser = argparse.ArgumentParser()
    cold_start.add_cut_arguments(parser, "the set measured on test")
    parser.add_argument("--neighbours", type=int, default=4)
    args = parser.parse_args()
    state, catalog, metadata = cold_start.prepared(args)
    hp0 = replace(fresh_build.FreshHyper(), neighbours=args.neighbours)
    sets = {key: cold_start.prepared_set(state, key, metadata, hp0.neighbours)
            for key in state["sets"]}  # fmt: skip
    train = [design(sets[f"train {y}"], hp0) for y in cold_start.YEARS]
    held = {k: design(s, hp0) for k, s in sets.items() if not k.startswith("train")}
    for name, use in SETS.items():
        w = fit(train, use)
        vec = np.array([w.get(t, 0.0) for t in TERMS])
        for key in [f"validation {y}" for y in cold_start.YEARS]:
            s = sets[key]
            pop = coldstart.compare(s, hp0, catalog)["popularity"]["ndcg@20"]
            r = coldstart.ranked_metrics(np.tensordot(vec, held[key][0], axes=1), s.cut, s.cold)
            print(name, key, len(s.cut.users), json.dumps(r),
                  round(r["ndcg@20"] / pop, 3), flush=True)  # fmt: skip
        print(name, json.dumps(w), flush=True)
        if args.test and name == args.choose:
            measure(sets, hp0, replace(hp0, **w), catalog)


def calibrated(sets: list[coldstart.ColdSet], hp: fresh_build.FreshHyper) -> fresh_build.FreshHyper:
    """`hp` with the offset that ships: the mean over `sets` (the validation users' cold sets of
    each year) of `coldstart.calibrated_offset`, in hundredths."""
    offsets = [coldstart.calibrated_offset(s, hp) for s in sets]
    return replace(hp, offset=round(float(np.mean(offsets)), 2))


def measure(
    sets: dict[str, coldstart.ColdSet], before: fresh_build.FreshHyper,
    after: fresh_build.FreshHyper, catalog: Catalog,
) -> None:  # fmt: skip
    """The shipped form (quantized weights, `fresh_build.scores`) of the `after` weights with
    their offset calibrated on validation users, against `before`, on validation and test."""
    keys = [f"validation {y}" for y in cold_start.YEARS]
    after = calibrated([sets[k] for k in keys], after)
    print("chosen", json.dumps(after.__dict__), flush=True)
    for key in [*keys, *(f"test {y}" for y in cold_start.YEARS)]:
        for label, hp in (("before", before), ("after", after)):
            print(label, key, json.dumps(coldstart.compare(sets[key], hp, catalog)), flush=True)


if __name__ == "__main__":
    main()
