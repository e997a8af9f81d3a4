"""Top-k ranking metrics as in Liang et al. (Mult-VAE, 2018), and the one evaluation loop that
train and evaluate share, so every scorer is measured the same way on the same split."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from .splits import HeldOut

METRICS = ("recall@20", "recall@50", "ndcg@100")
Scorer = Callable[[np.ndarray], np.ndarray]  # dense input batch → scores [batch, n_items]


def recall_at_k(ranked: np.ndarray, targets: Sequence[np.ndarray], k: int) -> np.ndarray:
    """Per user: hits in the top k / min(k, |targets|) (the normalized recall of Mult-VAE)."""
    return np.array(
        [np.isin(r[:k], t).sum() / min(k, len(t)) for r, t in zip(ranked, targets, strict=True)]
    )


def ndcg_at_k(ranked: np.ndarray, targets: Sequence[np.ndarray], k: int) -> np.ndarray:
    """Per user: DCG of the top k (binary gains, 1/log2(rank+1)) / the best DCG possible."""
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    out = []
    for r, t in zip(ranked, targets, strict=True):
        dcg = (np.isin(r[:k], t) * discount[: len(r[:k])]).sum()
        out.append(dcg / discount[: min(k, len(t))].sum())
    return np.array(out)


def rank(scores: np.ndarray, exclude: list[np.ndarray], k: int) -> np.ndarray:
    """Top-k item indices per row, best first, never an excluded (input) item; ties by index."""
    scores = np.array(scores, dtype=np.float64)
    for row, idx in enumerate(exclude):
        scores[row, idx] = -np.inf
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.lexsort((top, -np.take_along_axis(scores, top, axis=1)), axis=1)
    return np.take_along_axis(top, order, axis=1)


def evaluate(scorer: Scorer, heldout: HeldOut, batch: int = 256) -> dict[str, float]:
    """Mean Recall@20, Recall@50 and NDCG@100 of `scorer` over the held-out users; every catalog
    item not in a user's input is ranked."""
    per_metric: dict[str, list[np.ndarray]] = {m: [] for m in METRICS}
    for start in range(0, len(heldout), batch):
        stop = min(start + batch, len(heldout))
        scores = scorer(heldout.inputs.dense(start, stop))
        exclude = [heldout.inputs.row(r)[0] for r in range(start, stop)]
        ranked = rank(scores, exclude, 100)
        targets = heldout.targets[start:stop]
        per_metric["recall@20"].append(recall_at_k(ranked, targets, 20))
        per_metric["recall@50"].append(recall_at_k(ranked, targets, 50))
        per_metric["ndcg@100"].append(ndcg_at_k(ranked, targets, 100))
    return {m: round(float(np.concatenate(v).mean()), 4) for m, v in per_metric.items()}
