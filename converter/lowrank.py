"""Low-rank EASE as a two-layer linear Keras model: scores = x·U·V ≈ x·B (Steck 2019).

EASE's item-item matrix B (n² weights) cannot ship in 4 MB; a rank-r factorization can (2·n·r
uint8 weights). Ranking never looks at the diagonal of B: an item on the list is never
recommended, so the factorization leaves the diagonal free: it alternates a truncated SVD of B
with the diagonal replaced by the current factorization's own diagonal, which spends the rank on
the item-item part that ranks (validation NDCG@100 0.505 → 0.52 at r = 300, see RESULTS.md).

The factors are scaled by a temperature τ fitted so that softmax(τ·x·B) is the maximum-likelihood
multinomial of held-out list entries: the output then behaves like the Mult-DAE's logits (the page
adds log-popularity and plan-to-watch boosts in logit units), without changing any ranking.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import tf_keras as keras

from .baselines import ease_weights, gram
from .data import SparseRows
from .metrics import evaluate
from .model import INPUT_NAME, OUTPUT_NAME
from .recommender import keras_scorer
from .splits import TARGET_FRACTION, HeldOut

OVERSAMPLE = 64  # extra random directions of the randomized SVD
TEMPERATURE_ROWS = 2000  # training rows the temperature is fitted on


@dataclass(frozen=True)
class LowRankHyper:
    rank: int = 320
    lam: float = 100.0
    iterations: int = 16
    seed: int = 0
    levels: int = 0  # >1: snap each factor to this many evenly spaced values (see `snap`)


class EaseLowRank:
    def __init__(self, hp: LowRankHyper) -> None:
        self.hp = hp
        self.history: list[dict[str, float]] = []

    def fit(self, train: SparseRows, val: HeldOut | None = None) -> EaseLowRank:
        b = self.item_weights(gram(train))
        u, v = self._factorize(b, val)
        self.temperature = fit_temperature(train, lambda x: (x @ u) @ v, self.hp.seed)
        root = math.sqrt(self.temperature)  # into both factors: equal ranges for uint8
        self.net = linear_model(snap(u * root, self.hp.levels), snap(v * root, self.hp.levels))
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        return keras_scorer(self.net)(x)

    def item_weights(self, g: np.ndarray) -> np.ndarray:
        """The full item-item matrix B that the factors approximate: EASE's, from XᵀX."""
        return ease_weights(g, self.hp.lam)

    def _factorize(self, b: np.ndarray, val: HeldOut | None) -> tuple[np.ndarray, np.ndarray]:
        """B ≈ U·V off the diagonal (overwrites b's diagonal), singular values split evenly (√S
        into each factor, so the two uint8 tensors get similar ranges). History: per iteration,
        the off-diagonal relative residual and, with `val`, validation NDCG@100."""
        norm2 = float(np.square(b).sum())
        diag = np.zeros(len(b), np.float32)
        basis = None
        for step in range(1, self.hp.iterations + 1):
            np.fill_diagonal(b, diag)
            left, s, right, basis = randomized_svd(b, self.hp.rank, self.hp.seed, basis)
            u, v = left * np.sqrt(s), np.sqrt(s)[:, None] * right
            new_diag = np.einsum("ir,ri->i", u, v)
            residual = norm2 + np.square(diag).sum() - np.square(s).sum()
            residual -= np.square(diag - new_diag).sum()
            diag = new_diag
            row: dict[str, float] = {"step": step, "loss": round(math.sqrt(residual / norm2), 4)}
            if val is not None:
                row["val_ndcg@100"] = evaluate(lambda x, u=u, v=v: (x @ u) @ v, val)["ndcg@100"]
            self.history.append(row)
        return u, v

    def describe(self) -> dict[str, Any]:
        return {
            "output_meaning": "τ·x·U·V, EASE's item-item scores (rank r) times a fitted "
            "temperature, used as logits: softmax = a multinomial over items calibrated on "
            "held-out training entries; rank by it after removing the list's own items (their "
            "own outputs carry the free diagonal and mean nothing)",
            "architecture": {
                "kind": "EASE low-rank",
                "layers": f"Dense({self.hp.rank}, no bias) → Dense(n_items, no bias), linear",
                "rank": self.hp.rank,
                "input_normalization": "none (EASE scores the encoded row as it is)",
            },
            "training": {
                "method": "EASE closed form on the encoded training rows, then a rank-r "
                "factorization with a free diagonal (alternating randomized SVD)",
                "lambda": self.hp.lam,
                "iterations": self.hp.iterations,
                "grid_levels": self.hp.levels,
                "temperature": round(self.temperature, 4),
                "temperature_fit": "maximum likelihood of held-out training entries under "
                "softmax(τ·x·B_r)",
                "seed": self.hp.seed,
                "history": self.history,
            },
        }


