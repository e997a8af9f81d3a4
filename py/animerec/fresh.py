"""Scores for the titles the main model does not rank (no or too few ratings: this season's,
announced ones, older obscure ones), on the main model's logit scale, and the "New for you" shelf.

A fresh title j is scored from its content neighbours among the model's titles (same studio,
source, genres, themes, demographic, type, era; `converter/fresh_build.py` picks them and their
weights s_jm, Σ_m s_jm = 1) and from the visitor's main-model logits ℓ:

    score_j = near · Σ_{m ∉ list} s_jm·ℓ_m / Σ_{m ∉ list} s_jm   "like m, a pick for you"
            + direct · Σ_{m ∈ list} s_jm·x_m                  "same studio and source as m"
            + franchise · max_{m ∈ list, same franchise} x_m  "continues m"
            + retention · min_{m ∈ list, same franchise} (ln members_j − ln members_m)
                                                               how much of m's audience came back
            + unstarted, if its franchise has model titles and none is on the list
            + taste · τ_j,  τ_j = mean_{t ∈ tokens_j} h_t      the visitor's type, era, genres
            + taste_size · (τ_j − τ₀) · (ln n − n₀)            taste counts less on long lists
                                                               (ln n − n₀ capped: `size_spread_cap`)
            + bias_j                                           own popularity, calibration

(x: the encoded list, `animerec.encoding.encode`; h_t: the sum over the model titles with
token t of their logit less the mean logit, over their number + TASTE_SHRINK; n: the number of
the list's model titles; τ₀, n₀: the file's centres; bias_j holds the title's ln members and
their square). The first term is a weighted mean of logits, so the score sits on the logit
scale: the page may merge fresh titles with the cards and show their match the same way. The
weights and biases are fitted in `converter/fresh_build.py`; the measurement (cold-start split,
recent recall) is in converter/RESULTS.md.
"""

from __future__ import annotations

import itertools
import math
from array import array
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from .catalog import Catalog, Item
from .filters import Filters
from .franchise import start_key
from .ranking import POPULARITY_FLOOR
from .steps import Steps, finish

FRESH_FILE = "fresh.json"  # in the model folder, loaded after the first cards
FRESH_FORMAT = "animerec-fresh/4"
SINCE_YEAR = 2023  # default start year of the "New for you" shelf (the file says its own)
SHELF_SIZE = 20  # as many as the measurement compares with the 20 most popular recent titles
TITLES_PER_STEP = 2000
WEIGHT_CODES = 15  # neighbour weights ship as ints 1..15 of their title's largest
BIAS_SCALE = 100  # biases ship in hundredths of a logit
RETENTION_SCALE = 2  # a franchise entry's ln-members gap ships in halves
TASTE_SHRINK = 10.0  # titles' worth of a zero in a token's mean centred logit
KINDS = ("studio", "source", "genres", "themes", "demographic")  # bits of a neighbour's `shared`


class TitleSource(Protocol):
    def by_mal_id(self, mal_id: int) -> Item | None: ...

    def scored(self, mal_id: int) -> bool: ...


@dataclass(frozen=True)
class ShelfOrder:
    """The shelf's order: the model's titles by score + `popularity` × ln(members), the fresh
    ones (those it does not score) by score + `fresh_popularity` × ln(members) + `fresh_shift`,
    and past the first `fresh_after` places every `fresh_every`-th one (0: none) held for the
    best fresh title left. The slots are a choice, not a fit: the rating files end before the
    newest seasons, so no measurement can show a visitor watching them, and a fitted order
    would hide them (RESULTS.md)."""

    popularity: float = 0.25
    fresh_popularity: float = 0.0  # the fresh score holds its own (FreshHyper.popularity)
    fresh_shift: float = -4.0
    fresh_every: int = 4
    fresh_after: int = 8  # places 12, 16 and 20 of 20

    def slot(self, place: int) -> bool:
        """Whether the 1-based `place` is held for a fresh title."""
        past = place - self.fresh_after
        return bool(self.fresh_every) and past > 0 and past % self.fresh_every == 0

    def key(self, score: float, item: Item, fresh: bool) -> float:
        ln_members = math.log(max(item.popularity, POPULARITY_FLOOR))
        if fresh:
            return score + self.fresh_popularity * ln_members + self.fresh_shift
        return score + self.popularity * ln_members

    def arrange(self, keyed: list[tuple[float, int, bool]], n: int) -> list[int]:
        """The first `n` mal ids of (key, mal_id, fresh) under the slots."""
        keyed = sorted(keyed, key=lambda t: (-t[0], t[1]))
        fresh = (m for _, m, is_fresh in keyed if is_fresh)
        rest = (m for _, m, _ in keyed)
        out: list[int] = []
        while len(out) < min(n, len(keyed)):
            slot = self.slot(len(out) + 1)
            pick = next((m for m in fresh if m not in out), None) if slot else None
            out.append(pick or next(m for m in rest if m not in out))
        return out


