"""The one interface every recommender of the converter has (as in benfred/implicit): `fit` on the
encoded training rows, `score` dense input rows. Train and evaluate measure any of them the same
way (`metrics.evaluate(r.score, heldout)`); the ones that ship also carry a Keras model."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
import tf_keras as keras

from .data import SparseRows
from .splits import HeldOut


class Recommender(Protocol):
    def fit(self, train: SparseRows, val: HeldOut | None = None) -> Recommender:
        """Learn from `train`; `val` users serve only model selection (λ, epoch, …)."""
        ...

    def score(self, x: np.ndarray) -> np.ndarray:
        """Scores [batch, n_items] for dense encoded rows [batch, n_items]; higher = better."""
        ...


class KerasRecommender(Recommender, Protocol):
    """A recommender that can be exported: `net` maps the list to scores that act as logits."""

    net: keras.Model
    history: list[dict[str, float]]  # per training step: loss and validation NDCG@100

    def describe(self) -> dict[str, Any]:
        """`architecture` and `training` sections of the manifest."""
        ...


def keras_scorer(net: keras.Model):
    """A metrics.Scorer running `net` in inference mode (no dropout)."""
    return lambda x: net(x, training=False).numpy()
