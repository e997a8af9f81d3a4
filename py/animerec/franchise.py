"""Every title the site knows, across the model's catalog and the recognized rest, and the rule
"continue what you love": the next seasons, sequels and films of franchises the visitor
completed and scored high, the titles newer than the model's training data included.

A franchise is the `Item.franchise` id the catalog build gives (groups of franchises-2026.json;
title stems only for titles no group holds). Within a franchise, titles follow their start
(year, then season), and MyAnimeList id where a start is unknown (ids grow with time).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from .catalog import Catalog, Item
from .profile import Entry, Profile, Status

LOVED_SCORE = 8  # a completed title scored this or higher is "loved"
CONTINUATION_TYPES = frozenset({"TV", "Movie", "ONA", None})  # seasons, films; None: unknown
MIN_SHARE = 0.1  # of the watched title's members: leaves out music videos, specials, parodies
PER_FRANCHISE = 2  # the next titles of each franchise, not its whole back catalogue
SHELF_SIZE = 12
_SEASONS = {"winter": 0, "spring": 1, "summer": 2, "fall": 3}


class Titles:
    """The model's catalog and, once loaded, the recognized titles it does not score."""

    def __init__(self, catalog: Catalog, extra: Catalog | None = None) -> None:
        self.catalog = catalog
        self.extra = extra if extra is not None else Catalog([])
        self._members: dict[int, list[Item]] | None = None

    def by_mal_id(self, mal_id: int) -> Item | None:
        """The title's metadata, wherever it is known; None for an unknown id."""
        return self.catalog.by_mal_id(mal_id) or self.extra.by_mal_id(mal_id)

    def scored(self, mal_id: int) -> bool:
        return self.catalog.index_of(mal_id) is not None

    def __iter__(self) -> Iterator[Item]:
        yield from self.catalog
        yield from self.extra

    def members(self, franchise: int) -> list[Item]:
        """The titles of a franchise in start order (built at the first call)."""
        if self._members is None:
            groups: dict[int, list[Item]] = defaultdict(list)
            for item in self:
                if item.franchise is not None:
                    groups[item.franchise].append(item)
            self._members = {f: sorted(items, key=start_key) for f, items in groups.items()}
        return self._members.get(franchise, [])

    def count(self, entries: Iterable[Entry]) -> tuple[int, int]:
        """(scored by the model, recognized but not scored) among `entries`."""
        scored = recognized = 0
        for e in entries:
            if self.scored(e.mal_id):
                scored += 1
            elif self.extra.index_of(e.mal_id) is not None:
                recognized += 1
        return scored, recognized


def start_key(item: Item) -> tuple[int, int, int]:
    """Sort key by start: (year, season, id); a title of unknown start sorts by id alone, after
    the dated ones."""
    if item.year is None:
        return (1 << 30, 0, item.mal_id)
    return (item.year, _SEASONS.get(item.season or "", 0), item.mal_id)


def comes_after(later: Item, earlier: Item) -> bool:
    """Whether `later` started after `earlier`: by start where both are dated, else by id."""
    if later.year is None or earlier.year is None:
        return later.mal_id > earlier.mal_id
    return start_key(later) > start_key(earlier)


def continuations(profile: Profile, titles: Titles, limit: int | None = SHELF_SIZE) -> list[Item]:
    """The next titles of the franchises the visitor completed with a score ≥ LOVED_SCORE: per
    franchise (best-loved first), the first PER_FRANCHISE titles that started after the latest
    one the visitor watched and are not on the list (planned ones are offered). Franchises
    with a dropped title are left out. Only TV series, films and ONAs (or titles of unknown type)
    with at least MIN_SHARE of the members of the franchise's most popular watched title count:
    the source lists music videos, specials and parodies in franchises too."""
    on_list = {e.mal_id: e for e in profile.entries}
    loved: dict[int, int] = {}  # franchise → best score
    for e in profile.entries:
        item = titles.by_mal_id(e.mal_id)
        score = e.score or 0
        loves = e.status is Status.COMPLETED and score >= LOVED_SCORE
        if loves and item is not None and item.franchise is not None:
            loved[item.franchise] = max(loved.get(item.franchise, 0), score)
    shelf: list[Item] = []
    for franchise in sorted(loved, key=lambda f: (-loved[f], f)):
        if limit is not None and len(shelf) >= limit:
            break  # a list of thousands of loved franchises need not be read to its end
        shelf.extend(_next_titles(titles.members(franchise), on_list))
    return shelf if limit is None else shelf[:limit]


def _next_titles(members: list[Item], on_list: dict[int, Entry]) -> list[Item]:
    """The franchise's next titles after the visitor's latest watched one (none if dropped)."""
    seen = [m for m in members if m.mal_id in on_list
            and on_list[m.mal_id].status is not Status.PLAN_TO_WATCH]  # fmt: skip
    if any(on_list[m.mal_id].status is Status.DROPPED for m in seen):
        return []
    latest = max(seen, key=start_key)
    least = MIN_SHARE * max(m.popularity for m in seen)
    ahead = [
        m
        for m in members
        if m.type in CONTINUATION_TYPES
        and m.popularity >= least
        and (m.mal_id not in on_list or on_list[m.mal_id].status is Status.PLAN_TO_WATCH)
        and comes_after(m, latest)
    ]
    return ahead[:PER_FRANCHISE]
