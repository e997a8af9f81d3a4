"""What lies next to the shipped DLAE, and does not beat it (issue 12, validation only):

- `target=P`: asymmetric DLAE, B = (G + Λ)⁻¹·Xᵀ·T with the encoded list X as input and
  T = X^P as the target (P = 0: binary, "was it on the list"; 1: DLAE itself);
  `target=half`: T = (X + [X > 0]) / 2.
- `reg=LAM:C:GAMMA`: Λ = λ + c·diag(G)^γ·mean(diag(G))^(1−γ); DLAE's dropout p is γ = 1,
  c = p/(1−p).
- `knn=K:A:C`: DLAE plus A × cosine item-kNN (G_ij / (√(G_ii·G_jj) + C), each column's K
  largest), the kNN scaled to DLAE's mean |B_ij| first: an ensemble with a model that weighs
  rare co-occurrences differently.
- `input=A:C`: DLAE on another input encoding, A + C·score for a scored title in place of
  `animerec.encoding`'s 0.2 + 0.08·score (unscored and dropped titles keep their weights), in
  training and validation alike.
- `weighted=R:L:P`: the tied rank-R eigen part with Q's columns scaled by (σ/(1+σ))^P before one
  uniform grid of L levels (the factor's bytes spent by each column's weight in B, as transform
  coding does), against `plain=R:L`, the shipped grid.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.dlae_neighbours \
        target=0 reg=100:0.2:1.25 weighted=590:128:0.5

Sizes are the order-0 entropy of the factor's bytes (`ease_variants.quantize`).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
from animerec.encoding import DROPPED_WEIGHT, UNSCORED_WEIGHT

from converter import data
from converter.baselines import gram
from converter.data import SparseRows
from converter.experiments import ease_variants as ev
from converter.splits import HeldOut
from converter.tied import eigen_factors

Scorer = Callable[[np.ndarray], np.ndarray]


def cross_gram(train: SparseRows, target: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Xᵀ·T over the training rows, T = target(X)."""
    out = np.zeros((train.n_items, train.n_items))
    for start in range(0, len(train), 512):
        x = train.dense(start, start + 512).astype(np.float64)
        out += x.T @ target(x)
    return out


def target_fn(text: str) -> Callable[[np.ndarray], np.ndarray]:
    if text == "half":
        return lambda x: 0.5 * x + 0.5 * (x > 0)
    power = float(text)
    return lambda x: (x > 0).astype(np.float64) if power == 0 else x**power


def asymmetric(train: SparseRows, g: np.ndarray, text: str) -> Scorer:
    reg = ev.DLAE.lam + ev.DLAE.drop / (1 - ev.DLAE.drop) * np.diag(g)
    b = np.linalg.solve(g + np.diag(reg), cross_gram(train, target_fn(text)))
    np.fill_diagonal(b, 0.0)
    b = b.astype(np.float32)
    return lambda x: x @ b


def regularized(g: np.ndarray, text: str) -> Scorer:
    lam, c, gamma = map(float, text.split(":"))
    d = np.diag(g)
    reg = lam + c * d**gamma * d.mean() ** (1 - gamma)
    b = (np.eye(len(g)) - np.linalg.inv(g + np.diag(reg)) * reg[None, :]).astype(np.float32)
    np.fill_diagonal(b, 0.0)
    return lambda x: x @ b


def with_knn(g: np.ndarray, text: str) -> Scorer:
    k, a, c = text.split(":")
    root = np.sqrt(np.diag(g))
    s = g / (np.outer(root, root) + float(c))
    np.fill_diagonal(s, 0.0)
    s[s < np.partition(s, -int(k), axis=0)[-int(k)][None, :]] = 0.0
    b = ev.item_item(g, ev.DLAE)
    m = (b + float(a) * np.abs(b).mean() / np.abs(s).mean() * s).astype(np.float32)
    return lambda x: x @ m


def recoded(rows: SparseRows, text: str) -> SparseRows:
    """Scored entries re-encoded as A + C·score; unscored (0.7) and dropped (0.2) ones kept."""
    a, c = map(float, text.split(":"))
    x = rows.values.astype(np.float64)
    kept = np.isclose(x, UNSCORED_WEIGHT) | np.isclose(x, DROPPED_WEIGHT)
    score = (x - 0.2) / 0.08  # `animerec.encoding.entry_weight`, undone
    return dataclasses.replace(rows, values=np.where(kept, x, a + c * score).astype(np.float32))


def other_input(train: SparseRows, val: HeldOut, ref: np.ndarray, text: str) -> str:
    val = dataclasses.replace(val, inputs=recoded(val.inputs, text))
    train = recoded(train, text)
    b = ev.item_item(gram(train), ev.DLAE).astype(np.float32)
    return ev.compared(ev.per_user_ndcg(lambda x: x @ b, val), ref, val)


def tied_scorer(
    factors: tuple[np.ndarray, np.ndarray, np.ndarray], rank: int, levels: int, power: float
) -> tuple[Scorer, float]:
    """DLAE's tied rank-`rank` part (`converter.tied.eigen_factors`' Q, s, Λ^½) with Q's columns
    scaled by s^power before one grid of `levels` values, and the grid's entropy in bytes."""
    q, shrink, root = factors
    s = shrink[:rank]
    f, size = ev.quantize((q[:, :rank] * s**power).astype(np.float32), levels)
    inner = (s ** (1 - 2 * power)).astype(np.float32)
    return lambda x: (((x / root) @ f) * inner) @ f.T * root, size


def main() -> int:
    parser = argparse.ArgumentParser()
    kinds = "target=P, reg=LAM:C:G, knn=K:A:C, input=A:C, plain=R:L, weighted=R:L:P"
    parser.add_argument("specs", nargs="+", help=kinds)
    parser.add_argument("--data", type=Path, default=data.DEFAULT_DATA)
    args = parser.parse_args()
    train, _, val = ev.load(args.data, 0)
    g, ref = ev.reference(train, val)
    dlae = ev.item_item(g, ev.DLAE).astype(np.float32)
    print(f"DLAE: {ev.compared(ev.per_user_ndcg(lambda x: x @ dlae, val), ref, val)}", flush=True)
    eigen = None
    for spec in args.specs:
        kind, _, text = spec.partition("=")
        size = ""
        if kind == "input":
            print(f"{spec}: {other_input(train, val, ref, text)}", flush=True)
            continue
        if kind == "target":
            fn = asymmetric(train, g, text)
        elif kind == "reg":
            fn = regularized(g, text)
        elif kind == "knn":
            fn = with_knn(g, text)
        else:
            eigen = eigen or eigen_factors(g, ev.DLAE.lam, ev.DLAE.drop, len(g))
            rank, levels, *power = text.split(":")
            fn, bytes_ = tied_scorer(eigen, int(rank), int(levels), float(power[0]) if power else 0)
            size = f" ~{bytes_ / 1e6:.2f} MB"
        print(f"{spec}{size}: {ev.compared(ev.per_user_ndcg(fn, val), ref, val)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
