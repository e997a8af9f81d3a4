"""Validation experiment (issue 12): tied low-rank DLAE plus a sparse item-item residual.

The low-rank part keeps DLAE's top eigen directions; what it loses is the rest of the full
matrix, R = B − B_r. Keeping R's largest entries (globally, by |R_ij| weighted by how often the
source title i is on a list) as a sparse matrix beside the factor costs a few bytes an entry.
Prints validation NDCG@100 against full EASE, per era, and the served (brotli) bytes of the
residual as CSR: delta-coded uint16 columns and uint8 values.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.sparse_residual --rank 590 450 \
        --entries 100000 200000 400000 [--weight 0 0.5] [--value-levels 256 32] [--refit 1]

`--refit 1` re-solves each column's kept entries on the data (DLAE's normal equations with the
low rank fixed) instead of keeping B − B_r's values. `--pairs 150000 300000` keeps symmetric
pairs instead (`symmetric_pairs`: one value for R_ij and R_ji).
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from converter import data
from converter.experiments.ease_variants import (
    DLAE,
    compared,
    item_item,
    load,
    per_user_ndcg,
    reference,
)
from converter.tied import eigen_factors, quantize
from tools.precompress import brotli_bytes


def low_rank(
    g: np.ndarray, rank: int, levels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """U, V of the quantized tied part, and Λ^½."""
    q, shrink, root = eigen_factors(g, DLAE.lam, DLAE.drop, rank)
    codes, low, step = quantize(q, levels)
    qq = codes.astype(np.float64) * step + low
    return qq / root[:, None], (shrink[:, None] * qq.T) * root[None, :], root


def symmetric_pairs(r: np.ndarray, root: np.ndarray, pairs: int) -> np.ndarray:
    """R = Λ^-½·M'·Λ^½ with M' symmetric (full DLAE and its eigen part both are), so R_ij and
    R_ji are one value of M' scaled by Λ^½: the `pairs` pairs i < j with the largest
    max(|R_ij|, |R_ji|), as the upper triangle of M' (the rest zero)."""
    m = r * root[:, None] / root[None, :]
    importance = np.triu(np.maximum(np.abs(r), np.abs(r.T)), 1)
    cut = np.partition(importance.ravel(), importance.size - pairs)[importance.size - pairs]
    return np.where(importance >= cut, (m + m.T) / 2, 0.0)


def unfolded(upper: np.ndarray, root: np.ndarray) -> np.ndarray:
    """Both entries of each kept pair back in R's terms."""
    return (upper + upper.T) * root[None, :] / root[:, None]


def sparsify(
    r: np.ndarray, weight: np.ndarray, entries: int, target: np.ndarray | None = None
) -> np.ndarray:
    """The `entries` largest |R_ij|·weight_i·target_j of R, the rest zero."""
    importance = np.abs(r) * weight[:, None] * (1.0 if target is None else target[None, :])
    cut = np.partition(importance.ravel(), importance.size - entries)[importance.size - entries]
    return np.where(importance >= cut, r, 0.0)


def refit(
    g: np.ndarray, lam: np.ndarray, u: np.ndarray, v: np.ndarray, s: np.ndarray
) -> np.ndarray:
    """The residual's values refitted on the data, column by column: with the support S_j of
    column j (plus j itself, free as in DLAE), r_S solves (G + Λ)_SS·r = [G_j − (G + Λ)·B_r_j]_S,
    the DLAE objective's normal equations with B_r fixed."""
    gl = g + np.diag(lam)
    m = g - (gl @ u) @ v
    out = np.zeros_like(s)
    for j in range(len(g)):
        support = np.flatnonzero(s[:, j])
        if not len(support):
            continue
        both = np.append(support, j)
        r = np.linalg.solve(gl[np.ix_(both, both)], m[both, j])
        out[support, j] = r[:-1]
    return out


def snapped(s: np.ndarray, levels: int) -> np.ndarray:
    nz = s != 0
    lo, hi = s[nz].min(), s[nz].max()
    step = (hi - lo) / (levels - 1)
    out = np.zeros_like(s)
    out[nz] = np.round((s[nz] - lo) / step) * step + lo
    return out


def served_bytes(s: np.ndarray, levels: int) -> int:
    rows, cols = np.nonzero(s)
    counts = np.bincount(rows, minlength=len(s))
    deltas = np.diff(np.concatenate([[0], cols]))
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    deltas[starts[counts > 0]] = cols[starts[counts > 0]]
    vals = s[rows, cols]
    lo, hi = vals.min(), vals.max()
    codes = np.round((vals - lo) / (hi - lo) * (levels - 1)).astype(np.uint8)
    blob = counts.astype(np.uint16).tobytes() + deltas.astype(np.uint16).tobytes() + codes.tobytes()
    return len(brotli_bytes(blob))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rank", type=int, nargs="+", default=[590])
    parser.add_argument("--levels", type=int, default=52)
    parser.add_argument("--value-levels", type=int, nargs="+", default=[256])
    parser.add_argument("--entries", type=int, nargs="+", default=[100_000, 200_000, 400_000])
    parser.add_argument("--weight", type=float, nargs="+", default=[0.0])
    parser.add_argument("--target-weight", type=float, default=0.0)
    parser.add_argument("--refit", type=int, default=0)
    parser.add_argument("--pairs", type=int, nargs="*", default=[], help="symmetric pairs kept")
    parser.add_argument("--data", default=data.DEFAULT_DATA)
    args = parser.parse_args()
    train, _, val = load(args.data, 0)
    g, ref = reference(train, val)
    full = item_item(g, DLAE)
    print(f"full DLAE: {compared(per_user_ndcg(lambda x: x @ full, val), ref, val)}", flush=True)
    for rank in args.rank:
        with_rank(g, full, rank, args, val, ref)
    return 0


def with_rank(
    g: np.ndarray, full: np.ndarray, rank: int, args: argparse.Namespace, val, ref: np.ndarray
) -> None:
    """The tied part of `rank` alone, then with each residual the arguments ask for."""
    started = time.time()
    u, v, root = low_rank(g, rank, args.levels)
    nd = per_user_ndcg(lambda x: (x @ u) @ v, val)
    print(f"rank {rank}: {compared(nd, ref, val)} [{time.time() - started:.0f} s]", flush=True)
    lam = DLAE.lam + DLAE.drop / (1 - DLAE.drop) * np.diag(g)
    residual = full - u @ v
    np.fill_diagonal(residual, 0.0)
    for pairs in args.pairs:
        for levels in args.value_levels:
            sl = snapped(symmetric_pairs(residual, root, pairs), levels)
            both = unfolded(sl, root)
            nd = per_user_ndcg(lambda x, both=both: (x @ u) @ v + x @ both, val)
            size = served_bytes(sl, levels) / 1e6
            print(f"  + {pairs} symmetric pairs ({levels} levels, {size:.2f} MB): "
                  f"{compared(nd, ref, val)}", flush=True)  # fmt: skip
    for power in args.weight:
        for entries in args.entries:
            target = np.diag(g) ** args.target_weight
            s = sparsify(residual, np.diag(g) ** power, entries, target)
            if args.refit:
                s = refit(g, lam, u, v, s)
            for levels in args.value_levels:
                sl = snapped(s, levels)
                nd = per_user_ndcg(lambda x, sl=sl: (x @ u) @ v + x @ sl, val)
                size = served_bytes(sl, levels) / 1e6
                print(f"  + {entries} entries (weight pop^{power}, target pop^"
                      f"{args.target_weight}, {levels} levels, "
                      f"{size:.2f} MB): {compared(nd, ref, val)}", flush=True)  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
