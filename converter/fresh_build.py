"""The fresh titles' file (`fresh.json`, read by `animerec.fresh.FreshModel`): for every
recognized title the model does not score, its content neighbours among the model's titles, its
franchise's scored titles, and a bias from its own popularity.

Content (metadata-2026.csv, else the catalog's genres and type): studios, source, genres,
themes, demographic, type, age rating and five-year era, as tokens weighted by inverse document
frequency (studios and source counted twice: they say most about a new title's audience). A
fresh title's neighbours are the `neighbours` scored titles of highest cosine, weighted by
cosine^`sharpness`. Nothing here reads ratings: the file follows from the catalogs and the
metadata alone, so a new season's metadata is scored after one `build.py train` (or
`build.py fresh`, which rebuilds only this file and the recognized catalog's metadata).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from animerec.catalog import Catalog, Item
from animerec.fresh import (
    BIAS_SCALE,
    FRESH_FILE,
    FRESH_FORMAT,
    KINDS,
    RETENTION_SCALE,
    TASTE_SHRINK,
    WEIGHT_CODES,
    size_spread_cap,
)
from animerec.ranking import POPULARITY_FLOOR

from .catalog_build import METADATA

SEASONAL = "anilist-seasonal-2026.csv"
KIND_WEIGHT = {"studio": 2.0, "source": 2.0}  # token weight × IDF; other kinds 1
MAX_FRANCHISE = 8  # scored titles of a fresh title's franchise that the file lists
MIN_MEMBERS = 2000  # older fresh titles with fewer MyAnimeList members are left out (bytes)
TASTE_KINDS = ("type", "era", "genres")  # the tokens of the taste term
ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class FreshHyper:
    """K and sharpness chosen on a grid, the term weights fitted on training users (a listwise
    softmax), the offset calibrated on validation users, with the titles of 2022 and of 2023
    made cold (converter/experiments/{cold_start,fresh_blend}.py; RESULTS.md, "New titles")."""

    neighbours: int = 4  # content neighbours per fresh title
    sharpness: float = 1.0  # neighbour weight = cosine ** sharpness
    near: float = 0.273  # weight of the neighbours' logits (those not on the list)
    direct: float = 2.667  # weight of Σ s·x over the list's neighbours
    franchise: float = 1.06  # weight of the best franchise title on the list
    unstarted: float = -0.446  # weight of "a later title of a franchise not on the list"
    retention: float = 0.328  # weight of its ln members less its listed franchise title's (max)
    taste: float = 7.369  # weight of the visitor's taste for the title's type, era and genres
    taste_size: float = -4.054  # weight of (taste − taste_centre) × (ln list length − size_centre)
    popularity: float = 0.88  # weight of own log-members
    neighbour_popularity: float = 0.295  # weight (subtracted) of the neighbours' log-members
    popularity_squared: float = 0.211  # weight of (own log-members − popularity_centre)²
    taste_centre: float = 0.1  # the centres: about the training users' means
    size_centre: float = 5.2
    popularity_centre: float = 12.0
    offset: float = -8.1  # onto the logits the model gives such titles once it has ratings
    since_year: int = 2023  # the shelf's default start year


def read_metadata(data_dir: Path) -> dict[int, dict[str, str]]:
    """Content rows by MyAnimeList id: metadata-2026.csv, and for titles it lacks
    anilist-seasonal-2026.csv's studios, source and genres (either file may be absent)."""
    cat = Path(data_dir) / "catalog"
    out = {int(r["mal_id"]): r for r in _rows(cat / METADATA) if r["mal_id"].isdigit()}
    for r in _rows(cat / SEASONAL):
        mal_id = (r.get("mal_id") or "").removesuffix(".0")
        if mal_id.isdigit() and int(mal_id) not in out:
            out[int(mal_id)] = {
                "studios": r.get("main_studios") or "", "source": r.get("source") or "",
                "genres": r.get("genres") or "", "themes": "", "demographics": "",
                "age_rating": "", "year": r.get("season_year") or "",
            }  # fmt: skip
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def tokens(item: Item, row: dict[str, str] | None) -> list[tuple[str, str]]:
    """(kind, token) pairs of one title's content."""

    def split(text: str) -> list[str]:
        """Names of a ";" list, folded so AniList's LIGHT_NOVEL meets MyAnimeList's Light novel."""
        names = (t.strip().casefold().replace("_", " ") for t in (text or "").split(";"))
        return [t for t in names if t and t not in ("unknown", "other")]

    out = [("type", item.type or "")] if item.type else []
    year = item.year or _int((row or {}).get("year"))
    if year:
        out.append(("era", str(year // 5)))
    if row is None:
        return out + [("genres", g.casefold()) for g in item.genres]
    out += [("studio", s) for s in split(row["studios"])]
    out += [("source", s) for s in split(row["source"])]
    out += [("genres", g) for g in split(row["genres"])]
    out += [("themes", t) for t in split(row["themes"])]
    out += [("demographic", d) for d in split(row["demographics"])]
    out += [("age", a) for a in split(row["age_rating"])]
    return out


def content_matrix(
    items: Sequence[Item], metadata: dict[int, dict[str, str]]
) -> tuple[sp.csr_matrix, list[dict[str, set[str]]]]:
    """Rows of L2-normalized IDF-weighted tokens for `items`, and each item's tokens by kind."""
    kinds = [defaultdict(set) for _ in items]
    for k, item in zip(kinds, items, strict=True):
        for kind, token in tokens(item, metadata.get(item.mal_id)):
            k[kind].add(token)
    vocab: dict[tuple[str, str], int] = {}
    rows, cols = [], []
    for r, k in enumerate(kinds):
        for kind, toks in k.items():
            for t in toks:
                rows.append(r)
                cols.append(vocab.setdefault((kind, t), len(vocab)))
    df = np.bincount(cols, minlength=len(vocab))
    idf = np.log(len(items) / np.maximum(df, 1)) + 1.0
    weight = np.array([KIND_WEIGHT.get(kind, 1.0) for kind, _ in vocab]) * idf
    m = sp.csr_matrix((weight[cols], (rows, cols)), shape=(len(items), len(vocab)))
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    return sp.diags(1.0 / np.maximum(norms, 1e-12)) @ m, kinds


def neighbours(
    fresh: sp.csr_matrix, warm: sp.csr_matrix, k: int, chunk: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """(indices, cosines) [n_fresh, k] of each fresh row's k nearest warm rows, best first."""
    idx, sim = [], []
    for lo in range(0, fresh.shape[0], chunk):
        s = (fresh[lo : lo + chunk] @ warm.T).toarray()
        top = np.argpartition(-s, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(s, top, axis=1), axis=1, kind="stable")
        top = np.take_along_axis(top, order, axis=1)
        idx.append(top)
        sim.append(np.take_along_axis(s, top, axis=1))
    return np.concatenate(idx), np.concatenate(sim)


def shared_bits(a: dict[str, set[str]], b: dict[str, set[str]]) -> int:
    """Which of animerec.fresh.KINDS two titles share (bit i: KINDS[i])."""
    return sum(1 << i for i, kind in enumerate(KINDS) if a.get(kind, set()) & b.get(kind, set()))


@dataclass
class Neighbourhood:
    """The fresh titles' content neighbours among the scored ones, before weights are chosen."""

    fresh: list[Item]
    index: np.ndarray  # [n_fresh, k] warm indices
    cosine: np.ndarray  # [n_fresh, k]
    shared: np.ndarray  # [n_fresh, k] shared_bits
    franchise: list[list[int]]  # warm indices of each fresh title's franchise
    log_pop: np.ndarray  # [n_fresh]
    warm_log_pop: np.ndarray  # [n_warm]
    taste_warm: sp.csr_matrix  # [n_warm, tokens] binary TASTE_KINDS (rows of `exclude`: 0)
    taste_fresh: sp.csr_matrix  # [n_fresh, tokens]


def neighbourhood(
    warm: Catalog,
    fresh: Sequence[Item],
    metadata: dict[int, dict[str, str]],
    k: int,
    exclude: Collection[int] = (),
) -> Neighbourhood:
    """Content neighbours of `fresh` titles among the `warm` (scored) catalog's titles but the
    indices `exclude` (the cold-start measurement hides its cold titles so)."""
    exclude = set(exclude)
    both = list(warm) + list(fresh)
    m, kinds = content_matrix(both, metadata)
    n = len(warm)
    k = min(k, n)
    keep = np.ones(n)
    keep[list(exclude)] = 0.0
    index, cosine = neighbours(m[n:], sp.diags(keep) @ m[:n], k)
    shared = np.array(
        [[shared_bits(kinds[n + j], kinds[w]) for w in row] for j, row in enumerate(index)],
        np.int64,
    ).reshape(index.shape)
    by_franchise: dict[int, list[int]] = defaultdict(list)
    for item in warm:
        if item.franchise is not None and item.index not in exclude:
            by_franchise[item.franchise].append(item.index)
    franchise = [
        sorted(by_franchise.get(i.franchise, []), key=lambda w: -warm[w].popularity)[:MAX_FRANCHISE]
        if i.franchise is not None
        else []
        for i in fresh
    ]
    taste = taste_tokens(kinds)
    return Neighbourhood(
        list(fresh), index, cosine, shared, franchise,
        log_pop(i.popularity for i in fresh), log_pop(i.popularity for i in warm),
        sp.diags(keep) @ taste[:n], taste[n:],
    )  # fmt: skip


def taste_tokens(
    kinds: list[dict[str, set[str]]], use: tuple[str, ...] = TASTE_KINDS
) -> sp.csr_matrix:
    """Binary [titles, tokens] of the tokens of the kinds `use` (sorted vocabulary)."""
    pairs = [[(k, t) for k in use for t in sorted(d.get(k, ()))] for d in kinds]
    vocab = {p: v for v, p in enumerate(sorted({p for row in pairs for p in row}))}
    rows = [r for r, row in enumerate(pairs) for _ in row]
    cols = [vocab[p] for row in pairs for p in row]
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(kinds), len(vocab)))


def taste(hood: Neighbourhood, logits: np.ndarray) -> np.ndarray:
    """[batch, n_fresh]: the mean over a fresh title's tokens of the visitor's taste per token,
    the sum of the centred logits of the model titles with that token over their number +
    TASTE_SHRINK (`animerec.fresh.FreshModel.token_taste` on the page)."""
    on = np.asarray(hood.taste_warm.sum(axis=1)).ravel() > 0
    centred = (logits - logits[:, on].mean(axis=1, keepdims=True)) * on
    count = np.asarray(hood.taste_warm.sum(axis=0)).ravel()
    h = np.asarray(hood.taste_warm.T @ centred.T).T / (count + TASTE_SHRINK)
    size = np.maximum(np.asarray(hood.taste_fresh.sum(axis=1)).ravel(), 1.0)
    return np.asarray(hood.taste_fresh @ h.T).T / size


def log_pop(members: Iterable[int]) -> np.ndarray:
    return np.log(np.maximum(np.fromiter(members, np.float64), POPULARITY_FLOOR))


FEATURES = ("near", "direct", "franchise", "unstarted", "taste", "taste_size", "retention")


def weights(hood: Neighbourhood, hp: FreshHyper) -> tuple[np.ndarray, np.ndarray]:
    """(neighbour weight codes, 1…WEIGHT_CODES of each title's largest; biases in hundredths
    of a logit) under `hp`: what the file ships."""
    w = np.maximum(hood.cosine, 1e-6) ** hp.sharpness
    codes = np.maximum(1, np.round(w / w.max(axis=1, keepdims=True) * WEIGHT_CODES))
    near_pop = (codes * hood.warm_log_pop[hood.index]).sum(axis=1) / codes.sum(axis=1)
    bias = hp.popularity * hood.log_pop - hp.neighbour_popularity * near_pop + hp.offset
    bias += hp.popularity_squared * (hood.log_pop - hp.popularity_centre) ** 2
    return codes.astype(np.int64), np.round(bias * BIAS_SCALE).astype(np.int64)


def features(hood: Neighbourhood, hp: FreshHyper, x: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """[len(FEATURES), batch, n_fresh]: the terms of `animerec.fresh.FreshModel.scores` before
    their weights, vectorized (the converter's measurement and fit)."""
    codes, _ = weights(hood, hp)
    w = codes / codes.sum(axis=1, keepdims=True)
    xs, ls = x[:, hood.index], logits[:, hood.index]  # [batch, n_fresh, k]
    off = xs == 0
    mass = (w * off).sum(axis=2)
    near = np.where(mass > 0, (w * off * ls).sum(axis=2) / np.maximum(mass, 1e-12), 0.0)
    mine = (w * xs).sum(axis=2)
    best, kept = np.zeros_like(mine), np.zeros_like(mine)
    for j, group in enumerate(hood.franchise):
        if group:
            group = sorted(group)  # as retention_codes lists them
            on = x[:, group] > 0
            best[:, j] = x[:, group].max(axis=1)
            gap = np.where(on, retention_codes(hood, j) / RETENTION_SCALE, np.inf).min(axis=1)
            kept[:, j] = np.where(on.any(axis=1), gap, 0.0)
    has_franchise = np.array([bool(g) for g in hood.franchise])
    unstarted = (has_franchise & (best == 0)).astype(np.float64)
    liking = taste(hood, logits)
    spread = np.log(np.maximum((x > 0).sum(axis=1), 1)) - hp.size_centre
    spread = np.minimum(spread, size_spread_cap(hp.taste, hp.taste_size))
    by_size = (liking - hp.taste_centre) * spread[:, None]
    return np.stack([near, mine, best, unstarted, liking, by_size, kept])


def retention_codes(hood: Neighbourhood, j: int) -> np.ndarray:
    """Fresh title `j`'s ln members less each of its franchise's model titles' (sorted by
    index, as the file lists them), in steps of 1/RETENTION_SCALE."""
    group = sorted(hood.franchise[j])
    return np.round((hood.log_pop[j] - hood.warm_log_pop[group]) * RETENTION_SCALE)


def scores(hood: Neighbourhood, hp: FreshHyper, x: np.ndarray, logits: np.ndarray) -> np.ndarray:
    """[batch, n_fresh] scores of `animerec.fresh.FreshModel.scores`, vectorized (a test holds
    the two equal)."""
    _, bias = weights(hood, hp)
    w = np.array([getattr(hp, f) for f in FEATURES])
    return bias / BIAS_SCALE + np.tensordot(w, features(hood, hp, x, logits), axes=1)


def to_json(hood: Neighbourhood, hp: FreshHyper, n_items: int) -> dict[str, Any]:
    """The file `animerec.fresh.FreshModel` reads: per title sorted neighbour indices as gaps,
    weights as codes of the title's largest, shared-kind bits; biases in hundredths."""
    w, bias = weights(hood, hp)
    gaps, codes, shared, fgaps, fkept = [], [], [], [], []
    for j in range(len(hood.fresh)):
        order = np.argsort(hood.index[j], kind="stable")
        gaps += np.diff(hood.index[j][order], prepend=0).tolist()
        codes += w[j][order].tolist()
        shared += hood.shared[j][order].tolist()
        fgaps += np.diff(sorted(hood.franchise[j]), prepend=0).astype(int).tolist()
        fkept += retention_codes(hood, j).astype(int).tolist()
    return {
        "format": FRESH_FORMAT,
        "since_year": hp.since_year,
        "n_items": n_items,
        "weights": {f: getattr(hp, f) for f in FEATURES},
        "centres": {"taste": hp.taste_centre, "size": hp.size_centre},
        "hyper": asdict(hp),
        "titles": {
            "mal_id_gaps": np.diff([i.mal_id for i in hood.fresh], prepend=0).tolist(),
            "year": [i.year for i in hood.fresh],
            "bias": bias.tolist(),
            "neighbours": [hood.index.shape[1]] * len(hood.fresh),
            "franchise": [len(g) for g in hood.franchise],
        },
        "neighbour_gaps": gaps,
        "neighbour_weight": codes,
        "neighbour_shared": shared,
        "franchise_gaps": fgaps,
        "franchise_retention": fkept,
        "taste": {"model": _token_runs(hood.taste_warm), "fresh": _token_runs(hood.taste_fresh)},
    }


def _token_runs(m: sp.csr_matrix) -> dict[str, list[int]]:
    """Each row's token ids as a count and gaps (the first from 0)."""
    m = m.tocsr()
    m.eliminate_zeros()
    m.sort_indices()
    gaps = [np.diff(m.indices[a:b], prepend=0) for a, b in itertools.pairwise(m.indptr)]
    return {"counts": np.diff(m.indptr).tolist(), "gaps": np.concatenate(gaps).tolist()}


def fresh_titles(extra: Iterable[Item], since_year: int) -> list[Item]:
    """The recognized titles the file scores: those that started a year before `since_year`
    or later (announced ones included), and older ones with MIN_MEMBERS members or more."""
    chosen = (i for i in extra if i.popularity >= MIN_MEMBERS or (i.year or 0) >= since_year - 1)
    return sorted(chosen, key=lambda i: i.mal_id)


def build(
    warm: Catalog, extra: Catalog, data_dir: Path, out: Path, hp: FreshHyper | None = None
) -> Path:
    """Write `out/fresh.json` for the `fresh_titles` of `extra` (the recognized, unscored
    titles)."""
    hp = hp or FreshHyper()
    fresh = fresh_titles(extra, hp.since_year)
    hood = neighbourhood(warm, fresh, read_metadata(data_dir), hp.neighbours)
    path = Path(out) / FRESH_FILE
    obj = to_json(hood, hp, len(warm))
    path.write_text(json.dumps(obj, separators=(",", ":")), "utf-8")
    return path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument(
        "--data", type=Path, default=ROOT.parent / "shared" / "data", help="dir with catalog/"
    )


def main(args: argparse.Namespace) -> int:
    """`build.py fresh`: the deployer's refresh without training. Re-read the metadata for the
    model's own titles (same order) and every other known title, and rewrite catalog.json,
    catalog-extra.json and fresh.json with their sha256 in the manifest."""
    from animerec.catalog import EXTRA_FILE

    from .catalog_build import build_catalogs
    from .files import file_entry

    model = Path(args.model)
    scored = json.loads((model / "catalog.json").read_text(encoding="utf-8"))["items"]["mal_id"]
    warm, extra = build_catalogs(args.data, {}, 0, scored)
    write_catalogs(model, warm, extra)
    path = build(warm, extra, args.data, model)
    manifest_path = model / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["recognized_items"] = len(extra)
    files = manifest.setdefault("files", {})
    for name in ("catalog.json", EXTRA_FILE, FRESH_FILE):
        files[name] = file_entry(model / name)
    manifest["files"] = dict(sorted(files.items()))
    manifest_path.write_text(json.dumps(manifest, indent=1, ensure_ascii=False), "utf-8")
    fresh = json.loads(path.read_text(encoding="utf-8"))["titles"]["bias"]
    print(f"[fresh] {len(warm)} scored titles, {len(extra)} recognized, {len(fresh)} in {path}")
    return 0


def write_catalogs(out: Path, warm: Catalog, extra: Catalog) -> None:
    """catalog.json and catalog-extra.json of a model folder."""
    from animerec.catalog import EXTRA_FILE

    for name, part in (("catalog.json", warm), (EXTRA_FILE, extra)):
        (out / name).write_text(
            json.dumps(part.to_json(), ensure_ascii=False, separators=(",", ":")), "utf-8"
        )


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
