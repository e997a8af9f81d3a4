"""DLAE with the catalog's side information in its Gram matrix (issue 12, validation only).
The franchise family ships (`converter/side_info.py`); this script weighs it and the others.

Collective EASE (Jeunen, Van Balen & Goethals, 2020) stacks item features under the rating
matrix as pseudo-users: a franchise, a genre or an airing season "watched" all its titles, so
G = XᵀX + Σ_f w_f·T_fᵀ·T_f. The closed form and the shipped tied factorization stay as they
are (B is still item × item); only the Gram matrix they start from changes, so a gain would
cost the page nothing. Titles with few co-occurrences (the recent ones a 2025 visitor misses)
are the ones side information could lift.

Each spec is comma-separated FAMILY=WEIGHT over `FAMILIES`, plus `norm=E`: a pseudo-user of
k titles enters with weight w·k^−E (E = 0: w for every pair in it; 1: w/k); `ease=1` fits EASE
(λ = 100) on that Gram matrix in place of DLAE (does EASE gain as much from it?).

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.side_info \
        franchise=5 franchise=20,norm=0.5 genre=2,norm=1
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from animerec.catalog import Catalog, Item

from converter import side_info
from converter.experiments import ease_variants as ev

FAMILIES: dict[str, Callable[[Item], list[str]]] = {
    "franchise": lambda i: [] if i.franchise is None else [str(i.franchise)],
    "genre": lambda i: list(i.genres),
    "season": lambda i: [] if i.year is None else [f"{i.year}-{i.season}"],
    "year": lambda i: [] if i.year is None else [str(i.year)],
    "type": lambda i: [] if i.type is None else [i.type],
}


def side_gram(catalog: Catalog, weights: dict[str, float], norm: float) -> np.ndarray:
    """Σ_f w_f·T_fᵀ·T_f over the families with a weight, each pseudo-user scaled by k^−norm."""
    s = np.zeros((len(catalog), len(catalog)))
    for family, weight in weights.items():
        members: dict[str, list[int]] = defaultdict(list)
        for item in catalog:
            for key in FAMILIES[family](item):
                members[key].append(item.index)
        groups = [g for g in members.values() if len(g) > 1]
        s += side_info.pseudo_user_gram(len(catalog), groups, weight, norm)
    return s


def parse(text: str) -> tuple[dict[str, float], float, ev.Spec]:
    """(family weights, norm, the closed form to fit: DLAE, or EASE with `ease=1`)."""
    values = {k: float(v) for k, v in (kv.split("=") for kv in text.split(",") if kv)}
    norm = values.pop("norm", 0.0)
    model = ev.Spec() if values.pop("ease", 0.0) else ev.DLAE
    unknown = set(values) - set(FAMILIES)
    if unknown:
        raise SystemExit(f"unknown families {sorted(unknown)}; known: {sorted(FAMILIES)}")
    return values, norm, model


def main() -> int:
    args = ev.spec_parser().parse_args()
    train, _, val, catalog = ev.load_split(args.data, args.seed)
    g, ref = ev.reference(train, val)
    for text in ["franchise=0", *args.specs]:
        weights, norm, model = parse(text)
        b = ev.item_item(g + side_gram(catalog, weights, norm), model).astype(np.float32)
        nd = ev.per_user_ndcg(lambda x, b=b: x @ b, val)
        print(f"{text:32} {ev.compared(nd, ref, val)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
