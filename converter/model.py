"""The Mult-DAE (Liang et al. 2018): normalized list → dropout → tanh layers → item logits,
trained with the multinomial log-likelihood. Built with tf_keras because TF.js's layers format
needs Keras 2 configs (see shared/TOOLCHAIN.md).

TF.js has no L2-normalization layer, so the input is normalized by a parameter-free
LayerNormalization (center=False, scale=False, ε=1e-9): √n·(x − x̄)/‖x − x̄‖, the L2-normalized
centered row, up to the constant √n the first Dense absorbs. Every layer is a TF.js built-in.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import tensorflow as tf
import tf_keras as keras

from .data import SparseRows
from .metrics import evaluate
from .recommender import keras_scorer
from .splits import HeldOut

INPUT_NAME = "list"
OUTPUT_NAME = "logits"


@dataclass(frozen=True)
class Hyper:
    hidden: tuple[int, ...] = (256,)
    dropout: float = 0.5
    l2: float = 1e-3
    lr: float = 1e-3
    batch: int = 128
    epochs: int = 30
    seed: int = 0


def multinomial_loss(y_true: tf.Tensor, logits: tf.Tensor) -> tf.Tensor:
    """−Σ x·log softmax(logits) per row: the Mult-DAE likelihood, encoded weights as counts."""
    return -tf.reduce_sum(y_true * tf.nn.log_softmax(logits), axis=-1)


def build_model(n_items: int, hp: Hyper) -> keras.Model:
    """Seeded Mult-DAE; output = unnormalized logits [batch, n_items] (softmax gives the
    multinomial over items, ranking by logits is the same)."""
    keras.utils.set_random_seed(hp.seed)
    reg = keras.regularizers.l2(hp.l2)
    x_in = keras.Input((n_items,), name=INPUT_NAME)
    h = keras.layers.LayerNormalization(center=False, scale=False, epsilon=1e-9, name="l2norm")(
        x_in
    )
    h = keras.layers.Dropout(hp.dropout, seed=hp.seed, name="dropout")(h)
    for i, width in enumerate(hp.hidden):
        h = keras.layers.Dense(width, activation="tanh", kernel_regularizer=reg, name=f"hidden{i}")(
            h
        )
    out = keras.layers.Dense(n_items, kernel_regularizer=reg, name=OUTPUT_NAME)(h)
    model = keras.Model(x_in, out, name="mult_dae")
    model.compile(optimizer=keras.optimizers.Adam(hp.lr), loss=multinomial_loss)
    return model


def dataset(rows: SparseRows, batch: int, seed: int) -> tf.data.Dataset:
    """Shuffled batches streamed from the CSR rows: ragged slices, densified one batch at a time."""
    splits = tf.constant(rows.indptr)
    indices = tf.RaggedTensor.from_row_splits(tf.constant(rows.indices, tf.int64), splits)
    values = tf.RaggedTensor.from_row_splits(tf.constant(rows.values), splits)
    n_items = rows.n_items

    def densify(idx: tf.RaggedTensor, val: tf.RaggedTensor) -> tuple[tf.Tensor, tf.Tensor]:
        coords = tf.stack([idx.value_rowids(), idx.flat_values], axis=1)
        shape = tf.stack([idx.nrows(), tf.constant(n_items, tf.int64)])
        x = tf.sparse.to_dense(tf.sparse.reorder(tf.SparseTensor(coords, val.flat_values, shape)))
        return x, x

    return (
        tf.data.Dataset.from_tensor_slices((indices, values))
        .shuffle(len(rows), seed=seed, reshuffle_each_iteration=True)
        .batch(batch)
        .map(densify, num_parallel_calls=1, deterministic=True)
        .prefetch(2)
    )


class MultDae:
    """Fits for `hp.epochs` and keeps the epoch with the best validation NDCG@100 (the last
    epoch without validation users)."""

    def __init__(self, hp: Hyper) -> None:
        self.hp = hp
        self.history: list[dict[str, float]] = []

    def fit(self, train: SparseRows, val: HeldOut | None = None) -> MultDae:
        from tqdm import tqdm

        self.net = build_model(train.n_items, self.hp)
        ds = dataset(train, self.hp.batch, self.hp.seed)
        best: tuple[float, int, list[Any]] = (-1.0, -1, [])
        started = time.time()
        bar = tqdm(range(1, self.hp.epochs + 1), desc="train", unit="epoch")
        for epoch in bar:
            loss = self.net.fit(ds, epochs=1, verbose=0).history["loss"][0]
            ndcg = evaluate(self.score, val)["ndcg@100"] if val else float(epoch)
            self.history.append({"step": epoch, "loss": round(loss, 3), "val_ndcg@100": ndcg})
            bar.set_postfix(loss=f"{loss:.1f}", val_ndcg=ndcg, best=best[0])
            if ndcg > best[0]:
                best = (ndcg, epoch, self.net.get_weights())
        self.fit_seconds = time.time() - started
        self.best_epoch = best[1]
        self.net.set_weights(best[2])
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        return keras_scorer(self.net)(x)

    def describe(self) -> dict[str, Any]:
        return {
            "output_meaning": "unnormalized logits over catalog items; softmax = the multinomial "
            "probability of each item; rank by logit, after removing the list's own items",
            "architecture": {
                "kind": "Mult-DAE",
                "hidden": list(self.hp.hidden),
                "activation": "tanh",
                "dropout": self.hp.dropout,
                "l2": self.hp.l2,
                "input_normalization": "LayerNormalization(center=False, scale=False): "
                "L2-normalized centered row × sqrt(n_items)",
            },
            "training": {
                "epochs": self.hp.epochs,
                "best_epoch": self.best_epoch,
                "batch": self.hp.batch,
                "lr": self.hp.lr,
                "optimizer": "Adam",
                "loss": "multinomial log-likelihood of the encoded row",
                "seed": self.hp.seed,
                "history": self.history,
            },
        }
