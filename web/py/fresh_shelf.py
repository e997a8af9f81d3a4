"""The "New for you" shelf (issue 21): titles of the last seasons, airing and announced ones
included, ranked for this visitor under the same filters and "not interested" as the cards. The
model's own recent titles come with its logits, the titles it does not score with the
cold-start model's scores on the same scale (`animerec.fresh`), each card with what its place
rests on. The cold-start model loads after the first cards (`extra.load_fresh`, handed in as
`load`); without it the page has no shelf. No `js` import: CPython tests call it as the page
does.

Watching together (web/py/together.py), each person's titles are scored on their own list, and
the two scores of a title are combined as the cards' are (`together.combiner`): a title of the
model's gets exactly its card's joint score. Both lists are left out, and each card says why
for each person: "NAME liked X" from their leave-one-out for the model's titles, the
cold-start model's reasons on their list for the others."""

from __future__ import annotations

import json
from array import array
from collections.abc import Awaitable, Callable, Collection, Sequence

import pipeline
import together
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


class Person:
    """One list's side of the shelf: its model input, the model's logits for it, and the name
    its reasons go under when watching together ("" alone)."""

    def __init__(self, row: array, logits: Sequence[float], name: str = "") -> None:
        self.row, self.logits, self.name = row, logits, name


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
        self.people: list[Person] = []  # the list's, or the pair's two
        self.scores: dict[int, float] = {}
        self.on_list: set[int] = set()  # any status but plan-to-watch
        self.dropped: set[int] = set()
        self.planned: set[int] = set()
        self._reasons: dict[tuple[int, int, Callable[[Item], bool]], tuple[str, ...]] = {}

    async def prepare(
        self,
        profile: Profile,
        row: array,
        candidates: Candidates,
        pair: tuple[together.Partner, Sequence[float]] | None = None,
    ) -> bool:
        """Score the list (`row`: its model input; `candidates`: the model's output for it),
        loading the cold-start model on the first call; whether there is a shelf. Watching
        together, `pair` is the second list (scored) and the first list's own logits
        (`candidates` then hold the pair's joint scores)."""
        if not self._tried:
            self._tried = True
            self.model = await self._load()
        if self.model is None or self.model.n_items != len(row):  # none, or another catalog's
            return False
        self.forget()
        catalog = candidates.context.catalog
        combine = None
        if pair is None:
            self.people = [Person(row, candidates.scores)]
        else:
            partner, logits = pair
            if partner.row is None or partner.scores is None:
                return False
            first, second = together.names(profile, partner)
            self.people = [Person(row, logits, first),
                           Person(partner.row, partner.scores, second)]  # fmt: skip
            combine = together.combiner(catalog, profile, logits, partner)
            profile = together.both(profile, partner)  # both lists are left out
        each = []
        for person in self.people:
            steps = self.model.recent_scores_steps(person.row, person.logits, catalog)
            each.append(await finish_async(steps))
        if combine is None:
            self.scores = each[0]
        else:
            self.scores = {m: combine(score, each[1][m]) for m, score in each[0].items()}
        for e in profile.entries:
            if e.status is Status.PLAN_TO_WATCH:
                self.planned.add(e.mal_id)
            else:
                self.on_list.add(e.mal_id)
                if e.status is Status.DROPPED:
                    self.dropped.add(e.mal_id)
        return bool(self.scores)

    def shelf(
        self, titles: Titles, filters: Filters, hidden: Collection[int], cards: Collection[int] = ()
    ) -> list[int]:
        """The shelf's titles in page order (MyAnimeList ids): not on the list (planned ones
        are offered unless the filters hide them), not marked "not interested", kept by the
        filters, as the cards are, and not among the `cards` shown above it."""
        if not self.scores or self.model is None:
            return []
        return new_for_you(self.scores, titles, filters, set(hidden), self.model.since_year,
                           on_list=self.on_list, dropped=self.dropped,
                           planned=self.planned, cards=cards)  # fmt: skip

    def view(
        self,
        mal_ids: Sequence[int],
        titles: Titles,
        candidates: Candidates,
        loo: LeaveOneOut | None,
        shows: Callable[[Item], bool],
        covers: CoverCache | None = None,
        pair: tuple[Profile, together.Partner] | None = None,
    ) -> str:
        """The shelf for ui.renderView: every card with its match on the cards' scale; the
        model's titles explained as the cards are ("because you watched", once `loo` is in;
        watching together, `pair` = (the first list, the second): "NAME liked X" for each
        person), the others by the cold-start model's reasons (per person, together);
        explanations name only what `shows` lets on screen."""
        items = [(i, self.scores[m]) for m in mal_ids if (i := titles.by_mal_id(m)) is not None]
        recs = [Recommendation(i, score, candidates.match_of(score)) for i, score in items]
        scored = [r for r in recs if titles.scored(r.item.mal_id)]
        lines: dict[int, list[str]] = {}
        if pair is None:
            explained = {r.item.mal_id: r for r in pipeline.explained(scored, loo, titles.catalog,
                                                                      shows)}  # fmt: skip
            recs = [explained.get(r.item.mal_id, r) for r in recs]
        else:
            lines = together.reasons(scored, pair[0], loo, pair[1], titles, shows)
        cards = [self.card(r, titles, covers, shows, lines) for r in recs]
        return json.dumps({"cards": cards})

    def card(
        self,
        rec: Recommendation,
        titles: Titles,
        covers: CoverCache | None,
        shows: Callable[[Item], bool],
        lines: dict[int, list[str]] | None = None,
    ) -> dict:
        """A card of the shelf: the cards' own; for a title the model does not score, the
        cold-start model's reasons as one sentence (together: one per person, "NAME: …"),
        else `lines` (together's reasons for the model's titles) where given."""
        mal_id = rec.item.mal_id
        if titles.scored(mal_id):
            return views.card(rec, titles, covers, reasons=(lines or {}).get(mal_id, []))
        out = []
        for k, person in enumerate(self.people):
            sentence = "; ".join(self.reasons(mal_id, titles, shows, k))
            if sentence and person.name:
                out.append(f"{person.name}: {sentence}")
            elif sentence:
                out.append(sentence[:1].upper() + sentence[1:])
        return views.card(rec, titles, covers, reasons=out)

    def reasons(
        self, mal_id: int, titles: Titles, shows: Callable[[Item], bool], person: int = 0
    ) -> tuple[str, ...]:
        """What a title the model does not score owes its place to in the list of `person`,
        naming only titles that `shows` lets on screen (once per title, person, list and
        filters)."""
        key = (person, mal_id, shows)
        if key not in self._reasons and self.model is not None and person < len(self.people):
            who = self.people[person]
            self._reasons[key] = self.model.reasons(
                who.row, who.logits, mal_id, titles.catalog, REASONS, who.name or "you", shows
            )
        return self._reasons.get(key, ())
