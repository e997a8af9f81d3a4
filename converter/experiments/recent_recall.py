"""Recent recall of the page (converter/recent.py) on train's split: the shipped model
(models/default, reloaded from its TF.js files) and a fresh model built from its catalogs with
the given weights (default: its fresh.json), on the validation users (which choose the
shelf's order) and the test users of its own split (the manifest's seed).

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.recent_recall \
        [--hyper '{"franchise": 2.0}'] [--order '{"fresh_every": 4}'] [--users validation]
"""

from __future__ import annotations

import argparse
import itertools
import json
from pathlib import Path

from animerec.catalog import EXTRA_FILE
from animerec.fresh import FRESH_FILE, FreshModel, ShelfOrder

from converter import data, export, fresh_build, recent, sections, splits
from converter.evaluate import read_catalog
from converter.recommender import keras_scorer

ROOT = Path(__file__).resolve().parent.parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument(
        "--hyper", nargs="*", default=[], help="FreshHyper fields as JSON (default: fresh.json's)"
    )
    parser.add_argument(
        "--order", nargs="+", default=["{}"], help="ShelfOrder fields as JSON (default: shipped)"
    )
    parser.add_argument(
        "--users",
        nargs="+",
        default=["validation", "test"],
        choices=["validation", "test"],
        help="which users (test: once, at the end)",
    )
    args = parser.parse_args()
    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    seed = manifest["training_data"]["split"]["seed"]
    catalog, extra = (read_catalog(args.model / n) for n in ("catalog.json", EXTRA_FILE))
    models = {"fresh.json": FreshModel.from_json(json.loads((args.model / FRESH_FILE).read_text()))}
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    for text in args.hyper:
        hp = fresh_build.FreshHyper(**json.loads(text))
        items = fresh_build.fresh_titles(extra, hp.since_year)
        hood = fresh_build.neighbourhood(catalog, items, metadata, hp.neighbours)
        models[text] = FreshModel.from_json(fresh_build.to_json(hood, hp, len(catalog)))
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    _, val_u, test_u = splits.split_users(list(profiles), 0.08, 0.1, seed)
    logits = keras_scorer(export.load_tfjs(args.model))
    for name, users in (("validation", val_u), ("test", test_u)):
        if name not in args.users:
            continue
        for (label, fresh), text in itertools.product(models.items(), args.order):
            order = ShelfOrder(**json.loads(text))
            result = recent.measure(profiles, users, catalog, extra, seed, logits, fresh,
                                    sections.RECENT_SINCE, order)  # fmt: skip
            print(name, label, text, json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
