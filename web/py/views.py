"""What the page shows, as plain JSON for `web/js/ui.js` (which puts every string in as text)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence

from animerec import stats
from animerec.catalog import Catalog, Item
from animerec.covers import COVER_ORIGIN, CoverCache
from animerec.franchise import Titles
from animerec.profile import Entry, Profile, Status
from animerec.ranking import Candidates, Recommendation

MAL_URL = "https://myanimelist.net/anime/{}"
ANILIST_URL = "https://anilist.co/anime/{}"
LIST_STRIP = 8  # how many of the visitor's own titles the results open with
Shows = Callable[[Item], bool]  # whether a title may be on screen (`Filters.shows`)


def item_card(item: Item, match: float | None, covers: CoverCache | None = None) -> dict:
    """A card of one title: `match` is None for a title the model does not score; the cover
    (and its dominant colour) where `covers` knows it (None: covers are off)."""
    cover = covers.get(item.mal_id) if covers is not None else None
    return {
        "mal_id": item.mal_id,
        "title": item.title,
        "title_en": english(item),
        "type": item.type,
        "year": item.year,
        "episodes": item.episodes,
        "genres": list(item.genres),
        "match": None if match is None else f"{match:.0f}% match",
        "mal_url": MAL_URL.format(item.mal_id),
        "anilist_url": ANILIST_URL.format(item.anilist_id) if item.anilist_id else None,
        "cover": cover and cover["url"],  # None: ui.js draws a letter tile
        "color": cover and cover["color"],
        "because": [],
        "planned": False,
    }


def card(
    rec: Recommendation,
    catalog: Catalog | Titles,
    covers: CoverCache | None = None,
    reasons: Sequence[str] = (),
) -> dict:
    """One recommendation card; `because` lists entries of the visitor's list (id and title),
    `planned` marks a title already on the visitor's plan-to-watch list, `reasons` are lines of
    text in place of `because` (watch together: one per person, web/py/together.py)."""
    because = [{"mal_id": e.mal_id, "title": entry_title(e, catalog)} for e in rec.because]
    return {**item_card(rec.item, rec.match, covers), "because": because, "planned": rec.planned,
            "reasons": list(reasons)}  # fmt: skip


def shelf(items: Iterable[Item], candidates: Candidates, covers: CoverCache | None = None) -> str:
    """The "continue what you love" shelf (`franchise.continuations`): cards of the next
    titles of loved franchises, with the model's match where it scores the title."""
    index_of = candidates.context.catalog.index_of
    cards = [
        item_card(i, None if (k := index_of(i.mal_id)) is None else candidates.match(k), covers)
        for i in items
    ]
    return json.dumps({"cards": cards})


def list_strip(
    profile: Profile, catalog: Catalog | Titles, shows: Shows, limit: int = LIST_STRIP
) -> list[dict]:
    """The visitor's best-scored watched titles that `shows` lets on screen (`Filters.shows`),
    with covers where the source gave them. Titles are looked up only until the strip is full:
    a list of 60,000 entries costs its sort, not 60,000 look-ups."""
    watched = [e for e in profile.entries if e.status is not Status.PLAN_TO_WATCH]
    watched.sort(key=lambda e: -(e.score or 0))
    strip: list[dict] = []
    for entry in watched:
        if len(strip) == limit:
            break
        item = catalog.by_mal_id(entry.mal_id)
        if item is None or shows(item):
            strip.append(
                {
                    "title": entry_title(entry, catalog),
                    "score": entry.score,
                    "cover": safe_cover(entry.cover_url),
                }
            )
    return strip


def entry_title(entry: Entry, catalog: Catalog | Titles) -> str:
    """The title the list gave, else the catalog's (MAL exports by id carry none)."""
    if entry.title:
        return entry.title
    item = catalog.by_mal_id(entry.mal_id)
    return item.title if item else f"#{entry.mal_id}"


