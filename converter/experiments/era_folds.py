"""How the shipped model stands against full EASE on the 2025 file's users, with all of them
held out in turn instead of the 60-odd of one split (issue 12's goal is per era, and one
split's 2025 interval is ±1.5%, as wide as the goal).

K folds over the 2025 file's users: each fold's users are the test users; every other user of
the three files trains (the catalog is rebuilt from them, min 10 users). Per fold: full EASE
(λ = 100), full DLAE (λ = 100, p = 0.25) without and with the catalog's franchise groups as
pseudo-users (`converter/side_info.py`, the shipped weight), and the shipped `dlae-tied` (its
TiedHyper defaults: rank 590, 52 levels, the sparse residual, franchises, the fitted
temperature), scored on the same 80/20 cut. Prints NDCG@100 per fold and over all held-out
users, with the paired bootstrap interval of the per-user difference to EASE.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.era_folds --folds 5
"""

from __future__ import annotations

import argparse
import random
import sys
import time

import numpy as np

from converter import catalog_build, data, sections, splits
from converter.baselines import gram
from converter.experiments.ease_variants import DLAE, Spec, bootstrap, item_item, per_user_ndcg
from converter.side_info import franchise_groups, pseudo_user_gram
from converter.tied import DlaeTied, TiedHyper

MODELS = ("dlae", "dlae_franchise", "shipped")  # each against "ease"


def fold_scores(profiles: dict, test: list[str], seed: int) -> dict[str, np.ndarray]:
    """Per-user NDCG@100 of each model on `test`, trained on everyone else."""
    held = set(test)
    train_users = [u for u in profiles if u not in held]
    counts = catalog_build.user_counts(profiles[u] for u in train_users)
    catalog, _ = catalog_build.build_catalogs(data.DEFAULT_DATA, counts, 10)
    train = data.encode_profiles((profiles[u] for u in train_users), catalog)
    heldout = splits.hold_out(profiles, test, catalog, seed)
    g = gram(train)
    groups = franchise_groups(catalog)
    hp = TiedHyper(seed=seed)
    side = pseudo_user_gram(len(g), groups, hp.franchise, hp.franchise_exponent)
    full = {
        "ease": item_item(g, Spec()).astype(np.float32),
        "dlae": item_item(g, DLAE).astype(np.float32),
        "dlae_franchise": item_item(g + side, DLAE).astype(np.float32),
    }
    tied = DlaeTied(hp, groups).fit(train)
    scores = {k: per_user_ndcg(lambda x, b=b: x @ b, heldout) for k, b in full.items()}
    return scores | {"shipped": per_user_ndcg(tied.score, heldout)}


def line(name: str, scores: dict[str, np.ndarray]) -> str:
    ref = scores["ease"]
    parts = [f"{name}: {len(ref)} users, EASE {ref.mean():.4f}"]
    for model in MODELS:
        lo, hi = bootstrap(scores[model] - ref)
        ratio = scores[model].mean() / ref.mean()
        parts.append(f"{model} {scores[model].mean():.4f} ({ratio:.4f}×, [{lo:+.4f}, {hi:+.4f}])")
    return " | ".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    recent = sorted(u for u in profiles if sections.era_of(u) == "2025")
    random.Random(args.seed).shuffle(recent)
    folds = [recent[k :: args.folds] for k in range(args.folds)]
    total: dict[str, list[np.ndarray]] = {m: [] for m in ("ease", *MODELS)}
    for k, test in enumerate(folds):
        started = time.time()
        scores = fold_scores(profiles, test, args.seed)
        for model, values in scores.items():
            total[model].append(values)
        print(f"{line(f'fold {k}', scores)} [{time.time() - started:.0f} s]", flush=True)
    print(line("all folds", {m: np.concatenate(v) for m, v in total.items()}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
