"""Model scores → the visitor's recommendation list, re-ranked under `Filters` without the model.

Three lifetimes, so that a control change costs one pass over the catalog plus `heapq.nlargest`:

- `RankContext(catalog)`: once per catalog; per-item columns (type bits, genre bitmasks, years,
  log-popularity, relation groups, entry points).
- `Candidates(context, profile, scores)`: once per model output; what the profile says about each
  item (on the list, planned, related to a dropped title, a sequel of an unstarted show).
- `Candidates.rank(filters)`: per control change.

Scores are the model's logits. Adjustments are additive in logit space, i.e. multiplicative on the
softmax probability:

- niche boost: `logit − α·ln(max(members, POPULARITY_FLOOR))`, i.e. p(item | you) / members^α.
  α = 1 ranks by lift over popularity; the floor keeps items of unknown (0) or tiny membership
  from jumping to the top.
- plan-to-watch boost: `+ PLAN_TO_WATCH_BOOST` (×e² ≈ 7.4 on the probability).

`Recommendation.score` and `.match` stay the model's own (unadjusted) opinion. The match is the
softmax probability of the item relative to the best-scored title not on the list,
`100·exp(logit − top logit)`: 100 for the model's top pick, 50 for a title it thinks half as
likely to be the visitor's next one (the logits carry the temperature fitted on held-out users).

Titles the visitor marked "not interested" are left out of a ranking (`rank(…, hidden=…)`);
the list refills from the same model output.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from .catalog import MIN_STEM_LENGTH, TYPES, Catalog, Item, is_adult, title_stem
from .filters import Filters
from .franchise import Titles
from .profile import Entry, Profile, Status

POPULARITY_FLOOR = 1000
PLAN_TO_WATCH_BOOST = 2.0
YEAR_MAX = 10_000  # beyond any start year


@dataclass(frozen=True, slots=True)
class Recommendation:
    item: Item
    score: float  # the model's raw output for the item
    match: float  # 0–100: the model's probability relative to its top pick (module docstring)
    because: tuple[Entry, ...] = ()
    planned: bool = False  # on the visitor's plan-to-watch list


class RankContext:
    """Per-item columns of one catalog, computed once."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        items = list(catalog)
        self.genres = tuple(sorted({g for i in items for g in i.genres}))  # for the controls
        self.genre_bit = {g: 1 << b for b, g in enumerate(self.genres)}
        self.type_bits = [1 << TYPES.index(i.type) if i.type in TYPES else 0 for i in items]
        self.genre_masks = [self.genre_mask(i.genres) for i in items]
        self.years = [i.year for i in items]
        self.popularity = [i.popularity for i in items]
        self.adult = [is_adult(i) for i in items]
        self.adult_indices = frozenset(i for i, adult in enumerate(self.adult) if adult)
        self.log_popularity = [math.log(max(p, POPULARITY_FLOOR)) for p in self.popularity]
        # Relation groups as small ints. An item's own group is its franchise where the metadata
        # gives one, else its title stem; a profile entry claims both its franchise and its stem,
        # so an un-tagged sequel still matches a tagged first season by title.
        keys: dict[tuple, int] = {}
        stems = [title_stem(i.title) for i in items]
        self.stem_group = [
            keys.setdefault(("stem", s) if len(s) >= MIN_STEM_LENGTH else ("item", i), len(keys))
            for i, s in enumerate(stems)
        ]
        self.group = [
            self.stem_group[i.index]
            if i.franchise is None
            else keys.setdefault(("franchise", i.franchise), len(keys))
            for i in items
        ]
        self._keys = keys
        first_year: dict[int, int] = {}
        for g, year in zip(self.group, self.years, strict=True):
            if year is not None and year < first_year.get(g, YEAR_MAX):
                first_year[g] = year
        # A later season: its group started in an earlier year. Unknown years are entry points.
        self.is_sequel = [
            year is not None and year > first_year[g]
            for g, year in zip(self.group, self.years, strict=True)
        ]

    def genre_mask(self, genres: Iterable[str]) -> int:
        """Bits of `genres`; a genre the catalog lacks gets a bit no item has."""
        mask = 0
        for g in genres:
            mask |= self.genre_bit.get(g, 1 << len(self.genre_bit))
        return mask

    def type_mask(self, types: Iterable[str]) -> int:
        return sum(1 << TYPES.index(t) for t in set(types) if t in TYPES)

    def passing(
        self, filters: Filters, cand: Iterable[int], adult_left_out: bool = False
    ) -> list[int]:
        """The items of `cand` that the item-level filters keep (adult, type, year, genres,
        popularity): what the list shows and the map does not dim. `adult_left_out`: `cand`
        holds no adult title already (`Candidates`' cached bases)."""
        cand = list(cand)
        if not filters.adult and not adult_left_out:
            adult = self.adult
            cand = [i for i in cand if not adult[i]]
        if filters.types:
            mask, bits = self.type_mask(filters.types), self.type_bits
            cand = [i for i in cand if bits[i] & mask]
        if filters.year_min is not None or filters.year_max is not None:
            lo = -YEAR_MAX if filters.year_min is None else filters.year_min
            hi = YEAR_MAX if filters.year_max is None else filters.year_max
            years = self.years
            cand = [i for i in cand if years[i] is not None and lo <= years[i] <= hi]
        if filters.genres_required or filters.genres_excluded:
            need = self.genre_mask(filters.genres_required)
            ban = self.genre_mask(filters.genres_excluded)
            masks = self.genre_masks
            cand = [i for i in cand if masks[i] & need == need and not masks[i] & ban]
        if filters.min_popularity:
            pop, least = self.popularity, filters.min_popularity
            cand = [i for i in cand if pop[i] >= least]
        return cand

    def groups_of(self, indices: Iterable[int]) -> set[int]:
        """The relation groups `indices` claim: own group and stem group."""
        out: set[int] = set()
        for i in indices:
            out.add(self.group[i])
            out.add(self.stem_group[i])
        return out

    def groups_of_unscored(self, items: Iterable[Item]) -> set[int]:
        """The relation groups of this catalog that titles outside it claim (recognized titles
        on a list): their franchise's and their title stem's."""
        out: set[int] = set()
        for item in items:
            for key in (("franchise", item.franchise), ("stem", title_stem(item.title))):
                if key in self._keys:
                    out.add(self._keys[key])
        return out


