"""`build.py evaluate`: score the EXPORTED TF.js model (reloaded from model.json, as the browser
gets it) against popularity and EASE on one seeded 80/20 split of held-out users from a CSV.

Popularity and EASE are fitted on the `--data` rating files minus every user whose list is
identical to a held-out one (ids differ between files), with the EASE λ the training run tuned
on its validation users (manifest `metrics.ease.lambda`), so nothing is tuned on these users.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .data import DEFAULT_DATA

ROOT = Path(__file__).resolve().parent.parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--heldout", type=Path, required=True, help="rating CSV, either format")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="training ratings dir")
    parser.add_argument("--seed", type=int, help="split seed (default: the training run's)")
    parser.add_argument("--json", action="store_true", help="last line: the results as JSON")


def main(args: argparse.Namespace) -> int:
    from animerec.catalog import Catalog

    from . import baselines, data, export, splits
    from .metrics import METRICS, evaluate
    from .recommender import keras_scorer

    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    catalog = Catalog.from_json(json.loads((args.model / "catalog.json").read_text("utf-8")))
    seed = manifest["training_data"]["split"]["seed"] if args.seed is None else args.seed
    heldout_profiles = data.read_profiles(args.heldout)
    held = {data.list_fingerprint(p) for p in heldout_profiles.values()}
    train = [
        p
        for p in data.load_training_profiles(args.data).values()
        if data.list_fingerprint(p) not in held
    ]
    train_rows = data.encode_profiles(train, catalog)
    heldout = splits.hold_out(heldout_profiles, list(heldout_profiles), catalog, seed)
    if not len(heldout):
        raise SystemExit(f"no user in {args.heldout} has {splits.MIN_ENTRIES}+ catalog titles")

    lam = manifest["metrics"]["ease"]["lambda"]
    results = {
        "users": len(heldout),
        "model": evaluate(keras_scorer(export.load_tfjs(args.model)), heldout),
        "popularity": evaluate(baselines.Popularity().fit(train_rows).score, heldout),
        "ease": evaluate(baselines.Ease([lam]).fit(train_rows).score, heldout),
    }
    print(f"{len(heldout)} held-out users, {len(train)} training users, EASE λ={lam}")
    print(f"{'':12}" + "".join(f"{m:>11}" for m in METRICS))
    for name in ("model", "popularity", "ease"):
        print(f"{name:12}" + "".join(f"{results[name][m]:>11.4f}" for m in METRICS))
    if args.json:
        print(json.dumps(results))
    return 0
