"""Shelf orders that `ShelfOrder`'s grid does not hold (RESULTS.md, "The shelf's places"), on
shelf_order.py's rows (its --rows, the 2025 file's folds of recent_folds.py's --cache):

- one comparable score: the fresh titles by their calibrated score, the model's by its logit,
  with or without ln members, and a floor of fresh titles at places 12, 16, 20 when fewer earn
  a place;
- the model titles' popularity weight varying with the list's length and its latest year;
- the measurement counting, in the page's and the popular list alike, only titles that started
  no later than the list's latest start year (what a list of its date could hold).

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.shelf_variants \
        --cache /tmp/recent_folds.pkl --rows /tmp/shelf_rows.pkl
"""

from __future__ import annotations

import argparse
import math
import pickle
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
from animerec.franchise import Titles
from animerec.fresh import SHELF_ORDER, ShelfOrder

from converter import recent, sections
from converter.experiments.shelf_order import keyed, shelf

Shelf = Callable[[dict, Titles], list[int]]
PLACES = (12, 16, 20)  # where the floor's fresh titles go


def comparable(order: ShelfOrder, floor: int = 0) -> Shelf:
    """`order` without slots: every title where its key puts it; then, if fewer than `floor`
    fresh titles made the shelf, the best others take the last of PLACES from model titles."""
    free = replace(order, fresh_every=0)

    def arranged(row: dict, titles: Titles) -> list[int]:
        ranked = free.arrange(keyed(row, free, titles), len(row["shelf"]))
        out, rest = ranked[: recent.K], ranked[recent.K :]
        short = floor - sum(not titles.scored(m) for m in out)
        waiting = [m for m in rest if not titles.scored(m)][: min(max(short, 0), len(PLACES))]
        for place, m in zip(PLACES[len(PLACES) - len(waiting) :], waiting, strict=True):
            out.remove(next(x for x in reversed(out) if titles.scored(x)))
            out.insert(place - 1, m)
        return out

    return arranged


def by_list(size: float, era: float) -> Shelf:
    """The shipped order, the model titles' popularity weight + size·(ln n − 5) +
    era·(2024 − the list's latest start year)."""

    def arranged(row: dict, titles: Titles) -> list[int]:
        lean = size * (math.log(max(row["size"], 1)) - 5) + era * (2024 - row["latest"])
        return shelf(row, replace(SHELF_ORDER, popularity=SHELF_ORDER.popularity + lean), titles)

    return arranged


def recall(rows: list[dict], arranged: Shelf, titles: Titles, dated: bool = False) -> float:
    """The page's Recall@20 ÷ the popular 20's; `dated`: both count only titles that started
    no later than the list's latest start year."""
    page, popular = [], []
    for r in rows:
        def keep(m: int, r: dict = r) -> bool:
            return not dated or (titles.by_mal_id(m).year or 0) <= r["latest"]

        shown = [m for m in r["cards"] + arranged(r, titles) + r["continue"] if keep(m)]
        first = recent.first_recent(shown, titles, sections.RECENT_SINCE)
        hits = min(recent.K, len(r["truth"]))
        page.append(len(r["truth"] & set(first)) / hits)
        rival = [m for m in r["popular"] if keep(m)][: recent.K]
        popular.append(len(r["truth"] & set(rival)) / hits)
    return float(np.mean(page) / np.mean(popular))


VARIANTS: dict[str, Shelf] = {
    "shipped": lambda r, t: shelf(r, SHELF_ORDER, t),
    "score alone, no popularity, no shift": comparable(ShelfOrder(0.0, 0.0, 0.0)),
    "logit + ln m, score + ln m, no shift": comparable(ShelfOrder(1.0, 1.0, 0.0)),
    "logit + ln m, score, no shift": comparable(ShelfOrder(1.0, 0.0, 0.0)),
    **{f"earned places, floor 3, shift {c}": comparable(ShelfOrder(0.5, 0.5, c), 3)
       for c in (-4.0, -2.0, 0.0)},
    **{f"size {s}, era {e}": by_list(s, e) for s, e in ((0.25, 0), (0.5, 0), (-0.25, 0),
                                                        (0, 0.25), (0, 0.5), (0, -0.25))},
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--rows", type=Path, required=True)
    args = parser.parse_args()
    folds = pickle.loads(args.cache.read_bytes())
    pairs = list(zip(pickle.loads(args.rows.read_bytes()),
                     (Titles(s["catalog"], s["extra"]) for s in folds), strict=True))  # fmt: skip
    for name, arranged in VARIANTS.items():
        ratios = " / ".join(f"{recall(rows, arranged, t):.3f}" for rows, t in pairs)
        fresh = np.mean([np.mean([not t.scored(m) for m in arranged(r, t)])
                         for rows, t in pairs for r in rows])  # fmt: skip
        print(f"{name}: ÷ popular {ratios} (fresh share {fresh:.2f})", flush=True)
    dated = " / ".join(f"{recall(rows, VARIANTS['shipped'], t, True):.3f}" for rows, t in pairs)
    print(f"shipped, titles started by the list's latest year only: ÷ popular {dated}")


if __name__ == "__main__":
    main()
