"""`build.py evaluate`: score the EXPORTED TF.js model (reloaded from model.json, as the browser
gets it) against popularity and EASE on one seeded 80/20 split of held-out users from a CSV.

Popularity and EASE are fitted on the `--data` rating files minus every user whose list is
identical to a held-out one (ids differ between files), with the EASE λ the training run tuned
on its validation users (manifest `metrics.ease.lambda`), so nothing is tuned on these users.

Besides that cut, the JSON holds the `whole_list` and `recent` sections of `converter.sections`,
and with `--cold-years` the item cold-start split of `converter.coldstart` (every rating of the
titles of each year hidden, full DLAE refitted per year: about a minute each on 2 cores; the
fresh weights are the model folder's fresh.json's).
Rating files of every format of `shared/data/ratings` are read (AniList scales mapped).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from animerec.catalog import EXTRA_FILE, Catalog

from .data import DEFAULT_DATA

if TYPE_CHECKING:
    from animerec.profile import Profile

    from .data import SparseRows

ROOT = Path(__file__).resolve().parent.parent


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--heldout", type=Path, required=True, help="rating CSV, any format")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="training ratings dir")
    parser.add_argument("--seed", type=int, help="split seed (default: the training run's)")
    parser.add_argument("--json", action="store_true", help="last line: the results as JSON")
    parser.add_argument(
        "--cold-years",
        type=int,
        nargs="*",
        default=[],
        metavar="YEAR",
        help="item cold start: rank the titles of each YEAR with their ratings hidden",
    )


def main(args: argparse.Namespace) -> int:
    from . import baselines, data, export, sections, splits
    from .metrics import METRICS
    from .recommender import keras_scorer

    manifest = json.loads((args.model / "manifest.json").read_text(encoding="utf-8"))
    catalog, extra = (read_catalog(args.model / name) for name in ("catalog.json", EXTRA_FILE))
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
    scorers = {
        "model": keras_scorer(export.load_tfjs(args.model)),
        "popularity": baselines.Popularity().fit(train_rows).score,
        "ease": baselines.Ease([lam]).fit(train_rows).score,
    }
    results = sections.compare(scorers, heldout)
    cuts = sections.cuts(heldout_profiles, list(heldout_profiles), catalog, extra, seed)
    results.update({name: sections.compare(scorers, cut) for name, cut in cuts.items()})
    print(f"{len(heldout)} held-out users, {len(train)} training users, EASE λ={lam}")
    for title, section in (("", results), *((f" ({k})", results[k]) for k in cuts)):
        print(f"{title:12}" + "".join(f"{m:>11}" for m in METRICS) + f"  {section['users']} users")
        for name in scorers if section["users"] else ():
            print(f"{name:12}" + "".join(f"{section[name][m]:>11.4f}" for m in METRICS))
    if args.cold_years:
        results["cold_start"] = cold_start(args, train_rows, heldout_profiles, catalog, seed)
        for year, section in results["cold_start"].items():
            print(f"cold {year}: {section['titles']} titles, {section['users']} users")
            for name in ("fresh", "popularity", "warm model") if section["users"] else ():
                print(f"  {name:12}" + "".join(f"  {k} {v}" for k, v in section[name].items()))
    if args.json:
        print(json.dumps(results))
    return 0


def cold_start(
    args: argparse.Namespace,
    train_rows: SparseRows,
    heldout_profiles: dict[str, Profile],
    catalog: Catalog,
    seed: int,
) -> dict[str, dict]:
    """`converter.coldstart.report` on the held-out users, with the folder's fresh weights."""
    from animerec.fresh import FRESH_FILE

    from . import coldstart, fresh_build

    fresh = json.loads((args.model / FRESH_FILE).read_text(encoding="utf-8"))
    hp = fresh_build.FreshHyper(**fresh["hyper"])
    metadata = fresh_build.read_metadata(args.data)
    users = list(heldout_profiles)
    return coldstart.report(
        train_rows, heldout_profiles, users, catalog, seed, args.cold_years, hp, metadata
    )


def read_catalog(path: Path) -> Catalog:
    """A catalog file of a model folder; an empty catalog where the folder has none (models
    trained before the recognized titles were split off)."""
    if not path.exists():
        return Catalog([])
    return Catalog.from_json(json.loads(path.read_text(encoding="utf-8")))
