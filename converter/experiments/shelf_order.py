"""The "New for you" shelf's order (`animerec.fresh.ShelfOrder`), searched on the 2025 file's
users (recent_folds.py's folds, its --cache): each order of GRID measured as converter/recent.py
measures the page (its first 20 recent titles against the 20 most popular recent ones). Per
slot rule (every n-th place after the first k held for fresh titles), one fold chooses the rest
of the order and both are measured with it. --rows saves the users' candidates at the first
run (the grid reruns fast).

    PYTHONPATH=py:. .venv/bin/python -m converter.experiments.shelf_order \
        --cache /tmp/recent_folds.pkl --rows /tmp/shelf_rows.pkl [--hyper '{...}']
"""

from __future__ import annotations

import argparse
import itertools
import json
import pickle
from pathlib import Path

import numpy as np
from animerec.encoding import encode
from animerec.filters import Filters
from animerec.franchise import Titles, continuations
from animerec.fresh import FreshModel, ShelfOrder, new_for_you
from animerec.profile import Status
from animerec.ranking import Candidates, RankContext

from converter import data, fresh_build, recent, sections, splits

GRID = {"popularity": (0.0, 0.25, 0.5, 1.0, 2.0), "fresh_popularity": (0.0, 1.0, 2.0),
        "fresh_shift": (-4.0, -2.0, 0.0), "fresh_every": (0, 3, 4, 5),
        "fresh_after": (0, 4, 8, 12)}  # fmt: skip
SLOTS = [(every, after) for every in GRID["fresh_every"] for after in GRID["fresh_after"]
         if every or not after]  # fmt: skip


def user_rows(profiles: dict, state: dict, fresh: FreshModel, seed: int) -> list[dict]:
    """Per evaluated user: recent targets, the cards' recent titles, the shelf's candidates
    (filtered as the page filters them) with score and whether fresh, the continuations, the
    popular list (4 × K of it), the list's number of model titles and its latest start year."""
    catalog, extra, b = state["catalog"], state["extra"], state["b"]
    titles, context = Titles(catalog, extra), RankContext(catalog)
    since = sections.RECENT_SINCE
    popular = recent.popular_recent(titles, since)
    out = []
    for user in state["test"]:
        parts = splits.cut(profiles[user], catalog, seed, whole_list=True)
        if parts is None:
            continue
        held, rest = parts
        truth = {e.mal_id for e in held if e.status is not Status.DROPPED
                 and (i := titles.by_mal_id(e.mal_id)) and (i.year or 0) >= since}  # fmt: skip
        if not truth:
            continue
        given = profiles[user].with_entries(rest)
        row = encode(given, catalog)
        logits = (np.frombuffer(row, np.float32)[None, :] @ b)[0].tolist()
        cards = [r.item.mal_id for r in Candidates(context, given, logits, titles).rank(Filters())]
        on_list = [e.mal_id for e in given.entries if e.status is not Status.PLAN_TO_WATCH]
        scores = fresh.recent_scores(row, logits, catalog)
        shelf = new_for_you(scores, titles, Filters(), (), since, 10**6, on_list, ShelfOrder(0, 0),
                            cards=cards)  # fmt: skip
        listed = {e.mal_id for e in rest}
        out.append({
            "truth": truth,
            "cards": recent.first_recent(cards, titles, since),
            "shelf": [(m, scores[m], not titles.scored(m)) for m in shelf],
            "continue": [i.mal_id for i in continuations(given, titles)],
            "popular": [i.mal_id for i in popular if i.mal_id not in listed][: 4 * recent.K],
            "size": sum(1 for v in row if v > 0),  # the list's model titles
            "latest": max((i.year or 0 for e in rest if (i := titles.by_mal_id(e.mal_id))),
                          default=0),  # the latest start year on the input
        })  # fmt: skip
    return out


def keyed(row: dict, order: ShelfOrder, titles: Titles) -> list[tuple[float, int, bool]]:
    """(key, mal_id, fresh) of one user's candidates under `order`."""
    return [(order.key(score, titles.by_mal_id(m), fresh), m, fresh)
            for m, score, fresh in row["shelf"]]  # fmt: skip


def shelf(row: dict, order: ShelfOrder, titles: Titles) -> list[int]:
    """The shelf's first K titles for one user's candidates under `order`."""
    return order.arrange(keyed(row, order, titles), recent.K)


def recall(rows: list[dict], order: ShelfOrder, titles: Titles) -> float:
    """Mean Recall@20 of the page's first 20 recent titles under `order`."""
    out = []
    for r in rows:
        page = recent.first_recent(r["cards"] + shelf(r, order, titles) + r["continue"], titles,
                                   sections.RECENT_SINCE)  # fmt: skip
        out.append(len(r["truth"] & set(page)) / min(recent.K, len(r["truth"])))
    return float(np.mean(out))


def fresh_share(rows: list[dict], order: ShelfOrder, titles: Titles) -> float:
    """The mean share of fresh titles on the shelf."""
    return float(np.mean([np.mean([not titles.scored(m) for m in shelf(r, order, titles)])
                          for r in rows]))  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--hyper", default="{}", help="FreshHyper fields as JSON")
    parser.add_argument("--rows", type=Path, help="the users' rows, saved at the first run")
    args = parser.parse_args()
    profiles = data.load_training_profiles(data.DEFAULT_DATA)
    folds = pickle.loads(args.cache.read_bytes())
    hp = fresh_build.FreshHyper(**json.loads(args.hyper))
    metadata = fresh_build.read_metadata(data.DEFAULT_DATA)
    found = []
    cached = pickle.loads(args.rows.read_bytes()) if args.rows and args.rows.exists() else None
    for f, state in enumerate(folds):
        catalog, extra = state["catalog"], state["extra"]
        hood = fresh_build.neighbourhood(catalog, fresh_build.fresh_titles(extra, hp.since_year),
                                         metadata, hp.neighbours)  # fmt: skip
        fresh = FreshModel.from_json(fresh_build.to_json(hood, hp, len(catalog)))
        rows = cached[f] if cached else user_rows(profiles, state, fresh, args.seed)
        titles = Titles(catalog, extra)
        popular = float(np.mean([len(r["truth"] & set(r["popular"][: recent.K]))
                                 / min(recent.K, len(r["truth"])) for r in rows]))  # fmt: skip
        grid = {v: recall(rows, ShelfOrder(*v), titles) for v in itertools.product(*GRID.values())
                if v[3:] in SLOTS}  # fmt: skip
        found.append((rows, titles, popular, grid))
        print(len(rows), "users, popular", round(popular, 4), flush=True)
    if args.rows and not cached:
        args.rows.write_bytes(pickle.dumps([r for r, *_ in found]))
    for f, (rows, titles, popular, grid) in enumerate(found):
        for slots in SLOTS:
            best = max((v for v in grid if v[3:] == slots), key=grid.get)
            share = fresh_share(rows, ShelfOrder(*best), titles)
            other = " / ".join(f"{g[3][best] / g[2]:.3f}" for g in found)
            print(f"fold {f} chooses {best} (fresh share {share:.2f}): ÷ popular {other}")
        before = recall(rows, ShelfOrder(1.0, 0.0, -4.0, 4, 0), titles) / popular
        print(f"fold {f}: before (every 4th place fresh, logit + ln members): ÷ {before:.3f}",
              flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
