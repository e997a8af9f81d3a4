"""Low-rank DLAE: the denoising linear autoencoder of Steck (NeurIPS 2020, "Autoencoders that don't
overfit towards the Identity") in closed form, factorized to rank r like low-rank EASE.

Dropout p on the input of a linear autoencoder X ≈ X·B acts, in expectation, as an L2 penalty that
grows with each item's popularity: B = (G + Λ)⁻¹·G = I − (G + Λ)⁻¹·Λ with G = XᵀX and
Λ = λI + p/(1−p)·diag(G). Unlike EASE, DLAE does not force B's diagonal to zero: the dropout keeps
it from the identity, and ranking never reads it anyway (a list's own titles are never
recommended), so only the off-diagonal, −(G + Λ)⁻¹_ij·Λ_jj, is used. Against EASE
(−P_ij / P_jj), each column is weighted by its own regularization Λ_jj instead of 1/P_jj, which
favours popular titles less. The factorization, temperature and Keras net are low-rank EASE's
(`lowrank.EaseLowRank`): the same architecture, list → Dense(r) → Dense(n_items), that the page
runs with its sparse first layer. Measured against EASE in RESULTS.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .lowrank import EaseLowRank, LowRankHyper


@dataclass(frozen=True)
class DlaeHyper(LowRankHyper):
    drop: float = 0.25  # dropout probability p of the denoising objective


class DlaeLowRank(EaseLowRank):
    hp: DlaeHyper

    def item_weights(self, g: np.ndarray) -> np.ndarray:
        return dlae_weights(g, self.hp.lam, self.hp.drop)

    def describe(self) -> dict[str, Any]:
        described = super().describe()
        described["output_meaning"] = described["output_meaning"].replace(
            "EASE's item-item scores", "DLAE's item-item scores"
        )
        described["architecture"]["kind"] = "DLAE low-rank"
        described["architecture"]["input_normalization"] = "none (DLAE scores the row as it is)"
        described["training"].update(
            method="DLAE closed form (Steck 2020: dropout p as the L2 penalty λ + p/(1−p)·"
            "diag(XᵀX)) on the encoded training rows, then a rank-r factorization with a free "
            "diagonal (alternating randomized SVD)",
            dropout=self.hp.drop,
        )
        return described


def dlae_weights(g: np.ndarray, lam: float, drop: float) -> np.ndarray:
    """B = I − (G + Λ)⁻¹·Λ, Λ = λI + p/(1−p)·diag(G), with the diagonal set to zero (unused)."""
    reg = lam + drop / (1.0 - drop) * np.diag(g)
    b = -np.linalg.inv(g + np.diag(reg)) * reg[None, :]
    np.fill_diagonal(b, 0.0)
    return b.astype(np.float32)
