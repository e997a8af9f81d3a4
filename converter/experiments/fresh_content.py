"""Content the neighbour cosine does not use, tried as extra terms of the learned fresh blend
(issue 21, second round; RESULTS.md, "Content the neighbours do not use"):

- synopsis neighbours: the `neighbours` model titles of highest TF-IDF cosine of the synopsis
  (metadata-2026.csv), as near / direct terms of their own (`fresh_build.features` over them);
- synopsis profile: cosine between a title's synopsis and the x-weighted sum of the list's;
- CB2CF: kernel ridge from content (the neighbour tokens, with or without synopsis words) to
  the model's columns: B̂[:, j] = Σ_m α_jm B[:, m] over the warm titles m, so the visitor's
  score x·B̂[:, j] = Σ_m α_jm ℓ_m (ℓ: the logits of the model that never saw j); also its
  sparse form, the TOPS largest |α_jm| of each title (what a fresh.json could carry), as
  they are and refitted to the full column;
- taste: `fresh_build.taste` over the token kinds of TASTE (its "page" kinds won and ship:
  `fresh_build.FEATURES` now holds it, so a rerun's base set includes it);
- MyAnimeList's mean score and share of scoring users (mal-ranking-2026.csv).

AniList tags cover the titles of 2025–26 only, none of the 2022/2023 cold sets: not measurable.
Each set is fitted on training users (fresh_blend's listwise softmax), compared on validation
users and, with `--folds`, by a cross-check over the training users; `--test` measures the
`--choose` sets once on test users.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.fresh_content --cache /tmp/cold
"""

from __future__ import annotations

import argparse
import csv
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer

from converter import catalog_build, coldstart, data, fresh_build
from converter.experiments import cold_start, fresh_blend

TOPS = (4, 8, 16)
TASTE = {  # token kinds of the taste term: those the page's catalogs hold, then more
    "page": ("type", "era", "genres"),
    "studio": ("type", "era", "genres", "studio", "source"),
    "all": ("type", "era", "genres", "studio", "source", "themes", "demographic", "age"),
}
EXTRA = ("syn_near", "syn_direct", "syn_profile", "cb2cf", "cb2cf_syn",
         *(f"cb2cf_top{k}" for k in TOPS), *(f"cb2cf_fit{k}" for k in TOPS),
         *(f"taste_{k}" for k in TASTE), "mal_mean", "mal_scored")  # fmt: skip
RANKING = "mal-ranking-2026.csv"  # MyAnimeList's mean score and scoring users, July 2026
BASE = fresh_blend.BASE
SETS = {
    "all terms": BASE,
    "+ synopsis neighbours": (*BASE, "syn_near", "syn_direct"),
    "+ synopsis profile": (*BASE, "syn_profile"),
    "+ cb2cf": (*BASE, "cb2cf"),
    "+ cb2cf with synopsis": (*BASE, "cb2cf_syn"),
    **{f"+ cb2cf top {k}": (*BASE, f"cb2cf_top{k}") for k in TOPS},
    **{f"+ cb2cf top {k} refitted": (*BASE, f"cb2cf_fit{k}") for k in TOPS},
    **{f"+ taste {k}": (*BASE, f"taste_{k}") for k in TASTE},
    "+ MAL mean score": (*BASE, "mal_mean"),
    "+ MAL mean score and share scoring": (*BASE, "mal_mean", "mal_scored"),
    "+ every extra": (*BASE, *EXTRA),
}
ALPHA: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def synopses(catalog_items: list, path: Path) -> sp.csr_matrix:
    """L2-normalized TF-IDF rows of the items' synopses (zero rows where there is none)."""
    with open(path, newline="", encoding="utf-8") as f:
        text = {int(r["mal_id"]): r["synopsis"] for r in csv.DictReader(f) if r["mal_id"].isdigit()}
    docs = [text.get(i.mal_id, "") for i in catalog_items]
    vec = TfidfVectorizer(stop_words="english", min_df=2, max_df=0.3, sublinear_tf=True)
    return sp.csr_matrix(vec.fit_transform(docs))


def kernel_alpha(c: sp.csr_matrix, warm: np.ndarray, cold: np.ndarray, lam: float) -> np.ndarray:
    """α [n_cold, n_warm] of kernel ridge from content rows `c` to the warm titles' columns."""
    cw = c[warm]
    k = (cw @ cw.T).toarray()
    k[np.diag_indices_from(k)] += lam
    return np.linalg.solve(k, (cw @ c[cold].T).toarray()).T


def sparse_top(alpha: np.ndarray, top: int) -> np.ndarray:
    """`alpha` with all but each row's `top` largest |α| set to 0."""
    keep = np.argpartition(-np.abs(alpha), top - 1, axis=1)[:, :top]
    out = np.zeros_like(alpha)
    np.put_along_axis(out, keep, np.take_along_axis(alpha, keep, axis=1), axis=1)
    return out


