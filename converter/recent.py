"""Recent titles as a visitor meets them (issue 21's goal): hold out 20% of each whole list
(`splits.cut(whole_list=True)`); recent targets are the held-out, not dropped titles that
started in `sections.RECENT_SINCE` or later; the rest of the list goes to the page's own
functions: the 50 cards (`animerec.ranking`, default filters), the "New for you" shelf
(`animerec.fresh.new_for_you` over `FreshModel.recent_scores`) and "Continue what you love"
(`animerec.franchise.continuations`). In page order (cards, then New for you, then Continue),
the first 20 recent titles the page links to are compared with the 20 recent titles with the
most MyAnimeList members that are not on the list. Recall@20: hits / min(20, recent targets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
from animerec.catalog import Catalog, Item
from animerec.encoding import encode
from animerec.filters import Filters
from animerec.franchise import Titles, continuations
from animerec.fresh import SHELF_ORDER, FreshModel, ShelfOrder, new_for_you
from animerec.profile import Profile, Status
from animerec.ranking import Candidates, RankContext

from . import splits

K = 20
Logits = Callable[[np.ndarray], np.ndarray]  # dense rows [batch, n] → main model logits


def page_titles(
    given: Profile,
    logits: Sequence[float],
    titles: Titles,
    context: RankContext,
    fresh: FreshModel | None,
    order: ShelfOrder = SHELF_ORDER,
) -> dict[str, list[int]]:
    """The mal ids the page shows for a list, per part, each in its order."""
    catalog = titles.catalog
    row = encode(given, catalog)
    cards = [r.item.mal_id for r in Candidates(context, given, logits, titles).rank(Filters())]
    parts = {"cards": cards}
    if fresh is not None:
        on_list = [e.mal_id for e in given.entries if e.status is not Status.PLAN_TO_WATCH]
        scores = fresh.recent_scores(row, logits, catalog)
        parts["new for you"] = new_for_you(
            scores, titles, Filters(), (), fresh.since_year, on_list=on_list,
            order=order, cards=cards,
        )  # fmt: skip
    parts["continue"] = [i.mal_id for i in continuations(given, titles)]
    return parts


def first_recent(shown: Iterable[int], titles: Titles, since: int, k: int = K) -> list[int]:
    """The first `k` distinct titles of `shown` that started in `since` or later."""
    out: list[int] = []
    for mal_id in dict.fromkeys(shown):
        item = titles.by_mal_id(mal_id)
        if item is not None and item.year is not None and item.year >= since:
            out.append(mal_id)
            if len(out) == k:
                break
    return out


def popular_recent(titles: Titles, since: int) -> list[Item]:
    """Every title that started in `since` or later, most MyAnimeList members first."""
    recent = [i for i in titles if i.year is not None and i.year >= since]
    return sorted(recent, key=lambda i: (-i.popularity, i.mal_id))


def measure(
    profiles: dict[str, Profile], users: Sequence[str], catalog: Catalog, extra: Catalog,
    seed: int, logits: Logits, fresh: FreshModel | None, since: int,
    order: ShelfOrder = SHELF_ORDER,
) -> dict[str, Any]:  # fmt: skip
    """Recall@20 of the page's first 20 recent titles (with and without the fresh model's
    shelf) and of the 20 most popular recent titles not on the list, on `users`."""
    titles = Titles(catalog, extra)
    context = RankContext(catalog)
    popular = popular_recent(titles, since)
    recall: dict[str, list[float]] = {"page": [], "cards only": [], "popular": []}
    shown = []
    for user in users:
        parts = splits.cut(profiles[user], catalog, seed, whole_list=True)
        if parts is None:
            continue
        held, rest = parts
        truth = {e.mal_id for e in held if e.status is not Status.DROPPED
                 and _started(titles, e.mal_id, since)}  # fmt: skip
        if not truth:
            continue
        given = profiles[user].with_entries(rest)
        row = np.frombuffer(encode(given, catalog), np.float32)[None, :]
        page = page_titles(given, logits(row)[0].tolist(), titles, context, fresh, order)
        on_list = {e.mal_id for e in rest}
        lists = {
            "page": first_recent([m for part in page.values() for m in part], titles, since),
            "cards only": first_recent(page["cards"] + page["continue"], titles, since),
            "popular": [i.mal_id for i in popular if i.mal_id not in on_list][:K],
        }
        shown.append(len(first_recent(page["cards"], titles, since)))
        for name, ids in lists.items():
            recall[name].append(len(truth & set(ids)) / min(K, len(truth)))
    out: dict[str, Any] = {"users": len(recall["page"])}
    out.update({name: round(float(np.mean(v)), 4) for name, v in recall.items() if v})
    if recall["page"]:
        out["page ÷ popular"] = round(out["page"] / max(out["popular"], 1e-9), 3)
        out["cards only ÷ popular"] = round(out["cards only"] / max(out["popular"], 1e-9), 3)
        out["recent cards (median)"] = float(np.median(shown))
    return out


def _started(titles: Titles, mal_id: int, since: int) -> bool:
    item = titles.by_mal_id(mal_id)
    return item is not None and item.year is not None and item.year >= since
