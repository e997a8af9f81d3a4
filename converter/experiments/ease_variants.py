"""Validation experiments for a model past EASE (issue 12): loads the seed-0 split once, fits
linear item-item variants (EASE, EDLAE's emphasized dropout, user/item normalization), optionally
factorizes each to rank r with a free diagonal (Frobenius or data-weighted), and prints
validation NDCG@100 with a paired bootstrap interval against full EASE.

    PYTHONPATH=py .venv/bin/python -m converter.experiments.ease_variants lam=100 emph=0,rank=900

Each spec is comma-separated key=value over the fields of `Spec`. Judged on validation users only.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from animerec.catalog import Catalog

from converter import catalog_build, data, sections, splits
from converter.baselines import gram
from converter.data import SparseRows
from converter.lowrank import randomized_svd
from converter.metrics import METRICS, evaluate, ndcg_at_k, rank
from converter.splits import HeldOut
from tools.precompress import brotli_bytes

BOOTSTRAP = 2000
TRUNCATIONS = (0.5, 0.7, 0.85, 1.0)  # shares of the factor rank measured after quantization
LEVELS = (256, 86, 52)
TIED_RANKS = (1000, 1500, 1750, 2000)


@dataclass(frozen=True)
class Spec:
    lam: float = 100.0  # L2 on every weight
    drop: float = 0.0  # EDLAE dropout p: adds p/(1-p)·diag(G) to the L2 of each item
    emph: int = 1  # 1: zero-diagonal (emphasized) form, 0: plain DLAE (diagonal free)
    beta: float = 0.0  # user weight |list|^-beta (mean 1) in the Gram matrix
    recent: float = 1.0  # weight of the 2025 file's users in the Gram matrix
    alpha: float = 0.0  # item input scaling popularity^-alpha (undone at the output)
    gamma: float = 0.0  # output scaling popularity^-gamma (popularity debiasing)
    rank: int = 0  # 0: full matrix; else factorized to this rank with a free diagonal
    mu: float = math.inf  # factorization metric: inf = Frobenius, else (G + mu·I)-weighted
    rounds: int = 10
    tied: int = 0  # 1: DLAE's eigen-truncation with one shared factor Q (emph=0 only)


DLAE = Spec(lam=100.0, drop=0.25, emph=0)  # the best full DLAE of RESULTS.md


def parse(text: str) -> Spec:
    kinds = {f.name: f.type for f in fields(Spec)}
    values = dict(kv.split("=") for kv in text.split(",") if kv)
    return Spec(**{k: (int if kinds[k] == "int" else float)(v) for k, v in values.items()})


def load_split(data_dir: Path, seed: int) -> tuple[SparseRows, list[str], HeldOut, Catalog]:
    """Training rows and their users, the validation users, and the model's catalog."""
    profiles = data.load_training_profiles(data_dir)
    train_u, val_u, _ = splits.split_users(list(profiles), 0.08, 0.1, seed)
    counts = catalog_build.user_counts(profiles[u] for u in train_u)
    catalog, _ = catalog_build.build_catalogs(data_dir, counts, 10)
    train = data.encode_profiles((profiles[u] for u in train_u), catalog)
    return train, train_u, splits.hold_out(profiles, val_u, catalog, seed), catalog


def load(data_dir: Path, seed: int) -> tuple[SparseRows, np.ndarray, HeldOut]:
    """Training rows, which of them come from the 2025 file, and the validation users."""
    train, train_u, val, _ = load_split(data_dir, seed)
    return train, np.array([sections.era_of(u) == "2025" for u in train_u]), val


def weighted_gram(train: SparseRows, weights: np.ndarray) -> np.ndarray:
    g = np.zeros((train.n_items, train.n_items))
    for start in range(0, len(train), 512):
        x = train.dense(start, start + 512).astype(np.float64)
        w = weights[start : start + len(x)]
        g += (x * w[:, None]).T @ x
    return g


def item_item(g: np.ndarray, s: Spec) -> np.ndarray:
    d = np.diag(g).copy()
    pop = np.maximum(d, 1e-9) / d.mean()
    scale = pop**-s.alpha
    gs = g * scale[:, None] * scale[None, :]
    reg = s.lam + s.drop / (1 - s.drop) * np.diag(gs)
    p = np.linalg.inv(gs + np.diag(reg))
    b = np.eye(len(g)) - p / np.diag(p) if s.emph else np.eye(len(g)) - p * reg[None, :]
    b = b * scale[:, None] / scale[None, :] * (pop**-s.gamma)[None, :]
    np.fill_diagonal(b, 0.0)
    return b


