"""Validation experiment for the 2025 gap (issue 12): does an era-aware popularity prior lift
DLAE on each era's users? Each user's item-item scores are standardized (per user, over the
items) and `beta` × the era's popularity lift is added, where the lift of item i in era e is
log((count_e(i) + 1) / (n_e + 1)) − log((count(i) + 1) / (n + 1)) over training users. A page
would pass the era as one more input: its visitors are always of the latest era.

    PYTHONPATH=py .venv/bin/python -m converter.experiments.era_prior 0 0.05 0.1 0.2

Judged on validation users only, against full EASE, as `ease_variants` prints.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from converter import data, sections
from converter.data import SparseRows
from converter.experiments.ease_variants import (
    DLAE,
    compared,
    item_item,
    load,
    per_user_ndcg,
    reference,
)


def era_lifts(train: SparseRows, train_eras: np.ndarray) -> dict[str, np.ndarray]:
    """Each era's popularity lift over all training users, per item."""
    counts = np.zeros(train.n_items)
    per_era: dict[str, np.ndarray] = {}
    for row, era in enumerate(train_eras):
        items = train.row(row)[0]
        counts[items] += 1
        per_era.setdefault(era, np.zeros(train.n_items))[items] += 1
    n = len(train_eras)
    overall = np.log((counts + 1) / (n + 1))
    return {
        era: np.log((c + 1) / ((train_eras == era).sum() + 1)) - overall
        for era, c in per_era.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("betas", nargs="+", type=float)
    parser.add_argument("--data", type=Path, default=data.DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    train, recent, val = load(args.data, args.seed)
    train_eras = np.where(recent, "2025", "2016/2023")
    lifts = era_lifts(train, train_eras)
    val_lift = np.stack([lifts["2025" if sections.era_of(u) == "2025" else "2016/2023"]
                         for u in val.users])  # fmt: skip
    g, ref = reference(train, val)
    b = item_item(g, DLAE).astype(np.float32)
    for beta in args.betas:
        done = [0]  # rows scored so far: per_user_ndcg scores the users in order, in batches

        def scores(x: np.ndarray, beta: float = beta, done: list[int] = done) -> np.ndarray:
            s = x @ b
            s = (s - s.mean(axis=1, keepdims=True)) / (s.std(axis=1, keepdims=True) + 1e-9)
            lift = val_lift[done[0] : done[0] + len(x)]
            done[0] += len(x)
            return s + beta * lift

        print(f"DLAE + {beta} × era lift: {compared(per_user_ndcg(scores, val), ref, val)}",
              flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
