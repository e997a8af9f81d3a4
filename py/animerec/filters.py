"""The recommendation controls as one value, and its URL form: all control state lives in the
query string, so a shared link shows the same list.

`Filters` normalizes itself on construction (unknown types dropped, ranges clamped, duplicates
removed), which is what makes `from_query(to_query(f)) == f` hold for every `Filters`.
`from_query` ignores junk and keys it does not own (`QUERY_KEYS`), so the page can keep its own
parameters in the same query string.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from .catalog import TYPES, Item, is_adult

PLAN_TO_WATCH_MODES = ("show", "hide", "boost")  # show = listed and marked
MAX_RESULTS = 500
MAX_NICHE = 2.0
YEAR_RANGE = (1900, 2100)
MAX_GENRE_LENGTH = 40

_TYPE_BY_FOLDED = {t.casefold(): t for t in TYPES}


@dataclass(frozen=True, slots=True)
class Filters:
    """What the visitor asked to see. Empty tuples and None mean "no restriction"."""

    types: tuple[str, ...] = ()  # catalog TYPES; an item of unknown type fails a type filter
    year_min: int | None = None  # start year, inclusive; unknown years fail a year range
    year_max: int | None = None
    genres_required: tuple[str, ...] = ()  # every one of these
    genres_excluded: tuple[str, ...] = ()  # none of these
    plan_to_watch: str = "show"  # one of PLAN_TO_WATCH_MODES
    hide_dropped_related: bool = True  # sequels/prequels of dropped titles
    hide_unstarted_sequels: bool = True  # later seasons of franchises not on the list
    min_popularity: int = 0  # MyAnimeList members
    niche: float = 0.0  # α of the popularity attenuation, 0 … MAX_NICHE (see ranking.py)
    n: int = 50  # number of results, 1 … MAX_RESULTS
    adult: bool = False  # show adult titles (`catalog.is_adult`); hidden everywhere by default

    def __post_init__(self) -> None:
        def put(name: str, value: object) -> None:
            object.__setattr__(self, name, value)

        put("types", _unique(_TYPE_BY_FOLDED.get(str(t).casefold()) for t in self.types))
        lo, hi = _year(self.year_min), _year(self.year_max)
        if lo is not None and hi is not None and lo > hi:
            lo, hi = hi, lo
        put("year_min", lo)
        put("year_max", hi)
        put("genres_required", _genres(self.genres_required))
        put("genres_excluded", _genres(self.genres_excluded))
        if self.plan_to_watch not in PLAN_TO_WATCH_MODES:
            put("plan_to_watch", "show")
        put("hide_dropped_related", bool(self.hide_dropped_related))
        put("hide_unstarted_sequels", bool(self.hide_unstarted_sequels))
        put("min_popularity", max(0, _int(self.min_popularity) or 0))
        niche = _float(self.niche) or 0.0
        put("niche", round(min(max(niche, 0.0), MAX_NICHE), 2))
        n = _int(self.n)
        put("n", 50 if n is None else min(max(n, 1), MAX_RESULTS))
        put("adult", bool(self.adult))

    def shows(self, item: Item) -> bool:
        """Whether `item` may be on screen at all: an adult title only when the visitor shows
        them. Cards, shelves, the map, search and explanations all ask this (via `keeps` where
        the other title controls apply too)."""
        return self.adult or not is_adult(item)

    def keeps(self, item: Item) -> bool:
        """Whether the title-level controls (adult, type, years, genres, popularity) keep
        `item`, a title the model scores or not: what the "continue" shelf shows. The ranking
        applies the same rules to catalog columns at once (`RankContext.passing`; a test holds
        them equal)."""
        if not self.shows(item):
            return False
        if self.types and item.type not in self.types:
            return False
        if self.year_min is not None or self.year_max is not None:
            lo = -math.inf if self.year_min is None else self.year_min
            hi = math.inf if self.year_max is None else self.year_max
            if item.year is None or not lo <= item.year <= hi:
                return False
        genres = set(item.genres)
        if not genres.issuperset(self.genres_required) or genres.intersection(
            self.genres_excluded
        ):
            return False
        return item.popularity >= self.min_popularity


def _unique(values) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _genres(values: tuple[str, ...]) -> tuple[str, ...]:
    return _unique(g for g in (str(v).strip() for v in values) if len(g) <= MAX_GENRE_LENGTH)


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return None


def _float(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _year(value: object) -> int | None:
    year = _int(value)
    return year if year is not None and YEAR_RANGE[0] <= year <= YEAR_RANGE[1] else None


# Query key → Filters field. Multi-valued fields repeat their key (type=TV&type=Movie), which
# needs no separator that a genre name could contain.
_KEYS = {
    "type": "types",
    "from": "year_min",
    "to": "year_max",
    "genre": "genres_required",
    "nogenre": "genres_excluded",
    "ptw": "plan_to_watch",
    "dropped": "hide_dropped_related",
    "sequels": "hide_unstarted_sequels",
    "minpop": "min_popularity",
    "niche": "niche",
    "n": "n",
    "adult": "adult",
}
QUERY_KEYS = frozenset(_KEYS)
_DEFAULTS = Filters()
_TUPLE_FIELDS = frozenset({"types", "genres_required", "genres_excluded"})
# Switches: their query words for True and for False.
_BOOL_WORDS = {
    "hide_dropped_related": ("hide", "show"),
    "hide_unstarted_sequels": ("hide", "show"),
    "adult": ("show", "hide"),
}


def to_query(filters: Filters) -> str:
    """The URL query (without "?") for `filters`; fields at their default are left out."""
    pairs: list[tuple[str, str]] = []
    for key, name in _KEYS.items():
        value = getattr(filters, name)
        if value == getattr(_DEFAULTS, name):
            continue
        if name in _TUPLE_FIELDS:
            pairs.extend((key, v) for v in value)
        elif name in _BOOL_WORDS:
            pairs.append((key, _BOOL_WORDS[name][not value]))
        elif isinstance(value, float):
            pairs.append((key, f"{value:g}"))
        else:
            pairs.append((key, str(value)))
    return urlencode(pairs)


def from_query(qs: str) -> Filters:
    """Parse a query string (with or without "?"); unknown keys and junk values are ignored."""
    values: dict[str, object] = {}
    for key, raw in parse_qsl(qs.lstrip("?"), keep_blank_values=False):
        name = _KEYS.get(key)
        if name is None:
            continue
        if name in _TUPLE_FIELDS:
            values[name] = (*values.get(name, ()), raw)  # type: ignore[misc]
        elif name in _BOOL_WORDS:
            if raw in _BOOL_WORDS[name]:
                values[name] = raw == _BOOL_WORDS[name][0]
        else:
            values[name] = raw
    return Filters(**values)  # type: ignore[arg-type]