def randomized_svd(
    a: np.ndarray, rank: int, seed: int, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Top-`rank` SVD of `a` (Halko et al. 2011): U, S, Vᵀ and the right basis to warm-start the
    next call with (the alternation changes only the diagonal, so one power step then suffices)."""
    if start is None:
        q, power = np.random.default_rng(seed).standard_normal((a.shape[1], rank + OVERSAMPLE)), 4
    else:
        q, power = start, 1
    q = q.astype(a.dtype)
    for _ in range(power):
        q, _ = np.linalg.qr(a @ q)
        q, _ = np.linalg.qr(a.T @ q)
    q, _ = np.linalg.qr(a @ q)
    u, s, vt = np.linalg.svd(q.T @ a, full_matrices=False)
    return (q @ u)[:, :rank], s[:rank], vt[:rank], vt.T


def fit_temperature(
    train: SparseRows, scores: Callable[[np.ndarray], np.ndarray], seed: int
) -> float:
    """τ (the logits are τ·scores(x)) minimizing the multinomial negative log-likelihood of a
    random 20% of each training row given the other 80% (the evaluation's cut), by
    golden-section search on ln τ (convex in τ)."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(len(train))[:TEMPERATURE_ROWS]
    x = np.concatenate([train.dense(r, r + 1) for r in rows])
    held = (rng.random(x.shape) < TARGET_FRACTION) & (x > 0)
    z = scores(x * ~held)
    target = x * held

    def nll(log_tau: float) -> float:
        logits = math.exp(log_tau) * z
        top = logits.max(axis=1, keepdims=True)
        log_norm = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
        return float(-(target * logits).sum() + (target.sum(axis=1) * log_norm).sum())

    lo, hi = math.log(1e-2), math.log(1e4)
    ratio = (math.sqrt(5) - 1) / 2
    for _ in range(40):
        a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
        if nll(a) < nll(b):
            hi = b
        else:
            lo = a
    return math.exp((lo + hi) / 2)


def snap(w: np.ndarray, levels: int) -> np.ndarray:
    """`w` rounded to `levels` evenly spaced values spanning it, on a grid that holds 0 (unchanged
    when levels ≤ 1). TF.js' uint8 quantization maps min..max onto 0..255 after nudging its grid
    onto 0: with levels − 1 dividing 255 (52, 86) it then keeps these values exactly, and the
    shard's bytes take only those values: brotli stores a weight in about log2 of the levels
    used, so a larger rank fits the same served bytes (RESULTS.md)."""
    if levels <= 1:
        return w
    step = float(w.max() - w.min()) / (levels - 1)
    low = round(float(w.min()) / step)
    return (np.clip(np.round(w / step), low, low + levels - 1) * step).astype(w.dtype)


def linear_model(u: np.ndarray, v: np.ndarray) -> keras.Model:
    """list → Dense(r) → Dense(n_items) named as the Mult-DAE's, so the page loads either."""
    x_in = keras.Input((u.shape[0],), name=INPUT_NAME)
    h = keras.layers.Dense(u.shape[1], use_bias=False, name="factor")(x_in)
    out = keras.layers.Dense(v.shape[1], use_bias=False, name=OUTPUT_NAME)(h)
    net = keras.Model(x_in, out, name="ease_lowrank")
    net.get_layer("factor").set_weights([u.astype(np.float32)])
    net.get_layer(OUTPUT_NAME).set_weights([v.astype(np.float32)])
    return net