class Candidates:
    """One model output for one profile, ready to be re-ranked under any `Filters`."""

    def __init__(
        self,
        context: RankContext,
        profile: Profile,
        scores: Sequence[float],
        titles: Titles | None = None,
    ) -> None:
        """`titles` (the recognized titles too) lets a dropped or watched title the model does not
        score still hide its franchise's relatives or start its franchise."""
        catalog = context.catalog
        if len(scores) != len(catalog):
            raise ValueError(f"{len(scores)} scores for a catalog of {len(catalog)} items")
        self.context = context
        self.scores = scores
        self.planned: set[int] = set()
        self.watched: set[int] = set()  # on the list with any other status
        dropped: list[int] = []
        unscored: list[tuple[Item, bool]] = []  # recognized titles watched: (item, dropped)
        for e in profile.entries:
            index = catalog.index_of(e.mal_id)
            if index is None:
                item = titles.by_mal_id(e.mal_id) if titles else None
                if item is not None and e.status is not Status.PLAN_TO_WATCH:
                    unscored.append((item, e.status is Status.DROPPED))
                continue
            (self.planned if e.status is Status.PLAN_TO_WATCH else self.watched).add(index)
            if e.status is Status.DROPPED:
                dropped.append(index)
        dropped_groups = context.groups_of(dropped)
        dropped_groups |= context.groups_of_unscored(
            i for i, was_dropped in unscored if was_dropped
        )
        started = context.groups_of(self.watched)
        started |= context.groups_of_unscored(i for i, _ in unscored)
        self.dropped_related = {i for i, g in enumerate(context.group) if g in dropped_groups}
        self.unstarted_sequels = {
            i for i, g in enumerate(context.group) if context.is_sequel[i] and g not in started
        }
        self._bases: dict[tuple[bool, bool, bool, bool], list[int]] = {}
        self._top = max((s for i, s in enumerate(scores) if i not in self.watched), default=0.0)

    def rank(self, filters: Filters, hidden: Collection[int] = ()) -> list[Recommendation]:
        """The `filters.n` best items under `filters`, best first, leaving out the catalog
        indices in `hidden` (titles the visitor is not interested in)."""
        ctx = self.context
        cand = self._base(filters)
        if hidden:
            cand = [i for i in cand if i not in hidden]
        cand = ctx.passing(filters, cand, adult_left_out=True)
        best = heapq.nlargest(filters.n, cand, key=self._key(filters))
        return [
            Recommendation(
                ctx.catalog[i], float(self.scores[i]), self.match(i), planned=i in self.planned
            )
            for i in best
        ]

    def match(self, index: int) -> float:
        """0–100: the model's probability for `index` relative to its top pick off the list."""
        return self.match_of(float(self.scores[index]))

    def match_of(self, logit: float) -> float:
        """0–100 for a `logit` on the model's scale (a title it scores or one scored on its
        scale, as `animerec.fresh` does), relative to the model's top pick off the list."""
        return 100.0 * math.exp(min(logit - self._top, 0.0))

    def _base(self, filters: Filters) -> list[int]:
        """Items the profile-dependent filters and the adult switch leave, cached per
        combination of those filters: the one filter most visitors never change is not paid
        for on every re-rank. Planned titles pass the relation filters (the visitor chose
        them), not the adult switch."""
        key = (
            filters.plan_to_watch == "hide",
            filters.hide_dropped_related,
            filters.hide_unstarted_sequels,
            filters.adult,
        )
        if key not in self._bases:
            hide_planned, hide_dropped, hide_sequels, adult = key
            blocked = set(self.watched)
            if hide_dropped:
                blocked |= self.dropped_related
            if hide_sequels:
                blocked |= self.unstarted_sequels
            blocked -= self.planned
            if hide_planned:
                blocked |= self.planned
            if not adult:
                blocked |= self.context.adult_indices
            self._bases[key] = [i for i in range(len(self.scores)) if i not in blocked]
        return self._bases[key]

    def _key(self, filters: Filters) -> Callable[[int], float]:
        """The ranking score: the logit with the documented additive adjustments."""
        scores = self.scores
        alpha = filters.niche
        boost = PLAN_TO_WATCH_BOOST if filters.plan_to_watch == "boost" else 0.0
        if not alpha and not boost:
            return scores.__getitem__
        log_pop, planned = self.context.log_popularity, self.planned
        return lambda i: scores[i] - alpha * log_pop[i] + (boost if i in planned else 0.0)


def top_n(
    scores: Sequence[float],
    profile: Profile,
    catalog: Catalog,
    n: int = 50,
) -> list[Recommendation]:
    """One-shot ranking under default `Filters`. To re-rank on every control change, keep a
    `RankContext` per catalog and a `Candidates` per model output instead."""
    return Candidates(RankContext(catalog), profile, scores).rank(Filters(n=n))


def time_rerank(
    candidates: Candidates,
    filters: Sequence[Filters],
    repeat: int = 20,
    hidden: Collection[int] = (),
) -> list[float]:
    """Milliseconds per `candidates.rank(f, hidden)`, cycling `repeat` times through `filters`:
    the hook the re-rank benchmark calls (CPython and Pyodide alike); `hidden` times the
    "not interested" path."""
    timings = []
    for _ in range(repeat):
        for f in filters:
            start = time.perf_counter()
            candidates.rank(f, hidden)
            timings.append(1000.0 * (time.perf_counter() - start))
    return timings
