"""The model's item space: model index ↔ MyAnimeList id, with the metadata filters and cards use.

Stored column-wise in `catalog.json` (one list per field) because that is several times smaller
than a list of objects and loads in one `json.loads`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .steps import Steps, finish

CATALOG_FORMAT = "animerec-catalog/1"
EXTRA_FILE = "catalog-extra.json"  # beside a model's catalog.json: known titles it does not score
ITEMS_PER_STEP = 4000  # items built between two chances to yield
MAX_QUERY = 100  # characters of a search that count: more words than finding any title needs
TYPES = ("TV", "Movie", "OVA", "ONA", "Special", "Music")
FIELDS = (
    "mal_id", "anilist_id", "title", "title_en", "type", "episodes",
    "year", "season", "genres", "popularity", "franchise", "kitsu_id",
)  # fmt: skip
OPTIONAL_FIELDS = ("kitsu_id",)  # catalogs written before it lack the column
# The genres that make a title adult, hidden unless the visitor shows them (`Filters.adult`).
# They cover MyAnimeList's "Rx - Hentai" rating: all 487 such titles the model scores and 953 of
# the 954 recognized ones carry one of them (README, "A safe default").
ADULT_GENRES = frozenset({"Hentai", "Erotica"})


@dataclass(frozen=True, slots=True)
class Item:
    index: int
    mal_id: int
    title: str
    title_en: str | None = None
    type: str | None = None  # one of TYPES, or None when unknown
    episodes: int | None = None
    year: int | None = None
    season: str | None = None  # winter/spring/summer/fall
    genres: tuple[str, ...] = ()
    popularity: int = 0  # MyAnimeList members
    anilist_id: int | None = None
    franchise: int | None = None  # items sharing a franchise id are sequels/prequels of each other
    kitsu_id: int | None = None


def is_adult(item: Item) -> bool:
    """Whether `item` is an adult title (one of ADULT_GENRES): the one definition every view
    uses."""
    return not ADULT_GENRES.isdisjoint(item.genres)


class CatalogError(ValueError):
    """The catalog file is not one this code can read."""


class Catalog(Sequence[Item]):
    def __init__(self, items: Sequence[Item]) -> None:
        self._items = list(items)
        for i, item in enumerate(self._items):
            if item.index != i:
                raise CatalogError(f"item {item.mal_id} has index {item.index}, expected {i}")
        self._by_mal = {item.mal_id: item.index for item in self._items}
        if len(self._by_mal) != len(self._items):
            raise CatalogError("duplicate MyAnimeList ids in the catalog")

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, index):  # type: ignore[override]
        return self._items[index]

    def index_of(self, mal_id: int) -> int | None:
        return self._by_mal.get(mal_id)

    def by_mal_id(self, mal_id: int) -> Item | None:
        index = self._by_mal.get(mal_id)
        return None if index is None else self._items[index]

    def anilist_to_mal(self) -> dict[int, int]:
        return {i.anilist_id: i.mal_id for i in self._items if i.anilist_id is not None}

    def kitsu_to_mal(self) -> dict[int, int]:
        return {i.kitsu_id: i.mal_id for i in self._items if i.kitsu_id is not None}

    @cached_property
    def _folded(self) -> list[str]:
        """Each item's titles folded for `search`: built at the first search, not at load (the
        page needs the catalog to show results first; this is ~40 ms in Pyodide)."""
        return [fold_title(i.title) + "\n" + fold_title(i.title_en or "") for i in self._items]

    def search(
        self, query: str, limit: int = 10, keep: Callable[[Item], bool] | None = None
    ) -> list[Item]:
        """Titles containing every word of `query` (accent- and case-insensitive), most popular
        first, and only those `keep` accepts (None: all): the "rate a few titles" picker. Only
        its first MAX_QUERY characters count, each word once: a pasted page of text is a few
        words, not a freeze."""
        words = list(dict.fromkeys(fold_title(query[:MAX_QUERY]).split()))
        if not words:
            return []
        hits = [
            item
            for item, text in zip(self._items, self._folded, strict=True)
            if all(w in text for w in words) and (keep is None or keep(item))
        ]
        hits.sort(key=lambda item: -item.popularity)
        return hits[:limit]

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> Catalog:
        return finish(cls.from_json_steps(obj))

    @classmethod
    def from_json_steps(cls, obj: Mapping[str, Any]) -> Steps[Catalog]:
        """`from_json` in steps of ITEMS_PER_STEP items (`animerec.steps`): the page reads the
        recognized titles (tens of thousands) after its first cards, with the page live."""
        if obj.get("format") != CATALOG_FORMAT:
            raise CatalogError(f"unknown catalog format {obj.get('format')!r}")
        cols = dict(obj["items"])
        genre_names = obj["genres"]
        n = len(cols["mal_id"])
        for f in OPTIONAL_FIELDS:
            cols.setdefault(f, [None] * n)
        missing = [f for f in FIELDS if len(cols.get(f, ())) != n]
        if missing:
            raise CatalogError(f"catalog columns missing or of the wrong length: {missing}")
        name = genre_names.__getitem__
        genres = [tuple(map(name, g)) for g in cols["genres"]]
        columns = [cols["mal_id"], cols["title"], cols["title_en"], cols["type"],
                   cols["episodes"], cols["year"], cols["season"], genres, cols["popularity"],
                   cols["anilist_id"], cols["franchise"], cols["kitsu_id"]]  # fmt: skip
        items: list[Item] = []
        for start in range(0, n, ITEMS_PER_STEP):
            end = min(n, start + ITEMS_PER_STEP)
            # positional, column by column: ~2x faster than keywords per item
            items += map(Item, range(start, end), *(c[start:end] for c in columns))
            yield
        return cls(items)

    def to_json(self) -> dict[str, Any]:
        genre_names = sorted({g for item in self._items for g in item.genres})
        gid = {g: i for i, g in enumerate(genre_names)}
        cols: dict[str, list[Any]] = {f: [] for f in FIELDS}
        for item in self._items:
            for f in FIELDS:
                value = getattr(item, f)
                cols[f].append([gid[g] for g in value] if f == "genres" else value)
        return {"format": CATALOG_FORMAT, "genres": genre_names, "items": cols}


_ASCII_FOLD = {c: chr(c).lower() if chr(c).isalnum() else " " for c in range(128)}


def fold_title(text: str) -> str:
    """Lower-case, accent-free, punctuation as spaces: for matching titles typed by people."""
    if text.isascii():  # most titles: same result, ~10x faster (catalog load runs it 18k times)
        return text.translate(_ASCII_FOLD)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))


MIN_STEM_LENGTH = 4  # shorter stems ("k", "ef") would relate unrelated titles
# Trailing sequel markers, removed repeatedly from a folded title: "season 2", "2nd season",
# "the final season", "part 2", "s2", "ii", "2", "movie", "ova" …
_SEQUEL_SUFFIX = re.compile(
    r"(?:\s+(?:the\s+)?(?:final\s+)?(?:season|part|cour|arc|series)"
    r"(?:\s+(?:\d+|[ivx]+|one|two|three|four|five))?"
    r"|\s+(?:\d+(?:st|nd|rd|th)|first|second|third|fourth|fifth|final|last)"
    r"\s+(?:season|part|cour|series)"
    r"|\s+s\d+|\s+\d+|\s+[ivx]+|\s+(?:movie|the movie|ova|ona|specials?|recap|tv))\s*$"
)


# Every match of _SEQUEL_SUFFIX ends in one of these words: a title whose last word is none of
# them has no marker, and is not searched (the regex tries every position; most titles have no
# marker, and the page stems all 6k titles at load).
_SEQUEL_LAST_WORD = re.compile(
    r"\d+|[ivx]+|s\d+|one|two|three|four|five|season|part|cour|arc|series"
    r"|movie|ova|ona|specials?|recap|tv"
)


def title_stem(title: str) -> str:
    """The franchise part of a title: folded, cut at ": " (subtitle), sequel markers removed.
    "Shingeki no Kyojin Season 2" and "Shingeki no Kyojin: The Final Season" both give
    "shingeki no kyojin"."""
    head = title.split(": ", 1)[0] if ": " in title else title
    stem = " ".join(fold_title(head).split())
    while True:
        if not _SEQUEL_LAST_WORD.fullmatch(stem.rpartition(" ")[2]):
            return stem
        shorter = _SEQUEL_SUFFIX.sub("", stem)
        if shorter == stem or len(shorter) < MIN_STEM_LENGTH:
            return stem
        stem = shorter