SHELF_ORDER = ShelfOrder()  # the slots chosen, the rest searched on the 2025 file's users


class FreshError(ValueError):
    """The fresh file is not one this code can read."""


def size_spread_cap(taste: float, taste_size: float) -> float:
    """The most ln n − n₀ counts for: where taste's weight, taste + taste_size·(ln n − n₀),
    reaches zero. The fit is linear in ln n, and past that point (lists of well over a thousand
    model titles, rare among the users it was fitted on) it would hold a visitor's taste against
    the titles that match it."""
    return -taste / taste_size if taste_size < 0 else math.inf


class FreshModel:
    """The fresh titles' neighbours and biases (see the module docstring)."""

    def __init__(self, obj: dict[str, Any], starts: array) -> None:
        self.since_year: int = obj["since_year"]
        self.n_items: int = obj["n_items"]
        self.near: float = obj["weights"]["near"]
        self.direct: float = obj["weights"]["direct"]
        self.franchise: float = obj["weights"]["franchise"]
        self.unstarted: float = obj["weights"]["unstarted"]
        self.retention: float = obj["weights"]["retention"]
        self.taste: float = obj["weights"]["taste"]
        self.taste_size: float = obj["weights"]["taste_size"]
        self.taste_centre: float = obj["centres"]["taste"]
        self.size_centre: float = obj["centres"]["size"]
        cols = obj["titles"]
        self.mal_ids: list[int] = _undelta_runs(cols["mal_id_gaps"], [len(cols["bias"])])
        self.bias = [b / BIAS_SCALE for b in cols["bias"]]
        self.years: list[int] = [y or 0 for y in cols["year"]]  # 0: unknown
        self.starts = starts
        self.index = array("i", _undelta_runs(obj["neighbour_gaps"], cols["neighbours"]))
        self.weight = array("f", (w / WEIGHT_CODES for w in obj["neighbour_weight"]))
        self.shared = obj["neighbour_shared"]
        self.mass = [
            max(sum(self.weight[starts[j] : starts[j + 1]]), 1e-9) for j in range(len(self.mal_ids))
        ]
        self.fstarts = array("i", _cumulative(cols["franchise"]))
        self.findex = array("i", _undelta_runs(obj["franchise_gaps"], cols["franchise"]))
        self.fgap = array("f", (r / RETENTION_SCALE for r in obj["franchise_retention"]))
        model, fresh = obj["taste"]["model"], obj["taste"]["fresh"]
        self.model_tokens = _runs(model)
        self.fresh_tokens = _runs(fresh)
        self.token_count = Counter(t for tokens in self.model_tokens for t in tokens)
        if (
            max(self.index, default=-1) >= self.n_items
            or max(self.findex, default=-1) >= self.n_items
            or len(self.model_tokens) != self.n_items
            or len(self.fgap) != len(self.findex)
        ):
            raise FreshError("the file's titles do not fit the model's catalog")

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> FreshModel:
        return finish(cls.from_json_steps(obj))

    @classmethod
    def from_json_steps(cls, obj: dict[str, Any]) -> Steps[FreshModel]:
        """Read the file's columns (one step; the titles' offsets are summed in steps)."""
        if obj.get("format") != FRESH_FORMAT:
            raise FreshError(f"unknown fresh format {obj.get('format')!r}")
        counts = obj["titles"]["neighbours"]
        starts = array("i", [0])
        for lo in range(0, len(counts), TITLES_PER_STEP):
            total = starts[-1]
            for c in counts[lo : lo + TITLES_PER_STEP]:
                total += c
                starts.append(total)
            yield
        return cls(obj, starts)

    def __len__(self) -> int:
        return len(self.mal_ids)

    def scores(self, row: Sequence[float], logits: Sequence[float]) -> dict[int, float]:
        """{mal_id: score} of every fresh title, on the scale of the main model's `logits` for
        the same encoded list `row`."""
        return finish(self.scores_steps(row, logits, range(len(self.mal_ids))))

    def scores_steps(
        self, row: Sequence[float], logits: Sequence[float], which: Iterable[int]
    ) -> Steps[dict[int, float]]:
        """`scores` of the fresh titles at positions `which`, yielding every TITLES_PER_STEP."""
        if len(row) != self.n_items or len(logits) != self.n_items:
            raise ValueError(f"row/logits of {len(row)}/{len(logits)}, model of {self.n_items}")
        out: dict[int, float] = {}
        taste = self.token_taste(logits)
        n = max(sum(1 for v in row if v > 0), 1)
        spread = min(math.log(n) - self.size_centre, size_spread_cap(self.taste, self.taste_size))
        for done, j in enumerate(which, 1):
            out[self.mal_ids[j]] = self._score(j, row, logits, taste, spread)
            if done % TITLES_PER_STEP == 0:
                yield
        return out

    def token_taste(self, logits: Sequence[float]) -> dict[int, float]:
        """h_t of the module docstring: per token, the centred logits of the model titles
        that have it, summed, over their number + TASTE_SHRINK."""
        on = [m for m, tokens in enumerate(self.model_tokens) if tokens]
        mean = sum(logits[m] for m in on) / max(len(on), 1)
        out = dict.fromkeys(self.token_count, 0.0)
        for m in on:
            for t in self.model_tokens[m]:
                out[t] += logits[m] - mean
        return {t: v / (self.token_count[t] + TASTE_SHRINK) for t, v in out.items()}

    def _score(
        self,
        j: int,
        row: Sequence[float],
        logits: Sequence[float],
        taste: dict[int, float],
        spread: float,
    ) -> float:
        """The score of the fresh title at position `j` (the module docstring's sum), with
        `taste` the visitor's `token_taste` and `spread` ln n − n₀."""
        index, weight = self.index, self.weight
        near = mass = mine = 0.0
        for p in range(self.starts[j], self.starts[j + 1]):
            m = index[p]
            if row[m]:
                mine += weight[p] * row[m]
            else:
                near += weight[p] * logits[m]
                mass += weight[p]
        score = self.bias[j] + self.near * (near / mass if mass else 0.0)
        score += self.direct * mine / self.mass[j]
        tokens = self.fresh_tokens[j]
        liking = sum(taste.get(t, 0.0) for t in tokens) / max(len(tokens), 1)
        score += self.taste * liking + self.taste_size * (liking - self.taste_centre) * spread
        on = [p for p in range(self.fstarts[j], self.fstarts[j + 1]) if row[self.findex[p]]]
        if on:
            best = max(row[self.findex[p]] for p in on)
            return score + self.franchise * best + self.retention * min(self.fgap[p] for p in on)
        return score + (self.unstarted if self.fstarts[j + 1] > self.fstarts[j] else 0.0)

    def reasons(
        self,
        row: Sequence[float],
        logits: Sequence[float],
        mal_id: int,
        catalog: Catalog,
        n: int = 2,
        who: str = "you",
        shows: Callable[[Item], bool] = lambda _: True,
    ) -> tuple[str, ...]:
        """Up to `n` short reasons for `mal_id`'s score, strongest first: a watched title of its
        franchise, watched titles that share its studio, source …, then titles the model picks
        for this visitor that it resembles. `catalog`: the model's (neighbours are its titles);
        `who`: whose list it is, as the reasons name them ("you"; a name, watching together);
        only titles that `shows` lets on screen are named (`Filters.shows`: adult titles)."""
        j = self._position(mal_id)
        if j is None:
            return ()
        out: list[str] = []
        named: set[int] = set()
        franchise = self.findex[self.fstarts[j] : self.fstarts[j + 1]]
        sequel_of = [m for m in franchise if row[m] and shows(catalog[m])]
        if sequel_of:
            best = max(sequel_of, key=row.__getitem__)
            out.append(f"continues {catalog[best].title}")
            named.add(best)
        span = [p for p in range(self.starts[j], self.starts[j + 1])
                if self.index[p] not in named and shows(catalog[self.index[p]])]  # fmt: skip
        watched = sorted((p for p in span if row[self.index[p]]),
                         key=lambda p: -self.weight[p] * row[self.index[p]])  # fmt: skip
        picked = sorted((p for p in span if not row[self.index[p]]),
                        key=lambda p: -self.weight[p] * logits[self.index[p]])  # fmt: skip
        for p in watched:
            out.append(f"{_shared_text(self.shared[p], who)} as {catalog[self.index[p]].title}")
        for p in picked:
            out.append(f"like {catalog[self.index[p]].title}, a pick for {who}")
        return tuple(out[:n])

    def _position(self, mal_id: int) -> int | None:
        return self._by_mal.get(mal_id)

    @cached_property
    def _by_mal(self) -> dict[int, int]:
        """Position of each fresh title (built at the first explanation, not at load)."""
        return {m: j for j, m in enumerate(self.mal_ids)}

    def recent_scores(
        self, row: Sequence[float], logits: Sequence[float], catalog: Catalog
    ) -> dict[int, float]:
        """`recent_scores_steps` run to the end."""
        return finish(self.recent_scores_steps(row, logits, catalog))

    def recent_scores_steps(
        self, row: Sequence[float], logits: Sequence[float], catalog: Catalog
    ) -> Steps[dict[int, float]]:
        """The shelf's candidates, one scale: the score of each fresh title and the main
        model's logit of each of `catalog`'s titles that started in `since_year` or later."""
        recent = [j for j, year in enumerate(self.years) if year >= self.since_year]
        out = yield from self.scores_steps(row, logits, recent)
        for item in catalog:
            if item.year is not None and item.year >= self.since_year:
                out[item.mal_id] = float(logits[item.index])
        return out