def refit_top(alpha: np.ndarray, b: np.ndarray, warm: np.ndarray, top: int) -> np.ndarray:
    """`sparse_top`'s support, its weights refitted so that B[:, S]·α̃ is the least-squares
    fit of the full prediction B[:, warm]·α (the column, over every input title)."""
    full = b[:, warm] @ alpha.T  # [n, n_cold]
    out = np.zeros_like(alpha)
    for j, row in enumerate(sparse_top(alpha, top)):
        support = np.flatnonzero(row)
        cols = b[:, warm[support]]
        out[j, support] = np.linalg.lstsq(cols, full[:, j], rcond=None)[0]
    return out


def ranking_terms(items: list, path: Path) -> np.ndarray:
    """[2, items]: MyAnimeList's mean score (the mean of those known where unknown) and
    ln(scoring users ÷ list users) (0 where unknown)."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = {int(r["id"]): r for r in csv.DictReader(f) if r["id"].isdigit()}
    mean = np.array([float(rows[i.mal_id]["mean"] or "nan") if i.mal_id in rows else np.nan
                     for i in items])  # fmt: skip
    mean = np.where(np.isnan(mean), np.nanmean(mean), mean)
    scored = np.array([np.log(max(int(rows[i.mal_id]["num_scoring_users"] or 0), 1)
                              / max(int(rows[i.mal_id]["num_list_users"] or 0), 1))
                       if i.mal_id in rows else 0.0 for i in items])  # fmt: skip
    return np.stack([mean, scored])


def taste_term(s: coldstart.ColdSet, kinds: list, use: tuple[str, ...]) -> np.ndarray:
    """`fresh_build.taste` over the token kinds `use` (the shipped term: TASTE["page"])."""
    tokens = fresh_build.taste_tokens(kinds, use)
    keep = np.ones(tokens.shape[0])
    keep[s.cold] = 0.0
    hood = replace(s.hood, taste_warm=sp.diags(keep) @ tokens, taste_fresh=tokens[s.cold])
    return fresh_build.taste(hood, s.cold_logits)


def extra_terms(
    s: coldstart.ColdSet,
    hp,
    syn: sp.csr_matrix,
    content: sp.csr_matrix,
    lam: float,
    b: np.ndarray,
    kinds: list,
    ranking: np.ndarray,
) -> np.ndarray:
    """[len(EXTRA), users, n_cold] of one cold set."""
    n = s.cold_logits.shape[1]
    warm = np.setdiff1d(np.arange(n), s.cold)
    keep = np.ones(n)
    keep[s.cold] = 0.0
    idx, cos = fresh_build.neighbours(syn[s.cold], sp.diags(keep) @ syn, hp.neighbours)
    has = np.asarray(syn[s.cold].sum(axis=1)).ravel() > 0
    f = fresh_build.features(replace(s.hood, index=idx, cosine=cos), hp, s.cut.x, s.cold_logits)
    syn_near, syn_direct = f[0] * has, f[1] * has
    prof = sp.csr_matrix(s.cut.x) @ syn
    norms = np.sqrt(np.asarray(prof.multiply(prof).sum(axis=1)).ravel())
    profile = (prof @ syn[s.cold].T).toarray() / np.maximum(norms, 1e-12)[:, None]
    lw = s.cold_logits[:, warm]
    year = s.name.split()[-1]  # train, validation and test users of a year share the α
    if year not in ALPHA:
        both = sp.hstack([content, syn]).tocsr()
        ALPHA[year] = (kernel_alpha(content, warm, s.cold, lam),
                       kernel_alpha(both, warm, s.cold, lam))  # fmt: skip
        ALPHA[year] += tuple(refit_top(ALPHA[year][0], b, warm, k) for k in TOPS)
    a, a_syn, *fits = ALPHA[year]
    tops = [lw @ sparse_top(a, k).T for k in TOPS]
    return np.stack(
        [
            syn_near,
            syn_direct,
            profile,
            lw @ a.T,
            lw @ a_syn.T,
            *tops,
            *(lw @ f.T for f in fits),
            *(taste_term(s, kinds, use) for use in TASTE.values()),
            *np.broadcast_to(ranking[:, None, s.cold], (2, *lw.shape[:1], len(s.cold))),
        ]
    )


Scorer = Callable[[np.ndarray], np.ndarray]  # [terms, users, cold] -> [users, cold]
Fitter = Callable[[list, tuple[str, ...], tuple[str, ...]], Scorer]  # (blocks, use, terms)


def linear(blocks: list, use: tuple[str, ...], terms: tuple[str, ...]) -> Scorer:
    """`fresh_blend.fit`'s weighted sum of the terms `use`."""
    w = fresh_blend.fit(blocks, use, terms)
    print("weights", json.dumps(w), flush=True)
    vec = np.array([w.get(k, 0.0) for k in terms])
    return lambda t: np.tensordot(vec, t, axes=1)