def list_view(profile: Profile, titles: Titles, who: str, shows: Shows) -> dict:
    """What the results say of the visitor's list (it reads every entry: once per list and
    adult switch); `who` names the list in the folded sources bar. The counts are of the whole
    list; its strip holds only the titles `shows` lets on screen."""
    watched = [e for e in profile.entries if e.status is not Status.PLAN_TO_WATCH]
    scored, recognized = titles.count(watched)
    return {
        "who": who,
        "name": profile.username or "your list",
        "counts": f"{scored} titles on the list are scored by the model, {recognized} more "
        f"recognized (of {len(watched)} watched or started).",
        "list": list_strip(profile, titles, shows),
    }


def results(
    recs: Sequence[Recommendation],
    listed: dict,
    titles: Titles,
    covers: CoverCache | None = None,
    reasons: Mapping[int, Sequence[str]] | None = None,
) -> str:
    """The results view: the cards of `recs` under `listed` (`list_view`); `reasons`: lines per
    MyAnimeList id that replace a card's "because you watched" (watch together)."""
    why = reasons or {}
    return json.dumps(
        {
            "who": listed["who"],
            "summary": f"{len(recs)} recommendations for {listed['name']}. {listed['counts']}",
            "list": listed["list"],
            "cards": [card(r, titles, covers, why.get(r.item.mal_id, ())) for r in recs],
        }
    )


def page_view(shelf: str, fresh: str, filter_count: int, results: str) -> str:
    """The whole results view for ui.renderView in one value (one round trip from PyScript's
    worker): the shelves' (`shelf`, `fresh`) and the `results`' JSON texts joined as they are."""
    parts = {"continue": shelf, "fresh": fresh, "filters": str(filter_count), "results": results}
    return "{" + ", ".join(f'"{key}": {text}' for key, text in parts.items()) + "}"


def hidden(mal_ids: Iterable[int], catalog: Catalog | Titles) -> str:
    """The titles marked "not interested", for their restore list."""
    return json.dumps(
        [
            {"mal_id": i, "title": item.title if (item := catalog.by_mal_id(i)) else f"#{i}"}
            for i in mal_ids
        ]
    )


def cover_map(covers: CoverCache, mal_ids: Iterable[int]) -> str:
    """{mal_id: {url, color}} of the known covers among `mal_ids`, for ui.applyCovers."""
    return json.dumps({str(i): c for i in mal_ids if (c := covers.get(i))})


def profile_stats(profile: Profile, titles: Titles) -> str:
    """The four stats charts (SVG text, escaped by `animerec.stats`) and their text summary."""
    s = stats.profile_stats(profile, titles.catalog, titles.extra)
    charts = (stats.score_svg, stats.genre_svg, stats.type_svg, stats.mainstream_svg)
    return json.dumps({"charts": [chart(s) for chart in charts], "summary": stats.summary(s)})


def search_hits(items: Iterable[Item]) -> str:
    return json.dumps([{"mal_id": i.mal_id, "label": label(i)} for i in items])


def rated(ratings: dict[int, int], catalog: Catalog) -> str:
    return json.dumps(
        [
            {"mal_id": mal_id, "label": label(item), "score": score}
            for mal_id, score in ratings.items()
            if (item := catalog.by_mal_id(mal_id)) is not None
        ]
    )


def label(item: Item) -> str:
    """How a title reads in the picker: romaji, English in brackets, type and year."""
    other = english(item)
    facts = ", ".join(str(x) for x in (item.type, item.year) if x)
    return item.title + (f" ({other})" if other else "") + (f" — {facts}" if facts else "")


def english(item: Item) -> str | None:
    """The English title when it says more than the romaji one (not just another casing)."""
    en = item.title_en
    return en if en and en.casefold() != item.title.casefold() else None


def safe_cover(url: str | None) -> str | None:
    """Only AniList CDN covers; anything else would be blocked by the CSP or be a tracking pixel."""
    return url if url and url.startswith(COVER_ORIGIN) else None
