"""The two baselines every model is measured against on the same split: item popularity and
EASE (Steck 2019, closed form), fitted on the same encoded training rows the model sees."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .data import SparseRows
from .metrics import evaluate
from .splits import HeldOut

GRAM_CHUNK = 512


class Popularity:
    """Scores = number of training users holding each item, the same for everyone."""

    def fit(self, train: SparseRows, val: HeldOut | None = None) -> Popularity:
        self.counts = train.item_counts().astype(np.float32)
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(self.counts, (len(x), len(self.counts)))


class Ease:
    """EASE with the λ of `lambdas` that scores the best validation NDCG@100 (the only λ when
    there is one, then no validation users are needed)."""

    def __init__(self, lambdas: Sequence[float] = (20, 50, 100, 200, 500)) -> None:
        self.lambdas = [float(lam) for lam in lambdas]

    def fit(self, train: SparseRows, val: HeldOut | None = None) -> Ease:
        g = gram(train)
        self.table: dict[float, float] = {}  # λ → validation NDCG@100
        best = -1.0
        for lam in self.lambdas:
            b = ease_weights(g, lam)
            ndcg = evaluate(lambda x, b=b: x @ b, val)["ndcg@100"] if val else 0.0
            self.table[lam] = ndcg
            if ndcg > best:
                best, self.lam, self.b = ndcg, lam, b
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        return x @ self.b


def gram(train: SparseRows) -> np.ndarray:
    """XᵀX in float64, summed over dense chunks of users (never the whole dense matrix)."""
    g = np.zeros((train.n_items, train.n_items))
    for start in range(0, len(train), GRAM_CHUNK):
        x = train.dense(start, start + GRAM_CHUNK).astype(np.float64)
        g += x.T @ x
    return g


def ease_weights(g: np.ndarray, lam: float) -> np.ndarray:
    """B = I − P·diag(1/diag(P)), P = (G + λI)⁻¹, with a zero diagonal."""
    p = np.linalg.inv(g + lam * np.eye(len(g)))
    b = -p / np.diag(p)
    np.fill_diagonal(b, 0.0)
    return b.astype(np.float32)