def cross_check(
    blocks: dict, sets: dict, terms: tuple[str, ...], catalog, folds: int, term_sets: dict = SETS,
    fitter: Fitter = linear,
) -> None:  # fmt: skip
    """Each term set of `term_sets` fitted (by `fitter`) on all but one fold of the training
    users (both years), NDCG@20 of the fold left out ÷ popularity's on the same users, pooled
    over folds: a choice made on 398 + 148 users instead of the 30 + 14 validation ones."""
    rng = np.random.default_rng(0)
    fold = {y: rng.integers(0, folds, len(sets[f"train {y}"].cut.users)) for y in cold_start.YEARS}
    for name, use in term_sets.items():
        ratio = {}
        for y in cold_start.YEARS:
            s, (t, _) = sets[f"train {y}"], blocks[f"train {y}"]
            pop = np.log([max(catalog[i].popularity, 1) for i in s.cold])
            got = base = 0.0
            for f in range(folds):
                fit_on = [
                    (b[0][:, fold[z] != f], b[1][fold[z] != f])
                    for z in cold_start.YEARS
                    for b in [blocks[f"train {z}"]]
                ]
                scorer = fitter(fit_on, use, terms)
                rows = np.flatnonzero(fold[y] == f)
                cut = s.cut.rows(rows)
                mine = scorer(t[:, rows])
                n = len(rows)
                got += coldstart.ranked_metrics(mine, cut, s.cold)["ndcg@20"] * n
                flat = np.broadcast_to(pop, (n, len(pop)))
                base += coldstart.ranked_metrics(flat, cut, s.cold)["ndcg@20"] * n
            ratio[y] = round(got / base, 3)
        print("cross-check", name, json.dumps(ratio), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    cold_start.add_cut_arguments(parser, "sets to test, by commas")
    parser.add_argument("--lam", type=float, default=1.0)
    parser.add_argument("--folds", type=int, default=0, help="cross-check on training users")
    args = parser.parse_args()
    state, catalog, metadata = cold_start.prepared(args)
    hp = fresh_build.FreshHyper()
    items = list(catalog)
    syn = synopses(items, data.DEFAULT_DATA / "catalog" / catalog_build.METADATA)
    content, kinds = fresh_build.content_matrix(items, metadata)
    ranking = ranking_terms(items, data.DEFAULT_DATA / "catalog" / RANKING)
    blocks, sets = {}, {}
    for key in state["sets"]:
        b_cold = state["b", int(key.split()[-1])]
        s = cold_start.prepared_set(state, key, metadata, hp.neighbours)
        t, y = fresh_blend.design(s, hp)
        more = extra_terms(s, hp, syn, content, args.lam, np.asarray(b_cold), kinds, ranking)
        blocks[key] = (np.concatenate([t, more]), y)
        sets[key] = s
        print("terms", key, flush=True)
    terms = (*fresh_blend.TERMS, *EXTRA)
    if args.folds:
        cross_check(blocks, sets, terms, catalog, args.folds)
    validate(blocks, sets, terms, catalog, args.choose.split(",") if args.test else [])


def validate(
    blocks: dict, sets: dict, terms: tuple[str, ...], catalog, test: list[str],
    term_sets: dict = SETS, fitter: Fitter = linear,
) -> None:  # fmt: skip
    """Each term set fitted (by `fitter`) on all training users, NDCG@20 on validation users
    ÷ popularity's and ÷ the warm model's; on test users too for the sets named in `test`."""
    hp = fresh_build.FreshHyper()
    train = [blocks[f"train {y}"] for y in cold_start.YEARS]
    for name, use in term_sets.items():
        print(name, flush=True)
        scorer = fitter(train, use, terms)
        keys = [f"validation {y}" for y in cold_start.YEARS]
        if name in test:
            keys += [f"test {y}" for y in cold_start.YEARS]
        for key in keys:
            s = sets[key]
            pop = coldstart.compare(s, hp, catalog)["popularity"]["ndcg@20"]
            warm = coldstart.ranked_metrics(s.warm_logits[:, s.cold], s.cut, s.cold)["ndcg@20"]
            r = coldstart.ranked_metrics(scorer(blocks[key][0]), s.cut, s.cold)
            print(name, key, len(s.cut.users), json.dumps(r), "÷pop", round(r["ndcg@20"] / pop, 3),
                  "÷warm", round(r["ndcg@20"] / warm, 3), flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
