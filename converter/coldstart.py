"""Item cold start, measured: every rating of a set of titles (those that started in one year)
is hidden, the model is fitted on the rest, and those titles are ranked among themselves for
the held-out users who watched one, by `animerec.fresh`'s scores (content neighbours, franchise,
popularity; `converter/fresh_build.py`) against popularity (MyAnimeList members) among the
same titles and against the same model fitted WITH their ratings (the warm upper bound).

The model here is full DLAE with the franchise pseudo-users (λ = 100, p = 0.25, the shipped
weights; `converter/tied.py` ships its rank-590 form, 1.04× → 1.03× full EASE), its logits
scaled by the fitted temperature as the shipped ones are.

Per user: the 80/20 cut of `splits.cut`; targets: the held-out, not dropped, cold titles; the
input: the rest of the list without any cold title (the model never saw them); candidates:
every cold title not in the input part of the list. NDCG@20 and Recall@20 (normalized by
min(20, |targets|)) over that ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np
from animerec.catalog import Catalog
from animerec.encoding import encode_sparse
from animerec.profile import Profile, Status

from . import fresh_build, splits
from .baselines import gram
from .data import SparseRows
from .dlae import dlae_weights
from .lowrank import fit_temperature
from .metrics import ndcg_at_k, recall_at_k
from .side_info import franchise_groups, pseudo_user_gram
from .tied import TiedHyper

K = 20


@dataclass(frozen=True)
class ColdCut:
    """The evaluated users of one cold set: dense inputs without cold titles, cold targets
    and cold titles already in the input part (never ranked), as catalog indices."""

    users: list[str]
    x: np.ndarray
    targets: list[np.ndarray]
    seen: list[np.ndarray]

    def rows(self, rows: Sequence[int]) -> ColdCut:
        """The cut of the users at `rows` only."""
        pick = list(rows)
        return ColdCut([self.users[r] for r in pick], self.x[pick],
                       [self.targets[r] for r in pick], [self.seen[r] for r in pick])  # fmt: skip


def cold_cut(
    profiles: dict[str, Profile], users: Sequence[str], catalog: Catalog, cold: Collection[int],
    seed: int,
) -> ColdCut:  # fmt: skip
    """The users of `users` with a held-out cold title, cut as `splits.cut` cuts them."""
    cold = set(cold)
    kept, pairs, targets, seen = [], [], [], []
    for user in users:
        parts = splits.cut(profiles[user], catalog, seed)
        if parts is None:
            continue
        held, rest = parts
        index = catalog.index_of
        liked = (e for e in held if e.status is not Status.DROPPED)
        target = sorted({index(e.mal_id) for e in liked} & cold)
        if not target:
            continue
        warm = [e for e in rest if index(e.mal_id) not in cold]
        kept.append(user)
        pairs.append(encode_sparse(profiles[user].with_entries(warm), catalog))
        targets.append(np.asarray(target))
        seen.append(np.asarray(sorted({index(e.mal_id) for e in rest} & cold), np.int64))
    x = SparseRows.from_pairs(pairs, len(catalog)).dense()
    return ColdCut(kept, x, targets, seen)


def year_titles(catalog: Catalog, year: int) -> list[int]:
    """The indices of the titles that started in `year` (one cold set)."""
    return [i.index for i in catalog if i.year == year]


def without(rows: SparseRows, cold: Collection[int]) -> SparseRows:
    """`rows` with every entry of the `cold` titles removed."""
    keep = ~np.isin(rows.indices, np.fromiter(cold, np.int64))
    kept_before = np.concatenate([[0], np.cumsum(keep)]).astype(np.int64)
    return SparseRows(kept_before[rows.indptr], rows.indices[keep], rows.values[keep],
                      rows.n_items)  # fmt: skip


def dlae_logits(
    train: SparseRows, catalog: Catalog, cold: Collection[int], seed: int,
    ratings_gram: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """τ·B of full DLAE with franchise pseudo-users, fitted on `train` without the `cold`
    titles (their ratings and their places in the franchise groups); `cold` may be empty.
    `ratings_gram`: `train`'s XᵀX when already computed (without a title's ratings, its row
    and column are zero, so one Gram serves every cold set)."""
    hp = TiedHyper()
    cold = set(cold)
    rows = without(train, cold) if cold else train
    g = gram(train) if ratings_gram is None else ratings_gram.copy()
    lost = list(cold)
    g[lost, :] = 0.0
    g[:, lost] = 0.0
    groups = [[i for i in g if i not in cold] for g in franchise_groups(catalog)]
    g += pseudo_user_gram(
        len(catalog), [g for g in groups if len(g) > 1], hp.franchise, hp.franchise_exponent
    )
    b = dlae_weights(g, hp.lam, hp.drop)
    return b * np.float32(fit_temperature(rows, lambda x: x @ b, seed))


def per_user(scores: np.ndarray, cut: ColdCut, cold: np.ndarray) -> dict[str, np.ndarray]:
    """Each user's NDCG@20 and Recall@20 of `scores` [users, len(cold)] over the cold
    candidates."""
    s = np.array(scores, np.float64)
    position = {int(c): j for j, c in enumerate(cold)}
    for r, seen in enumerate(cut.seen):
        s[r, [position[int(i)] for i in seen]] = -np.inf
    order = np.argsort(-s, axis=1, kind="stable")[:, :K]
    ranked = cold[order]
    return {"ndcg@20": ndcg_at_k(ranked, cut.targets, K),
            "recall@20": recall_at_k(ranked, cut.targets, K)}  # fmt: skip


def ranked_metrics(scores: np.ndarray, cut: ColdCut, cold: np.ndarray) -> dict[str, float]:
    """NDCG@20 and Recall@20 of `scores` [users, len(cold)], means over users."""
    return {m: round(float(v.mean()), 4) for m, v in per_user(scores, cut, cold).items()}


@dataclass
class ColdSet:
    """One cold set, ready to score: the cut, the titles, the logits without and with them."""

    name: str
    cold: np.ndarray
    cut: ColdCut
    cold_logits: np.ndarray  # [users, n] from the model that never saw the cold titles
    warm_logits: np.ndarray  # [users, n] from the model that saw them
    hood: fresh_build.Neighbourhood

    def rows(self, rows: Sequence[int]) -> ColdSet:
        """The set of the users at `rows` only."""
        pick = list(rows)
        return ColdSet(self.name, self.cold, self.cut.rows(pick), self.cold_logits[pick],
                       self.warm_logits[pick], self.hood)  # fmt: skip


def cold_set(
    name: str, cold: Sequence[int], cut: ColdCut, catalog: Catalog, b_cold: np.ndarray,
    b_warm: np.ndarray, metadata: dict[int, dict[str, str]], k: int,
) -> ColdSet:  # fmt: skip
    """The `cold` titles' content neighbours among the others, and both models' logits."""
    hood = fresh_build.neighbourhood(catalog, [catalog[i] for i in cold], metadata, k, cold)
    return ColdSet(name, np.asarray(cold), cut, cut.x @ b_cold, cut.x @ b_warm, hood)


def rankers(
    s: ColdSet, hp: fresh_build.FreshHyper, catalog: Catalog
) -> dict[str, Callable[[], np.ndarray]]:
    """The scores [users, len(cold)] of fresh, popularity and the warm model on one cold set."""
    pop = np.log(np.array([max(catalog[i].popularity, 1) for i in s.cold], np.float64))
    return {
        "fresh": lambda: fresh_build.scores(s.hood, hp, s.cut.x, s.cold_logits),
        "popularity": lambda: np.broadcast_to(pop, (len(s.cut.users), len(pop))),
        "warm model": lambda: s.warm_logits[:, s.cold],
    }


def compare(
    s: ColdSet, hp: fresh_build.FreshHyper, catalog: Catalog
) -> dict[str, dict[str, float]]:
    """Fresh, popularity and warm model on one cold set, with each one's ratio to popularity."""
    scorers = rankers(s, hp, catalog)
    out = {name: ranked_metrics(f(), s.cut, s.cold) for name, f in scorers.items()}
    base = out["popularity"]["ndcg@20"]
    for metrics in out.values():
        metrics["ndcg@20 ÷ popularity"] = round(metrics["ndcg@20"] / max(base, 1e-9), 3)
    return out