def factorize(b: np.ndarray, g: np.ndarray, s: Spec) -> tuple[np.ndarray, np.ndarray]:
    """Rank-r U·V ≈ B off the diagonal, in the Frobenius or (G + μI)^½-weighted norm."""
    if math.isinf(s.mu):
        m = None
    else:
        w, q = np.linalg.eigh(g + s.mu * np.eye(len(g)))
        m = (q * np.sqrt(np.maximum(w, 0))) @ q.T
    diag = np.zeros(len(b))
    basis = None
    b = b.copy()
    for _ in range(s.rounds):
        np.fill_diagonal(b, diag)
        if m is None:
            left, sv, right, basis = randomized_svd(b, s.rank, 0, basis)
            u, v = left * np.sqrt(sv), np.sqrt(sv)[:, None] * right
        else:
            _, _, right, basis = randomized_svd(m @ b, s.rank, 0, basis)
            u, v = b @ right.T, right
        diag = np.einsum("ir,ri->i", u, v)
    return u.astype(np.float32), v.astype(np.float32)


def quantize(w: np.ndarray, levels: int = 256) -> tuple[np.ndarray, float]:
    """TF.js uint8 affine quantization (per tensor), here onto `levels` evenly spaced values
    (levels − 1 dividing 255 keeps them exact in uint8), and the order-0 entropy of its bytes
    in bytes (what brotli gets near on such data; `brotli_size` measures it)."""
    lo, hi = float(w.min()), float(w.max())
    step = (hi - lo) / (levels - 1)
    q = np.round((w - lo) / step).astype(np.int64)
    p = np.bincount(q.ravel(), minlength=levels) / q.size
    bits = -(p[p > 0] * np.log2(p[p > 0])).sum() * q.size
    return (q * step + lo).astype(np.float32), bits / 8


def brotli_size(w: np.ndarray) -> int:
    lo, hi = float(w.min()), float(w.max())
    return len(brotli_bytes(np.round((w - lo) / (hi - lo) * 255).astype(np.uint8).tobytes()))


def per_user_ndcg(scores_fn, val: HeldOut) -> np.ndarray:
    out = []
    for start in range(0, len(val), 256):
        stop = min(start + 256, len(val))
        ranked = rank(
            scores_fn(val.inputs.dense(start, stop)),
            [val.inputs.row(r)[0] for r in range(start, stop)],
            100,
        )
        out.append(ndcg_at_k(ranked, val.targets[start:stop], 100))
    return np.concatenate(out)


def bootstrap(diff: np.ndarray) -> tuple[float, float]:
    idx = np.random.default_rng(0).integers(0, len(diff), (BOOTSTRAP, len(diff)))
    means = diff[idx].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def row_weights(train: SparseRows, recent: np.ndarray, s: Spec) -> np.ndarray:
    """|list|^-beta, times `recent` for rows of the 2025 file, scaled to mean 1 (λ keeps its
    scale)."""
    lengths = np.maximum(np.diff(train.indptr).astype(np.float64), 1.0)
    w = lengths**-s.beta * np.where(recent, s.recent, 1.0)
    return w / w.mean()


def run(
    text: str, data: tuple[SparseRows, np.ndarray, HeldOut], grams: dict, ref: np.ndarray
) -> None:
    train, recent, val = data
    s = parse(text)
    started = time.time()
    if (s.beta, s.recent) not in grams:
        grams[s.beta, s.recent] = weighted_gram(train, row_weights(train, recent, s))
    g = grams[s.beta, s.recent]
    if s.tied:
        tied(g, s, val, ref)
        return
    b = item_item(g, s).astype(np.float32)
    size = ""
    if s.rank:
        u, v = factorize(b, grams[0.0, 1.0], s)
        size = f" uint8 brotli {(brotli_size(u) + brotli_size(v)) / 1e6:.2f} MB"
        truncations(u, v, val, ref)

        def fn(x):
            return (x @ u) @ v
    else:

        def fn(x):
            return x @ b

    nd = per_user_ndcg(fn, val)
    m = evaluate(fn, val)
    print(
        f"{text:45} ndcg {compared(nd, ref, val)} r@20 {m[METRICS[0]]:.4f} "
        f"r@50 {m[METRICS[1]]:.4f}{size} [{time.time() - started:.0f} s]",
        flush=True,
    )


