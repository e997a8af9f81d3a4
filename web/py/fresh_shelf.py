"""The "New for you" shelf (issue 21): titles of the last seasons, airing and announced ones
included, ranked for this visitor under the same filters and "not interested" as the cards. The
model's own recent titles come with its logits, the titles it does not score with the
cold-start model's scores on the same scale (`animerec.fresh`), each card with what its place
rests on. The cold-start model loads after the first cards (`extra.load_fresh`, handed in as
`load`); without it the page has no shelf. No `js` import: CPython tests call it as the page
does."""

from __future__ import annotations

import json
from array import array
from collections.abc import Awaitable, Callable, Collection, Sequence

import pipeline
import views
from animerec.catalog import Item
from animerec.covers import CoverCache
from animerec.explain import LeaveOneOut
from animerec.filters import Filters
from animerec.franchise import Titles
from animerec.fresh import FreshModel, new_for_you
from animerec.profile import Profile, Status
from animerec.ranking import Candidates, Recommendation
from animerec.steps import finish_async

REASONS = 2  # explanations per card of a title the model does not score
Loader = Callable[[], Awaitable[FreshModel | None]]


class FreshShelf:
    """One model folder's cold-start model (loaded by the first request that asks) and what it
    says of the last list."""

    def __init__(self, load: Loader) -> None:
        self._load = load
        self._tried = False
        self.model: FreshModel | None = None
        self.forget()

    def forget(self) -> None:
        """A new list: the last one's shelf does not apply to it."""
        self.row: array | None = None
        self.logits: Sequence[float] = ()
        self.scores: dict[int, float] = {}
        self.on_list: set[int] = set()  # any status but plan-to-watch
        self.dropped: set[int] = set()
        self.planned: set[int] = set()
        self._reasons: dict[int, tuple[str, ...]] = {}

    async def prepare(self, profile: Profile, row: array, candidates: Candidates) -> bool:
        """Score the list (`row`: its model input; `candidates`: the model's output for it),
        loading the cold-start model on the first call; whether there is a shelf."""
        if not self._tried:
            self._tried = True
            self.model = await self._load()
        if self.model is None or self.model.n_items != len(row):  # none, or another catalog's
            return False
        self.forget()
        self.row, self.logits = row, candidates.scores
        steps = self.model.recent_scores_steps(row, self.logits, candidates.context.catalog)
        self.scores = await finish_async(steps)
        for e in profile.entries:
            if e.status is Status.PLAN_TO_WATCH:
                self.planned.add(e.mal_id)
            else:
                self.on_list.add(e.mal_id)
                if e.status is Status.DROPPED:
                    self.dropped.add(e.mal_id)
        return bool(self.scores)

    def shelf(self, titles: Titles, filters: Filters, hidden: Collection[int]) -> list[int]:
        """The shelf's titles in page order (MyAnimeList ids): not on the list (planned ones
        are offered unless the filters hide them), not marked "not interested", kept by the
        filters, as the cards are."""
        if not self.scores or self.model is None:
            return []
        return new_for_you(self.scores, titles, filters, set(hidden), self.model.since_year,
                           on_list=self.on_list, dropped=self.dropped,
                           planned=self.planned)  # fmt: skip

    def view(
        self,
        mal_ids: Sequence[int],
        titles: Titles,
        candidates: Candidates,
        loo: LeaveOneOut | None,
        shows: Callable[[Item], bool],
        covers: CoverCache | None = None,
    ) -> str:
        """The shelf for ui.renderShelf: every card with its match on the cards' scale; the
        model's titles explained as the cards are ("because you watched", once `loo` is in),
        the others by the cold-start model's reasons; explanations name only what `shows`
        lets on screen."""
        items = [(i, self.scores[m]) for m in mal_ids if (i := titles.by_mal_id(m)) is not None]
        recs = [Recommendation(i, score, candidates.match_of(score)) for i, score in items]
        scored = pipeline.explained(
            [r for r in recs if titles.scored(r.item.mal_id)], loo, titles.catalog, shows
        )
        explained = {r.item.mal_id: r for r in scored}
        cards = [self.card(explained.get(r.item.mal_id, r), titles, covers) for r in recs]
        return json.dumps({"cards": cards})

    def card(self, rec: Recommendation, titles: Titles, covers: CoverCache | None) -> dict:
        """A card of the shelf: the cards' own, with the cold-start model's reasons, as one
        sentence, for a title the model does not score."""
        mal_id = rec.item.mal_id
        reasons = () if titles.scored(mal_id) else self.reasons(mal_id, titles)
        sentence = "; ".join(reasons)
        lines = [sentence[:1].upper() + sentence[1:]] if sentence else []
        return views.card(rec, titles, covers, reasons=lines)

    def reasons(self, mal_id: int, titles: Titles) -> tuple[str, ...]:
        """What a title the model does not score owes its place to (once per title and list)."""
        if mal_id not in self._reasons and self.model is not None and self.row is not None:
            self._reasons[mal_id] = self.model.reasons(
                self.row, self.logits, mal_id, titles.catalog, REASONS
            )
        return self._reasons.get(mal_id, ())
