"""Watch together (issue 24): the second person's list, scored and explained beside the first,
and the pair's ranking and per-person reasons. No `js` import: CPython tests call it as the page
does. The combining rule is `animerec.together`'s (chosen by measurement, converter/RESULTS.md).

The link `?anilist=A&with=anilist:B` (or `with=kitsu:B`) opens the pair; a second list given as
a file or as rated titles is never put in the address bar."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence

import pipeline
from animerec import together
from animerec.catalog import Catalog, Item
from animerec.explain import LeaveOneOut
from animerec.franchise import Titles
from animerec.profile import Profile, Status
from animerec.ranking import Candidates, RankContext, Recommendation
from views import entry_title

SHARED_KINDS = ("anilist", "kitsu")  # sources a `with=KIND:NAME` link may name
REASONS_EACH = 2  # titles named per person on a card
FIRST, SECOND = "You", "Your friend"  # names for lists without a username
KNOWN_LISTS = 4  # second lists kept for back/forward


def parse_with(value: str | None) -> tuple[str, str] | None:
    """`with=KIND:NAME` as (kind, name); None for anything else."""
    kind, sep, name = (value or "").partition(":")
    name = name.strip()
    return (kind, name) if sep and kind in SHARED_KINDS and name else None


def with_value(shared: tuple[str, str] | None) -> str | None:
    """The `with=` value that names the second list (None: the list has no shareable name)."""
    return f"{shared[0]}:{shared[1]}" if shared else None


def same_list(a: tuple[str, str] | None, b: tuple[str, str] | None) -> bool:
    """Whether two (kind, name) name the same list (usernames are matched without case)."""
    return a is not None and b is not None and a[0] == b[0] and a[1].casefold() == b[1].casefold()


class Known:
    """The named second lists read this visit, the last KNOWN_LISTS, by (kind, name): back and
    forward through `with=` links bring one back without asking its site again."""

    def __init__(self) -> None:
        self._lists: dict[tuple[str, str], Profile] = {}

    @staticmethod
    def _key(shared: tuple[str, str]) -> tuple[str, str]:
        return shared[0], shared[1].casefold()

    def add(self, partner: Partner) -> None:
        if partner.shared is not None:
            key = self._key(partner.shared)
            self._lists.pop(key, None)
            self._lists[key] = partner.profile
            while len(self._lists) > KNOWN_LISTS:
                del self._lists[next(iter(self._lists))]

    def get(self, shared: tuple[str, str]) -> Profile | None:
        return self._lists.get(self._key(shared))


class Partner:
    """The second list, and what the model says of it (scores, then explanations)."""

    def __init__(self, profile: Profile, shared: tuple[str, str] | None) -> None:
        self.profile = profile
        self.shared = shared and (shared[0], profile.username or shared[1])
        self.row: array | None = None
        self.scores: Sequence[float] | None = None
        self.loo: LeaveOneOut | None = None

    def name(self) -> str:
        return self.profile.username or SECOND

    async def score(self, catalog: Catalog, predict) -> None:
        self.row = pipeline.encoded(self.profile, catalog)
        self.scores = await predict(self.row)
        self.loo = None

    async def explain(self, catalog: Catalog, predict_batch: pipeline.PredictBatch) -> None:
        if self.row is not None and self.scores is not None:
            self.loo = await pipeline.explainer(
                self.profile, catalog, self.row, self.scores, predict_batch
            )


def candidates(
    context: RankContext,
    mine: Profile,
    scores: Sequence[float],
    partner: Partner,
    titles: Titles,
) -> Candidates:
    """The pair's candidates: both lists left out, ranked by the joint score."""
    pair = together.merged(mine, partner.profile)
    joint = together.joint(scores, partner.scores, _seen(context.catalog, pair))
    return Candidates(context, pair, joint, titles)


def combiner(
    catalog: Catalog, mine: Profile, scores: Sequence[float], partner: Partner
) -> together.Combine:
    """The shipped rule for this pair (`animerec.together.combiner`): the cards' joint score of
    a title from its two scores, one per person, on the model's scale (the "New for you" shelf
    combines its titles with it)."""
    seen = _seen(catalog, together.merged(mine, partner.profile))
    return together.combiner(scores, partner.scores, seen)


def _seen(catalog: Catalog, pair: Profile) -> set[int]:
    """The catalog indices of the titles either person has on their list, plan-to-watch apart:
    what the joint rule normalizes without."""
    index_of = catalog.index_of
    return {
        i
        for e in pair.entries
        if e.status is not Status.PLAN_TO_WATCH and (i := index_of(e.mal_id)) is not None
    }


def names(mine: Profile, partner: Partner) -> tuple[str, str]:
    """What the cards call the two people."""
    return mine.username or FIRST, partner.name()


def pair_name(mine: Profile, partner: Partner) -> str:
    return " and ".join(names(mine, partner))


def both(mine: Profile, partner: Partner | None) -> Profile:
    """The lists the results stand for: the pair's (for the map's lit titles), else `mine`."""
    return mine if partner is None else together.merged(mine, partner.profile)


def reasons(
    recs: Sequence[Recommendation],
    mine: Profile,
    my_loo: LeaveOneOut | None,
    partner: Partner,
    titles: Titles,
    shows: Callable[[Item], bool],
) -> dict[int, list[str]]:
    """Per card (MyAnimeList id), one line per person whose list explains it: "NAME liked X, Y"
    from that person's own leave-one-out (their titles whose removal lowers the title most),
    naming only titles that `shows` lets on screen (`Filters.shows`)."""
    out: dict[int, list[str]] = {r.item.mal_id: [] for r in recs}
    indices = [r.item.index for r in recs]
    for name, loo in zip(names(mine, partner), (my_loo, partner.loo), strict=True):
        if loo is None:
            continue
        hide = pipeline.unnamed(loo, titles.catalog, shows)
        why = loo.because(indices, REASONS_EACH, unnamed=hide)
        for r in recs:
            if entries := why.get(r.item.index):
                liked = ", ".join(entry_title(e, titles) for e in entries)
                out[r.item.mal_id].append(f"{name} liked {liked}")
    return out
