"""`build.py atlas`: the catalog map. Every title the model scores gets a 2-D position from the
model's own item vectors (the rows of its first Dense layer's kernel, read from the exported
TF.js files), laid out by openTSNE (seeded: the same model gives the same file), and regions of
the map are labelled by their dominant genres.

Writes into the model folder, and lists in its manifest's `files`:
- `atlas.bin`: int16 little-endian x, y per catalog index (4 bytes a title);
- `atlas.json`: the format, the coordinate extent, the layout's parameters and the region
  labels at two zoom levels ({x, y, text, level} in the same int16 units).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FORMAT = "animerec-atlas/1"
POSITIONS, META = "atlas.bin", "atlas.json"
EXTENT = 32000  # the layout is scaled into ±EXTENT (int16, with a margin)
PERPLEXITY = 30
ITERATIONS = 750  # openTSNE's: the first third with early exaggeration, then the rest
SEED = 0
LEVELS = (12, 48)  # regions per label level: the zoomed-out map, then the zoomed-in one
LABEL_GENRES = 2  # genres a region label names
MIN_SHARE = 0.25  # a genre names a region only if at least this share of its titles has it
BYTES = {"uint8": 1, "uint16": 2, "float16": 2, "float32": 4, "int32": 4}


class AtlasError(ValueError):
    """The model folder cannot give item vectors; the message says why."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--model",
        type=Path,
        default=ROOT / "models" / "default",
        help="model folder (model.json + shards, catalog.json, manifest.json)",
    )
    parser.add_argument("--seed", type=int, default=SEED, help="the layout's random seed")


def main(args: argparse.Namespace) -> int:
    try:
        seconds = build_atlas(args.model, args.seed)
    except AtlasError as err:
        print(f"[atlas] error: {err}", file=sys.stderr)
        return 1
    print(f"[atlas] {args.model / POSITIONS}, {args.model / META}: {seconds:.1f} s")
    return 0


def build_atlas(model_dir: Path, seed: int = SEED, iterations: int = ITERATIONS) -> float:
    """Lay out `model_dir`'s items (t-SNE for `iterations`), write the atlas files and list them
    (and the seconds this took) in its manifest; returns those seconds."""
    from animerec.catalog import Catalog

    from .files import file_entry

    started = time.perf_counter()
    vectors = item_vectors(model_dir)
    catalog = Catalog.from_json(json.loads((model_dir / "catalog.json").read_text("utf-8")))
    genres = [list(item.genres) for item in catalog]
    if len(genres) != len(vectors):
        raise AtlasError(
            f"the model has {len(vectors)} item vectors, the catalog "
            f"{len(genres)} titles: export them together"
        )
    xy = quantized(layout(vectors, seed, iterations=iterations))
    (model_dir / POSITIONS).write_bytes(xy.astype("<i2").tobytes())
    meta = {
        "format": FORMAT,
        "n_items": len(xy),
        "positions": POSITIONS,
        "encoding": "int16 little-endian x, y per catalog index",
        "extent": EXTENT,
        "method": {
            "library": "openTSNE",
            "metric": "cosine",
            "perplexity": PERPLEXITY,
            "seed": seed,
            "vectors": "rows of the first Dense layer's kernel",
        },
        "labels": [label for k in LEVELS for label in region_labels(xy, genres, k, seed)],
    }
    (model_dir / META).write_text(
        json.dumps(meta, ensure_ascii=False, separators=(",", ":")), encoding="utf-8"
    )
    seconds = round(time.perf_counter() - started, 1)
    manifest_path = model_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["atlas"] = {"meta": META, "positions": POSITIONS, "seconds": seconds}
    files = manifest.setdefault("files", {})
    for name in (POSITIONS, META):
        files[name] = file_entry(model_dir / name)
    manifest["files"] = dict(sorted(files.items()))
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")
    return seconds


def item_vectors(model_dir: Path) -> np.ndarray:
    """The kernel of the model's first layer with weights (n_items × units), dequantized as
    TF.js does; that layer must be Dense (layers without weights before it, e.g. the Mult-DAE's
    normalization and dropout, are passed over)."""
    from .export import expand, read_tied

    topology = json.loads((model_dir / "model.json").read_text())
    layers = topology["modelTopology"]["model_config"]["config"]["layers"]
    tied = read_tied(model_dir)
    if tied is not None:  # one shipped factor, expanded into the kernels as the page does
        names = (topology["tied"]["factor"], topology["tied"]["output"])
        weights = dict(zip(names, expand(tied), strict=True))
    else:
        weights = read_weights(model_dir, topology["weightsManifest"])
    owners = {name.split("/")[0] for name in weights}
    first = next((layer for layer in layers if layer["config"]["name"] in owners), None)
    if first is None or first["class_name"] != "Dense":
        kind = first["class_name"] if first else "no layer with weights"
        raise AtlasError(
            f"the model's first layer with weights is {kind}, not Dense: the atlas needs one "
            "item vector per input title (a Dense kernel's rows)"
        )
    kernel = weights.get(f"{first['config']['name']}/kernel")
    if kernel is None or kernel.ndim != 2:
        raise AtlasError(
            f"model.json's weightsManifest has no 2-D kernel for {first['config']['name']}"
        )
    return kernel