def tied(g: np.ndarray, s: Spec, val: HeldOut, ref: np.ndarray) -> None:
    """DLAE is B = Λ^-½·Q·diag(σ/(1+σ))·Qᵀ·Λ^½ with QσQᵀ = Λ^-½·G·Λ^-½: its top-r eigen part
    needs one n×r factor Q (plus vectors) where a free factorization needs two."""
    reg = s.lam + s.drop / (1 - s.drop) * np.diag(g)
    root = np.sqrt(reg)
    sigma, q = np.linalg.eigh(g / root[:, None] / root[None, :])
    sigma, q = sigma[::-1], q[:, ::-1]
    for r in TIED_RANKS:
        shrink = (sigma[:r] / (1 + sigma[:r])).astype(np.float32)
        for levels in (256, 52):
            f, size = quantize(q[:, :r].astype(np.float32), levels)
            nd = per_user_ndcg(lambda x, f=f, w=shrink: (((x / root) @ f) * w) @ f.T * root, val)
            print(f"    tied rank {r} levels {levels} (~{size / 1e6:.2f} MB): "
                  f"{compared(nd, ref, val)}", flush=True)  # fmt: skip


def truncations(u: np.ndarray, v: np.ndarray, val: HeldOut, ref: np.ndarray) -> None:
    """The first r' components at a few quantization grids: entropy-estimated size, NDCG."""
    for fraction in TRUNCATIONS:
        r = round(u.shape[1] * fraction)
        for levels in LEVELS:
            (uq, nu), (vq, nv) = quantize(u[:, :r], levels), quantize(v[:r], levels)
            nd = per_user_ndcg(lambda x, uq=uq, vq=vq: (x @ uq) @ vq, val)
            size = f"~{(nu + nv) / 1e6:.2f} MB"
            print(f"    rank {r} levels {levels}: {size}, {compared(nd, ref, val)}", flush=True)


def compared(nd: np.ndarray, ref: np.ndarray, val: HeldOut) -> str:
    """Mean NDCG@100, ratio to EASE and the paired bootstrap 95% interval of the difference,
    over all validation users and per era."""
    eras = np.array([sections.era_of(u) for u in val.users])
    parts = []
    for era in ("all", *sections.ERAS):
        mask = np.ones(len(nd), bool) if era == "all" else eras == era
        lo, hi = bootstrap(nd[mask] - ref[mask])
        parts.append(
            f"{era}: {nd[mask].mean():.4f} ({nd[mask].mean() / ref[mask].mean():.4f}×, "
            f"[{lo:+.4f}, {hi:+.4f}])"
        )
    return " | ".join(parts)


def spec_parser() -> argparse.ArgumentParser:
    """Specs to run on seed `--seed`'s validation users of `--data`."""
    parser = argparse.ArgumentParser()
    parser.add_argument("specs", nargs="+")
    parser.add_argument("--data", type=Path, default=data.DEFAULT_DATA)
    parser.add_argument("--seed", type=int, default=0)
    return parser


def reference(train: SparseRows, val: HeldOut) -> tuple[np.ndarray, np.ndarray]:
    """XᵀX, and full EASE's (λ = 100) per-user validation NDCG@100 that every spec is compared
    with; prints the split and EASE's line."""
    eras = [sections.era_of(u) for u in val.users]
    by_era = ", ".join(f"{e}: {eras.count(e)}" for e in sections.ERAS)
    print(f"{len(train)} train rows, {len(val)} validation users ({by_era}), {train.n_items} items")
    g = gram(train)
    ease = item_item(g, Spec()).astype(np.float32)
    ref = per_user_ndcg(lambda x: x @ ease, val)
    print(f"reference EASE λ=100: {compared(ref, ref, val)}", flush=True)
    return g, ref


def main() -> int:
    args = spec_parser().parse_args()
    loaded = load(args.data, args.seed)
    train, _, val = loaded
    g, ref = reference(train, val)
    grams = {(0.0, 1.0): g}
    for text in args.specs:
        run(text, loaded, grams, ref)
    return 0


if __name__ == "__main__":
    sys.exit(main())