def new_for_you(
    scores: dict[int, float],
    titles: TitleSource,
    filters: Filters,
    hidden: Collection[int],
    since_year: int,
    n: int = SHELF_SIZE,
    on_list: Collection[int] = (),
    order: ShelfOrder = SHELF_ORDER,
    dropped: Collection[int] = (),
    planned: Collection[int] = (),
    cards: Collection[int] = (),
) -> list[int]:
    """The "New for you" shelf in page order: the `n` best-scored titles of `scores` that
    started in `since_year` or later (airing and announced included), that `filters`' title
    rules keep, not in `hidden` ("not interested") nor `on_list` (the visitor's list but plan to
    watch). With `filters.hide_unstarted_sequels`, a later title of a franchise none of whose
    `on_list` titles the visitor has is left out, as on the cards; with
    `filters.hide_dropped_related`, every title of a franchise that holds a `dropped` id; with
    `filters.plan_to_watch == "hide"`, the `planned` ids. The titles that the `cards` show are
    left out too: each title once on the page. In `order` (`ShelfOrder`): what is new is also
    what few lists have rated, so the shelf leans on MyAnimeList members as the measurement
    says; the scores (and so the match) stay the model's."""
    started = {f for f in (_franchise(titles, m) for m in on_list) if f is not None}
    banned = set(on_list) | set(hidden) | set(cards)
    if filters.plan_to_watch == "hide":
        banned |= set(planned)
    gone = set()
    if filters.hide_dropped_related:
        gone = {f for f in (_franchise(titles, m) for m in dropped) if f is not None}
    firsts = _first_starts(titles, scores, since_year) if filters.hide_unstarted_sequels else {}
    keep: list[tuple[float, int, bool]] = []
    for mal_id, score in scores.items():
        item = titles.by_mal_id(mal_id)
        if item is None or item.year is None or item.year < since_year:
            continue
        if mal_id in banned or item.franchise in gone or not filters.keeps(item):
            continue
        first = firsts.get(item.franchise) if item.franchise is not None else None
        if first is not None and start_key(item) > first and item.franchise not in started:
            continue
        fresh = not titles.scored(mal_id)
        keep.append((order.key(score, item, fresh), mal_id, fresh))
    return order.arrange(keep, n)