def calibrated_offset(s: ColdSet, hp: fresh_build.FreshHyper) -> float:
    """The offset that puts the fresh scores of the cold titles, on average over users and
    titles, where the model that saw their ratings puts their logits."""
    fresh = fresh_build.scores(s.hood, hp, s.cut.x, s.cold_logits)
    return float((s.warm_logits[:, s.cold] - fresh).mean()) + hp.offset


def report(
    train: SparseRows, profiles: dict[str, Profile], users: Sequence[str], catalog: Catalog,
    seed: int, years: Sequence[int], hp: fresh_build.FreshHyper,
    metadata: dict[int, dict[str, str]],
) -> dict[str, dict]:  # fmt: skip
    """`compare` for the titles of each of `years` made cold in turn, on `users`; the model
    fitted once with every title (the warm one) and once per year without that year's."""
    g = gram(train)
    b_warm = dlae_logits(train, catalog, (), seed, g)
    out = {}
    for year in years:
        cold = year_titles(catalog, year)
        cut = cold_cut(profiles, users, catalog, cold, seed)
        if not cut.users:
            out[str(year)] = {"titles": len(cold), "users": 0}
            continue
        b_cold = dlae_logits(train, catalog, cold, seed, g)
        s = cold_set(str(year), cold, cut, catalog, b_cold, b_warm, metadata, hp.neighbours)
        out[str(year)] = {"titles": len(cold), "users": len(cut.users),
                          **compare(s, hp, catalog)}  # fmt: skip
    return out
