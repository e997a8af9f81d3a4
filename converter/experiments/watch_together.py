"""Watch together (issue 24): how the ways of combining two lists serve both people.

Pairs of the shipped model's test users (the training run's seed-0 split: users the model never
saw; `--users validation`: its validation users, never trained on either), each cut 80/20 as in
every evaluation here. Each person's 80% goes through the shipped model (read from
models/default as the page reads it: the tied factor expanded, plus the sparse residual; NumPy,
no TF.js), and each joint list of k titles leaves out both inputs. Per list:

- both: titles that are a target of both people (rare: two people's held-out 20% seldom meet);
- A, B: hits on each person's targets; "both ≥ 1": lists with at least one hit for each person;
- min recall: the recall (hits / min(k, |targets|)) of the person the list serves worse.

Rules (`animerec.together`, the code the page runs): `sum` (of log-probabilities), `balanced`
(the sum with both people's log-probabilities scaled to the same spread), `min` (of
probabilities), `naive` (each person's own top picks in turn), and each person's own list
alone (`A only`, `B only`, also without both inputs). Pairs: random (two seeded shuffles of the
test users), and matched by taste (greedy, by the cosine of the two inputs).

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.watch_together
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np
from animerec import together
from animerec.catalog import Catalog

from converter import data, splits
from converter.experiments.ease_variants import bootstrap
from converter.export import expand, read_tied

MODEL = Path(__file__).resolve().parents[2] / "models" / "default"
KS = (20, 50)
LISTS = ("sum", "balanced", "min", "naive", "A only", "B only")
FIGURES = ("both", "A", "B", "both_ge1", "min_recall")


def load_scorer(model_dir: Path):
    """Logits of a dense input batch under the shipped tied model, as the page computes them."""
    parts = read_tied(model_dir)
    if parts is None:
        raise SystemExit(f"{model_dir} is not a tied model")
    u, v = expand(parts)
    r = parts.residual.dense() if parts.residual is not None else None

    def score(x: np.ndarray) -> np.ndarray:
        out = (x @ u) @ v
        return out if r is None else out + x @ r

    return score


def random_pairs(n: int, seed: int, shuffles: int = 2) -> list[tuple[int, int]]:
    pairs = []
    for s in range(shuffles):
        order = list(range(n))
        random.Random(f"{seed}:{s}").shuffle(order)
        pairs += list(zip(order[::2], order[1::2], strict=False))
    return pairs


def matched_pairs(x: np.ndarray) -> list[tuple[int, int]]:
    """Greedy: the most similar (cosine of the binary inputs) unpaired users first."""
    b = (x > 0).astype(np.float32)
    norm = np.sqrt(b.sum(1)) + 1e-9
    sim = (b @ b.T) / norm[:, None] / norm[None, :]
    np.fill_diagonal(sim, -1.0)
    order = np.dstack(np.unravel_index(np.argsort(-sim, axis=None), sim.shape))[0]
    free = set(range(len(x)))
    pairs = []
    for i, j in order:
        if i < j and i in free and j in free:
            pairs.append((int(i), int(j)))
            free -= {i, j}
    return pairs


def lists(a: list[float], b: list[float], seen: set[int], k: int) -> dict[str, list[int]]:
    out = {name: top(rule(a, b, seen), seen, k) for name, rule in together.RULES.items()}
    out["naive"] = together.naive_merge(a, b, seen, k)
    out["A only"], out["B only"] = top(a, seen, k), top(b, seen, k)
    return out


def top(scores: list[float], seen: set[int], k: int) -> list[int]:
    s = np.asarray(scores, np.float64)
    s[list(seen)] = -np.inf
    return [int(i) for i in np.argsort(-s, kind="stable")[:k]]


def measure(scores: np.ndarray, inputs, targets, pairs) -> dict[tuple[str, int], np.ndarray]:
    """Per list and k, one row of FIGURES per pair of `pairs` (indices into the held-out users)."""
    rows: dict[tuple[str, int], list[tuple]] = {(n, k): [] for n in LISTS for k in KS}
    for i, j in pairs:
        seen = set(inputs.row(i)[0].tolist()) | set(inputs.row(j)[0].tolist())
        ta, tb = set(targets[i].tolist()), set(targets[j].tolist())
        longest = lists(scores[i].tolist(), scores[j].tolist(), seen, max(KS))
        for k in KS:  # each list's top k is the first k of its longest (every rule is greedy)
            for name, picks in ((n, p[:k]) for n, p in longest.items()):
                ha, hb = len(ta.intersection(picks)), len(tb.intersection(picks))
                both = len((ta & tb).intersection(picks))
                worse = min(ha / min(k, len(ta)), hb / min(k, len(tb)))
                rows[(name, k)].append((both, ha, hb, ha > 0 and hb > 0, worse))
    return {key: np.asarray(v, np.float64) for key, v in rows.items()}


def report(per_pair: dict[tuple[str, int], np.ndarray]) -> None:
    """Means per list, and each rule's paired difference to the naive merge with its 95%
    bootstrap interval."""
    for (name, k), v in per_pair.items():
        means = "  ".join(f"{m} {x:.4f}" for m, x in zip(FIGURES, v.mean(0), strict=True))
        print(f"  {name:7}@{k}  {means}")
    for k in KS:
        for name in together.RULES:
            diff = per_pair[(name, k)] - per_pair[("naive", k)]
            parts = []
            for m, figure in enumerate(FIGURES):
                lo, hi = bootstrap(diff[:, m])
                parts.append(f"{figure} {diff[:, m].mean():+.4f} [{lo:+.4f}, {hi:+.4f}]")
            print(f"  {name} − naive @{k}: " + "  ".join(parts), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--data", type=Path, default=data.DEFAULT_DATA)
    parser.add_argument("--users", choices=("test", "validation"), default="test")
    args = parser.parse_args()
    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    split = manifest["training_data"]["split"]
    catalog = Catalog.from_json(json.loads((args.model / "catalog.json").read_text()))
    profiles = data.load_training_profiles(args.data)
    _, validation, test = splits.split_users(
        list(profiles), split["validation_fraction"], split["test_fraction"], split["seed"]
    )
    users = test if args.users == "test" else validation
    held = splits.hold_out(profiles, users, catalog, split["seed"])
    x = held.inputs.dense()
    scores = load_scorer(args.model)(x)
    for name, pairs in (
        ("random", random_pairs(len(held), split["seed"])),
        ("matched", matched_pairs(x)),
    ):
        both = np.mean([len(set(held.targets[i]) & set(held.targets[j])) for i, j in pairs])
        print(f"{name}: {len(pairs)} pairs of {len(held)} users, {both:.2f} shared targets a pair")
        report(measure(scores, held.inputs, held.targets, pairs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
