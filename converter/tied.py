"""Tied low-rank DLAE (`--model dlae-tied`): DLAE's top eigen part, shipped as one factor for both
layers, so a rank r costs n·r bytes where `dlae-lowrank` and `ease-lowrank` ship 2·n·r.

DLAE (converter/dlae.py) is B = I − (G + Λ)⁻¹·Λ with G = XᵀX and Λ = λI + p/(1−p)·diag(G); here G
also holds the catalog's franchise groups as pseudo-users (converter/side_info.py). With
M = Λ^-½·G·Λ^-½ = Q·diag(σ)·Qᵀ, G + Λ = Λ^½·(M + I)·Λ^½, hence

    B = Λ^-½·Q·diag(σ / (1 + σ))·Qᵀ·Λ^½,

and its top-r eigenvectors give B_r = U·V with U = Λ^-½·Q_r and V = diag(τ·s)·Q_rᵀ·Λ^½,
s = σ/(1+σ), τ the fitted temperature (`lowrank.fit_temperature`). At equal rank this ranks as
well as the free-diagonal factorization (RESULTS.md, "Tied weights").

What ships (`export.export_tied`): the model.json of `lowrank.linear_model` (list → Dense(r) →
Dense(n_items)), whose weightsManifest lists three tensors in place of the two kernels: Q_r on
`levels` values in uint8 (TF.js' min + scale·q), Λ^½ and τ·s in float32. `export.expand` turns
them into the kernels, and web/js/tied.js does the same arithmetic in the browser
(float64, each result rounded to float32), so the page runs the usual two-layer model and the
parity cases hold.

What the low rank leaves out of the full matrix, R = B − B_r, is kept in part as a sparse
residual: its `residual` largest entries |R_ij| (RESULTS.md, "A sparse residual"). The page adds
x·R beside its sparse first layer (web/js/sparse.js): a list's titles' rows of R, a few hundred
entries each, summed in JS, so the WebGL part and its time stay those of rank r, and a byte
buys about what a byte of rank does (RESULTS.md). Logits: τ·(x·U·V + x·R).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.linalg

from .baselines import gram
from .data import SparseRows
from .dlae import dlae_weights
from .export import SparseResidual, TiedParts, expand, tied_model
from .kinds import RANKS
from .lowrank import fit_temperature
from .metrics import evaluate
from .recommender import keras_scorer
from .side_info import pseudo_user_gram
from .splits import HeldOut

LOAD = (
    "the artifacts of model.json and its shard through web/js/tied.js's expandTied, then "
    "tf.loadLayersModel(tf.io.fromMemory(…)) and web/js/sparse.js's residual: the shard holds "
    "tied/q, tied/root, tied/scale and tied/residual_*, not the two kernels"
)
RESIDUAL_LEVELS = 256  # a uniform grid of fewer values costs more than it saves (RESULTS.md)


@dataclass(frozen=True)
class TiedHyper:
    rank: int = RANKS["dlae-tied"]
    lam: float = 100.0
    drop: float = 0.25  # DLAE's dropout p
    levels: int = 52  # values of Q in uint8 (52: about 0.6 of the bytes of 256 served, RESULTS.md)
    residual: int = 400_000  # entries of the sparse residual (0: none; RESULTS.md, "Three seeds")
    seed: int = 0
    franchise: float = 50.0  # pseudo-user weight of a franchise group in G (side_info.py; 0: none)
    franchise_exponent: float = 0.5  # … times the group's size^−this


class DlaeTied:
    def __init__(self, hp: TiedHyper, franchises: Sequence[Sequence[int]] = ()) -> None:
        """`franchises`: catalog indices per franchise group (`side_info.franchise_groups`)."""
        self.hp = hp
        self.franchises = franchises
        self.history: list[dict[str, float]] = []

    def fit(self, train: SparseRows, val: HeldOut | None = None) -> DlaeTied:
        hp = self.hp
        g = gram(train)
        if hp.franchise and self.franchises:
            g += pseudo_user_gram(len(g), self.franchises, hp.franchise, hp.franchise_exponent)
        q, shrink, root = eigen_factors(g, hp.lam, hp.drop, hp.rank)
        codes, low, step = quantize(q, hp.levels)
        plain = TiedParts(codes, low, step, root.astype(np.float32), shrink.astype(np.float32))
        u, v = expand(plain)
        residual = None
        if hp.residual:
            residual = sparse_residual(dlae_weights(g, hp.lam, hp.drop) - u @ v, hp.residual)

        def scores(x: np.ndarray) -> np.ndarray:
            low_rank = (x @ u) @ v
            return low_rank if residual is None else low_rank + x @ residual

        self.temperature = fit_temperature(train, scores, hp.seed)
        scale = (plain.scale * self.temperature).astype(np.float32)
        shipped = None if residual is None else grid_residual(residual * self.temperature)
        self.parts = TiedParts(codes, low, step, plain.root, scale, shipped)
        self.net = tied_model(self.parts)
        if val is not None:
            self.history = truncations(*expand(self.parts), shrink, val)
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        return keras_scorer(self.net)(x)

    def describe(self) -> dict[str, Any]:
        return {
            "load": LOAD,
            "output_meaning": "τ·(x·U·V + x·R), DLAE's item-item scores (top-r eigen part "
            "plus a sparse residual) times a fitted temperature, used as logits: rank by it "
            "after removing the list's own items (their own outputs carry B's diagonal and mean "
            "nothing)",
            "architecture": {
                "kind": "DLAE tied low-rank",
                "layers": f"Dense({self.hp.rank}, no bias) → Dense(n_items, no bias), linear; "
                "both kernels from one shipped factor (tied/q, tied/root, tied/scale); plus "
                f"x·R, R sparse with {self.hp.residual} entries (tied/residual_*)",
                "rank": self.hp.rank,
                "input_normalization": "none (DLAE scores the row as it is)",
            },
            "training": {
                "method": "DLAE closed form (Steck 2020) as an eigendecomposition of "
                "Λ^-½·G·Λ^-½ (G: XᵀX plus franchise pseudo-users), top r eigenvectors, plus "
                "the largest entries of the full matrix's remainder off the diagonal "
                "(converter/tied.py)",
                "residual_entries": self.hp.residual,
                "franchise_pseudo_users": {
                    "groups": len(self.franchises),
                    "weight": self.hp.franchise,
                    "size_exponent": self.hp.franchise_exponent,
                    "what": "G = XᵀX + Σ_groups weight·k^−size_exponent on each pair of a "
                    "franchise group's k titles (converter/side_info.py)",
                },
                "lambda": self.hp.lam,
                "dropout": self.hp.drop,
                "grid_levels": self.hp.levels,
                "temperature": round(self.temperature, 4),
                "temperature_fit": "maximum likelihood of held-out training entries under "
                "softmax(τ·(x·B_r + x·R))",
                "seed": self.hp.seed,
                "history_step": "rank: the first k eigenvectors (loss: energy left out)",
                "history": self.history,
            },
        }


def eigen_factors(
    g: np.ndarray, lam: float, drop: float, rank: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """DLAE's top-`rank` eigen part: Q (n × rank), s = σ/(1+σ) and Λ^½, largest σ first, so
    that B_r = Λ^-½·Q·diag(s)·Qᵀ·Λ^½."""
    reg = lam + drop / (1.0 - drop) * np.diag(g)
    root = np.sqrt(reg)
    n = len(g)
    sigma, q = scipy.linalg.eigh(g / root[:, None] / root[None, :],
                                 subset_by_index=[n - rank, n - 1])  # fmt: skip
    return q[:, ::-1], sigma[::-1] / (1.0 + sigma[::-1]), root


def sparse_residual(rest: np.ndarray, entries: int) -> np.ndarray:
    """`rest` (B − B_r) with all but its `entries` largest |values| off the diagonal set to 0."""
    size = np.abs(rest)
    np.fill_diagonal(size, 0.0)
    entries = min(entries, size.size)
    cut = np.partition(size.ravel(), size.size - entries)[size.size - entries]
    kept = np.flatnonzero(size.ravel() >= cut)[:entries]  # ties at the cut: the first ones
    out = np.zeros_like(rest)
    out.flat[kept] = rest.flat[kept]
    np.fill_diagonal(out, 0.0)  # kept only when fewer than `entries` lie off it
    return out


def grid_residual(r: np.ndarray) -> SparseResidual:
    """The nonzero entries of `r` by row, their values on RESIDUAL_LEVELS evenly spaced values
    from the least to the greatest (uint8 codes)."""
    rows, columns = np.nonzero(r)
    values = r[rows, columns].astype(np.float64)
    low, high = float(values.min()), float(values.max())
    step = (high - low) / (RESIDUAL_LEVELS - 1)
    codes = np.clip(np.round((values - low) / step), 0, RESIDUAL_LEVELS - 1).astype(np.uint8)
    counts = np.bincount(rows, minlength=len(r)).astype(np.uint16)
    return SparseResidual(counts, columns.astype(np.uint16), codes, low, step)


def truncations(
    u: np.ndarray, v: np.ndarray, shrink: np.ndarray, val: HeldOut
) -> list[dict[str, float]]:
    """Per prefix of the rank (a quarter, a half, …, all of it): the share of the eigen part's
    energy (Σ s²) left out, and validation NDCG@100 (the run report's curve)."""
    energy = np.cumsum(np.square(shrink)) / np.square(shrink).sum()
    rows = []
    for k in sorted({max(1, len(shrink) * q // 4) for q in (1, 2, 3, 4)}):
        ndcg = evaluate(lambda x, k=k: (x @ u[:, :k]) @ v[:k], val)["ndcg@100"]
        left = max(0.0, float(1 - energy[k - 1]))
        rows.append({"step": k, "loss": round(left, 4), "val_ndcg@100": ndcg})
    return rows


def quantize(q: np.ndarray, levels: int) -> tuple[np.ndarray, float, float]:
    """`q` as uint8 codes on `levels` evenly spaced values from its min to its max."""
    low, high = float(q.min()), float(q.max())
    step = (high - low) / (levels - 1)
    codes = np.clip(np.round((q - low) / step), 0, levels - 1).astype(np.uint8)
    return np.ascontiguousarray(codes), low, step
