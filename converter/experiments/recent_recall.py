"""Recent recall of the page (converter/recent.py) on train's split: the shipped model
(models/default, reloaded from its TF.js files) and its fresh.json, on the test users of its
own split (the manifest's seed), and on the validation users.

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.recent_recall
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from animerec.catalog import EXTRA_FILE
from animerec.fresh import FRESH_FILE, FreshModel

from converter import data, export, recent, sections, splits
from converter.evaluate import read_catalog
from converter.recommender import keras_scorer

ROOT = Path(__file__).resolve().parent.parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    args = parser.parse_args()
    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    seed = manifest["training_data"]["split"]["seed"]
    catalog, extra = (read_catalog(args.model / n) for n in ("catalog.json", EXTRA_FILE))
    fresh = FreshModel.from_json(json.loads((args.model / FRESH_FILE).read_text("utf-8")))
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    _, val_u, test_u = splits.split_users(list(profiles), 0.08, 0.1, seed)
    logits = keras_scorer(export.load_tfjs(args.model))
    for name, users in (("validation", val_u), ("test", test_u)):
        result = recent.measure(
            profiles, users, catalog, extra, seed, logits, fresh, sections.RECENT_SINCE
        )
        print(name, json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