def read_weights(model_dir: Path, manifest: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Every weight of a TF.js weightsManifest by name, as float32 (uint8/uint16 quantized
    weights are min + scale·q; float16 ones are widened)."""
    out = {}
    for group in manifest:
        data = b"".join((model_dir / path).read_bytes() for path in group["paths"])
        at = 0
        for spec in group["weights"]:
            quant = spec.get("quantization")
            dtype = quant["dtype"] if quant else spec["dtype"]
            count = math.prod(spec["shape"])
            raw = np.frombuffer(data, np.dtype(dtype).newbyteorder("<"), count, at)
            at += count * BYTES[dtype]
            values = raw.astype(np.float32)
            if quant and "scale" in quant:
                values = np.float32(quant["min"]) + np.float32(quant["scale"]) * values
            out[spec["name"]] = values.reshape(spec["shape"])
    return out


def layout(
    vectors: np.ndarray,
    seed: int,
    perplexity: float = PERPLEXITY,
    exaggeration: float | None = None,
    metric: str = "cosine",
    iterations: int = ITERATIONS,
) -> np.ndarray:
    """openTSNE's 2-D embedding of `vectors` (under cosine distance by default), PCA-initialized,
    in `iterations` steps; `exaggeration` (None: 1) holds the clusters tighter after the early
    phase."""
    from openTSNE import TSNE

    tsne = TSNE(
        n_components=2,
        perplexity=perplexity,
        exaggeration=exaggeration,
        early_exaggeration_iter=iterations // 3,
        n_iter=iterations - iterations // 3,
        metric=metric,
        initialization="pca",
        random_state=seed,
        n_jobs=2,
        verbose=False,
    )
    return np.asarray(tsne.fit(vectors.astype(np.float64)))


def quantized(xy: np.ndarray) -> np.ndarray:
    """`xy` centred and scaled into ±EXTENT as int16, keeping its aspect ratio."""
    centred = xy - (xy.max(axis=0) + xy.min(axis=0)) / 2
    scale = EXTENT / max(float(np.abs(centred).max()), 1e-9)
    return np.rint(centred * scale).astype(np.int16)


def region_labels(
    xy: np.ndarray, genres: list[list[str]], k: int, seed: int
) -> list[dict[str, Any]]:
    """k regions (k-means on the layout), each labelled at its median point by the genres most
    over-represented among its titles (highest lift over the catalog, of those that at least
    MIN_SHARE of its titles have). A label never mixes adult genres (ADULT_GENRES) with others,
    so the page can hide adult labels with the adult titles and keep the rest: a region whose
    titles are mostly adult is named by adult genres only, any other by the genres of its other
    titles."""
    from animerec.catalog import ADULT_GENRES
    from sklearn.cluster import KMeans

    regions = KMeans(n_clusters=k, n_init=4, random_state=seed).fit(xy.astype(np.float64))
    names = sorted({g for gs in genres for g in gs})
    has = np.array([[g in set(gs) for g in names] for gs in genres], dtype=np.float64)
    overall = has.mean(axis=0) + 1e-9
    adult_genre = np.array([g in ADULT_GENRES for g in names])
    adult = has[:, adult_genre].any(axis=1)
    level = LEVELS.index(k)
    labels = []
    for region in range(k):
        members = regions.labels_ == region
        kind = bool(adult[members].mean() > 0.5)
        share = has[members & (adult == kind)].mean(axis=0)
        allowed = (share >= MIN_SHARE) & (adult_genre == kind)
        lift = np.where(allowed, np.log(share / overall + 1e-9), -np.inf)
        top = [names[g] for g in np.argsort(-lift)[:LABEL_GENRES] if lift[g] > 0]
        if not top:
            continue
        x, y = np.median(xy[members], axis=0)
        labels.append(
            {
                "x": int(x),
                "y": int(y),
                "text": " · ".join(top),
                "level": level,
                "titles": int(members.sum()),
            }
        )
    return labels
