"""The two baselines every model is measured against on the same split: item popularity and
EASE (Steck 2019, closed form), fitted on the same encoded training rows the model sees."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .data import SparseRows
from .metrics import Scorer, evaluate
from .splits import HeldOut

GRAM_CHUNK = 512


def popularity(train: SparseRows) -> Scorer:
    """Scores = number of training users holding each item, the same for everyone."""
    counts = train.item_counts().astype(np.float32)
    return lambda x: np.broadcast_to(counts, (len(x), len(counts)))


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


def ease(b: np.ndarray) -> Scorer:
    return lambda x: x @ b


def tune_ease(
    train: SparseRows, val: HeldOut, lambdas: Sequence[float]
) -> tuple[float, np.ndarray, dict[float, float]]:
    """The λ with the best validation NDCG@100, its weights, and every λ's NDCG."""
    g = gram(train)
    best: tuple[float, float, np.ndarray] | None = None
    table = {}
    for lam in lambdas:
        b = ease_weights(g, lam)
        table[lam] = evaluate(ease(b), val)["ndcg@100"]
        if best is None or table[lam] > best[0]:
            best = (table[lam], lam, b)
    assert best is not None
    return best[1], best[2], table
