"""Which layout of the catalog map shows neighbourhoods (issue 24)? Lays out the model's own item
vectors (as `build.py atlas` reads them) by each spec and prints, per layout, over each title's
10 nearest titles on the map: the share in its franchise (titles of a franchise with at least 2
catalog titles), the share with its main genre, and scikit-learn's trustworthiness (cosine
distance between the vectors, every title); the first line gives the same shares among each
title's 10 nearest vectors (cosine), the map's ceiling.

    PYTHONPATH=py .venv/bin/python -m converter.experiments.atlas_layouts \\
        method=committed perplexity=50,exaggeration=2 method=umap,neighbours=30

Each spec is comma-separated key=value over the fields of `Spec`; method=umap needs umap-learn,
which the project does not install (`.venv/bin/python -m pip install umap-learn`, 0.5.12 here).
A title's main genre is the colour the page gives it by genre: its least common genre among the
catalog's 11 most common (web/py/atlas_view.py); titles with none of them are left out of that
share. `--png DIR` draws each layout, coloured so.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
from animerec.catalog import Catalog

from converter import atlas

NEIGHBOURS = 10
GENRE_COLOURS = 11


@dataclass(frozen=True)
class Spec:
    method: str = "tsne"  # tsne, umap, or committed (the model folder's atlas.bin)
    perplexity: float = atlas.PERPLEXITY  # t-SNE
    exaggeration: float = 1.0  # t-SNE, after the early phase
    metric: str = "cosine"  # cosine, euclidean, or normalised (euclidean on L2-normalised rows)
    neighbours: int = 15  # UMAP
    min_dist: float = 0.1  # UMAP


def parse(text: str) -> Spec:
    kinds = {f.name: f.type for f in fields(Spec)}
    cast = {"str": str, "int": int, "float": float}
    values = dict(kv.split("=") for kv in text.split(",") if kv)
    return Spec(**{k: cast[kinds[k]](v) for k, v in values.items()})


def text(spec: Spec) -> str:
    """The spec's fields that differ from the defaults, as `parse` reads them."""
    default = Spec()
    return ",".join(f"{f.name}={getattr(spec, f.name)}" for f in fields(Spec)
                    if getattr(spec, f.name) != getattr(default, f.name)) or "default"  # fmt: skip


def groups(catalog: Catalog) -> tuple[np.ndarray, np.ndarray]:
    """Per title: its franchise's id where the franchise has ≥ 2 catalog titles, and its main
    genre's number; -1 where there is none."""
    sizes = Counter(item.franchise for item in catalog)
    franchise = [
        item.franchise if item.franchise is not None and sizes[item.franchise] >= 2 else -1
        for item in catalog
    ]
    counts = Counter(g for item in catalog for g in item.genres)
    coloured = [g for g, _ in counts.most_common(GENRE_COLOURS)]
    main = [
        min((coloured.index(g) for g in item.genres if g in coloured),
            key=lambda c: counts[coloured[c]], default=-1)
        for item in catalog
    ]  # fmt: skip
    return np.array(franchise), np.array(main)


def vector_neighbours(vectors: np.ndarray) -> np.ndarray:
    """Each row's NEIGHBOURS nearest other rows by cosine similarity."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    return np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]


def map_neighbours(xy: np.ndarray) -> np.ndarray:
    """Each point's NEIGHBOURS nearest other points on the map."""
    from sklearn.neighbors import NearestNeighbors

    return NearestNeighbors(n_neighbors=NEIGHBOURS).fit(xy).kneighbors(return_distance=False)


def share(neighbours: np.ndarray, group: np.ndarray) -> float:
    """Mean share of a title's neighbours in its group, over the titles with a group."""
    has = group >= 0
    return float((group[neighbours[has]] == group[has, None]).mean())


def laid_out(spec: Spec, vectors: np.ndarray, model_dir: Path, seed: int) -> np.ndarray:
    if spec.method == "committed":
        return np.frombuffer((model_dir / atlas.POSITIONS).read_bytes(), "<i2").reshape(-1, 2)
    rows = vectors.astype(np.float64)
    metric = spec.metric
    if metric == "normalised":
        rows, metric = rows / np.linalg.norm(rows, axis=1, keepdims=True), "euclidean"
    if spec.method == "umap":
        from umap import UMAP

        umap = UMAP(n_neighbors=spec.neighbours, min_dist=spec.min_dist, metric=metric,
                    random_state=seed)  # fmt: skip
        return atlas.quantized(umap.fit_transform(rows))
    return atlas.quantized(atlas.layout(rows, seed, spec.perplexity, spec.exaggeration, metric))


def plot(xy: np.ndarray, genre: np.ndarray, path: Path) -> None:
    """The layout as a scatter plot, coloured by main genre (grey: none)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 8), dpi=100)
    ax.scatter(*xy.T, s=2, c=np.where(genre >= 0, genre, GENRE_COLOURS), cmap="tab20",
               vmin=0, vmax=19, linewidths=0)  # fmt: skip
    ax.set_axis_off()
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)


def main() -> int:
    from sklearn.manifold import trustworthiness

    parser = argparse.ArgumentParser()
    parser.add_argument("specs", nargs="+", type=parse)
    parser.add_argument("--model", type=Path, default=atlas.ROOT / "models" / "default")
    parser.add_argument("--seed", type=int, default=atlas.SEED)
    parser.add_argument("--png", type=Path, help="folder for a scatter plot of each layout")
    args = parser.parse_args()
    vectors = atlas.item_vectors(args.model)
    catalog = Catalog.from_json(json.loads((args.model / "catalog.json").read_text("utf-8")))
    franchise, genre = groups(catalog)
    near = vector_neighbours(vectors)
    print(f"{len(vectors)} titles, {int((franchise >= 0).sum())} in a franchise of ≥ 2, "
          f"{int((genre >= 0).sum())} with a main genre", flush=True)  # fmt: skip
    print(f"vectors (cosine): franchise {share(near, franchise):.3f}, "
          f"main genre {share(near, genre):.3f}", flush=True)  # fmt: skip
    for spec in args.specs:
        started = time.process_time()
        xy = laid_out(spec, vectors, args.model, args.seed).astype(np.float64)
        cpu = time.process_time() - started
        on_map = map_neighbours(xy)
        trust = trustworthiness(vectors, xy, n_neighbors=NEIGHBOURS, metric="cosine")
        print(f"{text(spec)}: franchise {share(on_map, franchise):.3f}, main genre "
              f"{share(on_map, genre):.3f}, trustworthiness {trust:.3f}, CPU {cpu:.0f} s",
              flush=True)  # fmt: skip
        if args.png:
            plot(xy, genre, args.png / f"{text(spec)}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
