"""`build.py train`: read the three rating files (and any `--ratings` ones), build the catalog,
fit the chosen model kind (`--model`: low-rank EASE, low-rank or tied DLAE, or Mult-DAE, selected
on the validation users), measure it against popularity and EASE on the same held-out test
users, and export the TF.js model, catalog, manifest and parity cases."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .atlas import ITERATIONS
from .data import DEFAULT_DATA
from .kinds import MODELS, RANKS

if TYPE_CHECKING:
    from animerec.catalog import Catalog

    from .recommender import KerasRecommender

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("mal-export-v110-igorv.xml", "mal-export-xinil-evanalxen.xml",
            "mal-malappinfo-2016-4535-entries.json")  # fmt: skip
MAX_MODEL_BYTES = 4_000_000  # as served: brotli, as tools/precompress writes it
QUANT_TOLERANCE = 0.005  # largest validation NDCG@100 loss accepted for a smaller encoding
THRESHOLDS = (3, 5, 10, 20, 50)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="dir with ratings/ and catalog/"
    )
    parser.add_argument(
        "--ratings",
        type=Path,
        nargs="+",
        default=[],
        metavar="FILE",
        help="extra rating CSVs to train on besides --data's three, e.g. the output of "
        "`build.py export-ratings` (the deployer's refresh: collect → export-ratings → "
        "train --ratings FILE → build)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "models" / "default")
    parser.add_argument(
        "--reports",
        type=Path,
        default=ROOT / "converter" / "reports",
        help="where the loss curve and the run report go",
    )
    parser.add_argument("--fixtures", type=Path, default=ROOT.parent / "shared" / "fixtures")
    parser.add_argument(
        "--model", choices=MODELS, default="dlae-tied", help="the kind (default: the shipped one)"
    )
    parser.add_argument(
        "--rank",
        type=int,
        default=0,
        help="low-rank kinds: factor rank (0: the kind's own, "
        + ", ".join(f"{k} {r}" for k, r in RANKS.items())
        + ")",
    )
    parser.add_argument(
        "--lowrank-lambda", type=float, default=100.0, help="low-rank kinds: λ of EASE / DLAE"
    )
    parser.add_argument(
        "--iterations", type=int, default=16, help="low-rank kinds: free-diagonal SVD rounds"
    )
    parser.add_argument(
        "--grid-levels",
        type=int,
        default=0,
        help="low-rank kinds: snap each factor to this many values (52 or 86; 0: off, or 52 for "
        "dlae-tied) so the uint8 shard compresses under brotli and a larger rank fits 4 MB served",
    )
    parser.add_argument(
        "--dlae-dropout", type=float, default=0.25, help="DLAE kinds: dropout p (λ: as above)"
    )
    parser.add_argument(
        "--residual",
        type=int,
        help="dlae-tied: entries of the sparse residual beside the low rank (0: none; default: "
        "converter.tied.TiedHyper's, what the cold budget leaves the model)",
    )
    parser.add_argument(
        "--franchise-weight",
        type=float,
        help="dlae-tied: weight of each franchise group as a pseudo-user in XᵀX "
        "(converter/side_info.py; 0: none; default: converter.tied.TiedHyper's)",
    )
    parser.add_argument("--epochs", type=int, default=30, help="mult-dae")
    parser.add_argument("--hidden", default="256", help="mult-dae: hidden widths, comma-separated")
    parser.add_argument("--dropout", type=float, default=0.5)
    parser.add_argument("--l2", type=float, default=1e-3)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument(
        "--min-users", type=int, default=10, help="catalog: least training users per title"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--atlas-iterations", type=int, default=ITERATIONS, help="the catalog map's t-SNE steps"
    )
    parser.add_argument("--val-fraction", type=float, default=0.08)
    parser.add_argument("--test-fraction", type=float, default=0.1)
    parser.add_argument("--ease-lambdas", default="20,50,100,200,500")
    parser.add_argument(
        "--write-test-csv",
        type=Path,
        help="also write the test users' lists to this CSV (keep it out of the repo)",
    )
    parser.add_argument(
        "--quantize",
        choices=("auto", "uint8", "float16"),
        default="auto",
        help="the shipped encoding (dlae-tied has its own: auto)",
    )


def main(args: argparse.Namespace) -> int:
    started = time.time()
    from animerec.encoding import ENCODING_VERSION, describe
    from animerec.parsers import parse_profile_file

    from tools.precompress import brotli_bytes

    from . import (
        baselines,
        catalog_build,
        continuations,
        data,
        export,
        fresh_build,
        model,
        sections,
        splits,
    )
    from .files import file_entry
    from .metrics import METRICS, evaluate
    from .recommender import keras_scorer

    profiles = data.load_training_profiles(args.data, args.ratings)
    train_u, val_u, test_u = splits.split_users(
        list(profiles), args.val_fraction, args.test_fraction, args.seed
    )
    counts = catalog_build.user_counts(profiles[u] for u in train_u)
    catalog, extra = catalog_build.build_catalogs(args.data, counts, args.min_users)
    train_rows = data.encode_profiles((profiles[u] for u in train_u), catalog)
    val = splits.hold_out(profiles, val_u, catalog, args.seed)
    test = splits.hold_out(profiles, test_u, catalog, args.seed)
    print(
        f"{len(profiles)} users ({len(train_u)} train, {len(val)} validation, {len(test)} test "
        f"evaluated), {len(catalog)} titles with ≥{args.min_users} training users, "
        f"{len(extra)} more recognized"
    )

    if args.write_test_csv:
        data.write_ratings_csv((profiles[u] for u in test.users), args.write_test_csv)

    pop = baselines.Popularity().fit(train_rows)
    ease = baselines.Ease([float(x) for x in args.ease_lambdas.split(",")]).fit(train_rows, val)
    rec = make_recommender(args, catalog)
    fit_started = time.time()
    rec.fit(train_rows, val)
    fit_seconds = time.time() - fit_started
    net = rec.net
    described = rec.describe()

    results: dict[str, dict[str, Any]] = {
        "float32": {
            "validation": evaluate(rec.score, val),
            "test": evaluate(rec.score, test),
        }
    }
    exporters = export_variants(rec)
    with tempfile.TemporaryDirectory() as tmp:
        for dtype, write in exporters.items():
            files = write(Path(tmp) / dtype)
            loaded = export.load_tfjs(Path(tmp) / dtype)
            x = val.inputs.dense(0, 64)
            results[dtype] = {
                "bytes": sum(f.stat().st_size for f in files),
                "brotli_bytes": sum(len(brotli_bytes(f.read_bytes())) for f in files),
                "max_abs_logit_diff": round(
                    float(abs(loaded(x).numpy() - net(x).numpy()).max()), 5
                ),
                "validation": evaluate(keras_scorer(loaded), val),
                "test": evaluate(keras_scorer(loaded), test),
            }
        chosen = args.quantize
        if chosen == "auto":
            ref = results["float32"]["validation"]["ndcg@100"]
            fits = [
                d
                for d in exporters
                if results[d]["brotli_bytes"] <= MAX_MODEL_BYTES
                and ref - results[d]["validation"]["ndcg@100"] <= QUANT_TOLERANCE
            ]
            chosen = fits[0] if fits else next(iter(exporters))
        if args.out.exists():
            shutil.rmtree(args.out)
        shutil.copytree(Path(tmp) / chosen, args.out)
    exported = export.load_tfjs(args.out)

    scorers = {"model": keras_scorer(exported), "popularity": pop.score, "ease": ease.score}
    metrics = sections.compare(scorers, test)
    metrics["ease"]["lambda"] = ease.lam
    metrics["eras"] = sections.by_era(scorers, test)
    for name, cut in sections.cuts(profiles, test_u, catalog, extra, args.seed).items():
        metrics[name] = sections.compare(scorers, cut)
    metrics["continuations"] = continuations.measure(
        profiles, test_u, catalog, extra, args.seed, scorers["model"]
    )
    validation = {
        "users": len(val),
        "model": results[chosen]["validation"],
        "popularity": evaluate(pop.score, val),
        "ease": {**evaluate(ease.score, val), "lambda": ease.lam},
        "ease_lambda_ndcg@100": {str(k): v for k, v in ease.table.items()},
    }

    fresh_build.write_catalogs(args.out, catalog, extra)
    fresh_build.build(catalog, extra, args.data, args.out)
    fixtures = {
        f: parse_profile_file((args.fixtures / f).read_bytes(), f)
        for f in FIXTURES
        if (args.fixtures / f).exists()
    }
    held = {
        f"test-user-{i}": data.SparseRows.from_pairs([test.inputs.row(i)], len(catalog))
        for i in (0, 1)
    }
    parity = export.parity_cases(exported, fixtures, held, catalog)
    (args.out / "parity.json").write_text(json.dumps(parity, separators=(",", ":")))

    n = len(catalog)
    manifest = {
        "name": f"animerec-{args.model}",
        "format": export.FORMAT,
        "load": described.get("load", "tf.loadLayersModel(<url of model.json>)"),
        "encoding": {
            **describe(),
            "normalization": described["architecture"]["input_normalization"],
        },
        "encoding_version": ENCODING_VERSION,
        "input": {
            "name": model.INPUT_NAME,
            "shape": [None, n],
            "dtype": "float32",
            "meaning": "encoded list (animerec.encoding.encode); position = catalog index",
        },
        "output": {
            "name": model.OUTPUT_NAME,
            "shape": [None, n],
            "dtype": "float32",
            "meaning": described["output_meaning"],
        },
        "n_items": n,
        "recognized_items": len(extra),
        "architecture": described["architecture"],
        "training": {
            **described["training"],
            "fit_seconds": round(fit_seconds, 1),
            "total_seconds": None,
        },
        "training_data": {
            "files": [p.name for p in data.rating_paths(args.data, args.ratings)],
            "users": len(profiles),
            "train_users": len(train_u),
            "split": {
                "seed": args.seed,
                "validation_fraction": args.val_fraction,
                "test_fraction": args.test_fraction,
                "target_fraction": splits.TARGET_FRACTION,
                "min_entries": splits.MIN_ENTRIES,
                "list": "entries that reach the input (in catalog, not plan_to_watch)",
                "targets": "held-out 20% of the list, dropped entries excluded",
            },
            "ratings": len(train_rows.values),
            "min_users": args.min_users,
            "min_users_table": catalog_build.threshold_table(counts, THRESHOLDS),
            "recognized": {
                name: catalog_build.recognized_share(group, catalog, extra)
                for name, group in (
                    *data.profiles_by_file(profiles).items(),
                    ("fixtures", list(fixtures.values())),
                )
            },
        },
        "metrics": metrics,
        "validation": validation,
        "quantization": {
            "dtype": chosen,
            "rule": f"smallest encoding ≤ {MAX_MODEL_BYTES} bytes brotli "
            f"losing ≤ {QUANT_TOLERANCE} validation NDCG@100",
            "measured": results,
        },
    }
    manifest["training"]["total_seconds"] = round(time.time() - started, 1)
    manifest["files"] = {
        p.name: file_entry(p)
        for p in sorted(args.out.iterdir())
        if p.name != "manifest.json"
    }
    (args.out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    manifest = with_atlas(args.out, args.seed, args.atlas_iterations, started)
    write_report(args.reports, manifest)

    tables = [("", metrics), *((f" {k}", metrics[k]) for k in ("whole_list", "recent"))]
    tables += [(f" {era}", v) for era, v in metrics["eras"].items()]
    for title, section in tables:
        print(f"\n{title:12}" + "".join(f"{m:>11}" for m in METRICS)
              + f"   ({section['users']} test users)")  # fmt: skip
        for name in scorers if section["users"] else ():
            print(f"{name:12}" + "".join(f"{section[name][m]:>11.4f}" for m in METRICS))
    model_bytes = sum(
        v["bytes"] for k, v in manifest["files"].items() if k == "model.json" or k.endswith(".bin")
    )
    print(
        f"{args.model}, quantization {chosen}: {model_bytes} model bytes; fit "
        f"{fit_seconds:.0f} s, atlas {manifest['atlas']['seconds']} s, "
        f"{manifest['training']['total_seconds']} s in all"
    )
    return 0


def with_atlas(out: Path, seed: int, iterations: int, started: float) -> dict[str, Any]:
    """Lay out the exported model's catalog map (converter/atlas.py, which lists its files and
    seconds in the manifest), then count it in the manifest's total seconds."""
    from .atlas import build_atlas

    build_atlas(out, seed, iterations)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["training"]["total_seconds"] = round(time.time() - started, 1)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