def _first_starts(
    titles: TitleSource, scores: Iterable[int], since_year: int
) -> dict[int, tuple[int, int, int]]:
    """Per franchise of the scored titles that started in `since_year` or later, the start of
    its first title (the franchise's members where `titles` lists them, else that title)."""
    members = getattr(titles, "members", None)
    out: dict[int, tuple[int, int, int]] = {}
    for mal_id in scores:
        item = titles.by_mal_id(mal_id)
        if item is None or item.franchise is None or item.franchise in out:
            continue
        if item.year is None or item.year < since_year:
            continue
        group = members(item.franchise) if members else [item]
        out[item.franchise] = min((start_key(i) for i in group), default=start_key(item))
    return out


def _franchise(titles: TitleSource, mal_id: int) -> int | None:
    item = titles.by_mal_id(mal_id)
    return None if item is None else item.franchise


def _shared_text(bits: int, who: str = "you") -> str:
    names = [k for b, k in enumerate(KINDS) if bits >> b & 1][:2]
    return "same " + " and ".join(names) if names else f"akin to what {who} watched, such"


def _cumulative(counts: Sequence[int]) -> list[int]:
    out = [0]
    for c in counts:
        out.append(out[-1] + c)
    return out


def _runs(obj: dict[str, list[int]]) -> list[list[int]]:
    """Per title its token ids, from the file's counts and gaps."""
    flat = _undelta_runs(obj["gaps"], obj["counts"])
    starts = _cumulative(obj["counts"])
    return [flat[a:b] for a, b in itertools.pairwise(starts)]


def _undelta_runs(gaps: Sequence[int], counts: Sequence[int]) -> list[int]:
    """Sorted indices per title from their gaps (each title's first gap counts from 0)."""
    out: list[int] = []
    pos = 0
    for c in counts:
        value = 0
        for g in gaps[pos : pos + c]:
            value += g
            out.append(value)
        pos += c
    return out