def export_variants(rec: KerasRecommender) -> dict[str, Callable[[Path], list[Path]]]:
    """The encodings to export, measure and choose from (each writes a model folder): uint8
    and float16 of the Keras net, or a tied model's own one."""
    from . import export

    parts = getattr(rec, "parts", None)
    if parts is not None:
        return {"tied": lambda out: export.export_tied(parts, out)}
    return {d: partial(export.export_tfjs, rec.net, quantization=d) for d in ("uint8", "float16")}


def make_recommender(args: argparse.Namespace, catalog: Catalog) -> KerasRecommender:
    """The `--model` kind with its command-line hyperparameters (dlae-tied reads the catalog's
    franchise groups)."""
    from .dlae import DlaeHyper, DlaeLowRank
    from .lowrank import EaseLowRank, LowRankHyper
    from .model import Hyper, MultDae
    from .side_info import franchise_groups
    from .tied import DlaeTied, TiedHyper

    rank = args.rank or RANKS.get(args.model, 0)
    low_rank = {"rank": rank, "lam": args.lowrank_lambda, "iterations": args.iterations,
                "seed": args.seed, "levels": args.grid_levels}  # fmt: skip
    if args.model == "ease-lowrank":
        return EaseLowRank(LowRankHyper(**low_rank))
    if args.model == "dlae-lowrank":
        return DlaeLowRank(DlaeHyper(**low_rank, drop=args.dlae_dropout))
    if args.model == "dlae-tied":
        given = {"rank": rank, "lam": args.lowrank_lambda, "drop": args.dlae_dropout,
                 "levels": args.grid_levels or None, "residual": args.residual,
                 "seed": args.seed, "franchise": args.franchise_weight}  # fmt: skip
        hyper = TiedHyper(**{k: v for k, v in given.items() if v is not None})
        return DlaeTied(hyper, franchise_groups(catalog))
    hidden = tuple(int(w) for w in args.hidden.split(","))
    return MultDae(
        Hyper(hidden, args.dropout, args.l2, args.lr, args.batch, args.epochs, args.seed)
    )


def write_report(reports: Path, manifest: dict[str, Any]) -> None:
    """The loss / validation curve PNG and the manifest minus file hashes, beside each other."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    reports.mkdir(parents=True, exist_ok=True)
    hist = manifest["training"]["history"]
    steps = [h["step"] for h in hist]
    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=80)
    ax.plot(steps, [h["loss"] for h in hist], color="tab:blue")
    step = manifest["training"].get("history_step", "training step")
    ax.set_xlabel(f"{manifest['architecture']['kind']}: {step}")
    ax.set_ylabel("training loss", color="tab:blue")
    ax2 = ax.twinx()
    ax2.plot(steps, [h["val_ndcg@100"] for h in hist], color="tab:orange")
    ax2.axhline(manifest["validation"]["ease"]["ndcg@100"], color="tab:orange", ls=":", lw=1)
    ax2.set_ylabel("validation NDCG@100 (dotted: EASE)", color="tab:orange")
    fig.tight_layout()
    fig.savefig(reports / "training.png")
    plt.close(fig)
    report = {k: v for k, v in manifest.items() if k != "files"}
    (reports / "training.json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
