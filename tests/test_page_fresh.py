"""The "New for you" shelf's Python side (web/py/fresh_shelf.py) in CPython, as the page calls it,
on the committed model (its real output, computed as tests/test_match.py does), its recognized
titles and cold-start model, and a real MyAnimeList export that holds recent titles: the shelf
holds titles of the model's recent years off the list, with their match on the cards' scale and
reasons for the titles the model does not score; filters and "not interested" apply; without a
cold-start model there is no shelf and nothing fails."""

from __future__ import annotations

import asyncio
import json
import sys

import pytest
from animerec.catalog import EXTRA_FILE, Catalog
from animerec.encoding import encode
from animerec.explain import LeaveOneOut
from animerec.filters import Filters
from animerec.franchise import Titles
from animerec.fresh import FRESH_FILE, SHELF_SIZE, FreshModel
from animerec.parsers import parse_profile_file
from animerec.profile import Entry, Profile, Status
from animerec.ranking import Candidates, RankContext
from helpers import FIXTURES, ROOT

from tests.test_match import MODEL, logits

sys.path.insert(0, str(ROOT / "web" / "py"))
import fresh_shelf  # a page module: web/py is its folder on the page's sys.path
import together

NO_FILTERS = Filters()
EXPORT = FIXTURES / "mal-export-v110-igorv.xml"  # watching 2023–2024 titles, plans to watch some


def read(name: str) -> dict:
    return json.loads((MODEL / name).read_text())


CATALOG = Catalog.from_json(read("catalog.json"))
TITLES = Titles(CATALOG, Catalog.from_json(read(EXTRA_FILE)))
PROFILE = parse_profile_file(EXPORT.read_bytes(), EXPORT.name)
ROW = encode(PROFILE, CATALOG)


@pytest.fixture(scope="module")
def candidates() -> Candidates:
    """The model's real output for the export, as the page holds it."""
    return Candidates(RankContext(CATALOG), PROFILE, logits(ROW, MODEL), TITLES)


@pytest.fixture(scope="module")
def model() -> FreshModel:
    return FreshModel.from_json(read(FRESH_FILE))


class Loader:
    """The page's loader of the cold-start model (`extra.load_fresh`), counting its calls."""

    def __init__(self, model: FreshModel | None) -> None:
        self.model = model
        self.calls = 0

    async def __call__(self) -> FreshModel | None:
        self.calls += 1
        return self.model


def shelve(model: FreshModel | None, candidates: Candidates, filters: Filters = NO_FILTERS,
           hidden: tuple[int, ...] = (), profile: Profile = PROFILE,
           ) -> tuple[fresh_shelf.FreshShelf, list[int], list[dict]]:  # fmt: skip
    """A shelf prepared as the page does, its ids and its view's cards."""
    shelf = fresh_shelf.FreshShelf(Loader(model))
    ready = asyncio.run(shelf.prepare(profile, ROW, candidates))
    assert ready == (model is not None)
    ids = shelf.shelf(TITLES, filters, hidden)
    view = shelf.view(ids, TITLES, candidates, None, Filters().shows)
    return shelf, ids, json.loads(view)["cards"]


def test_recent_titles_off_the_list_with_match_and_reasons(
    model: FreshModel, candidates: Candidates
) -> None:
    shelf, ids, cards = shelve(model, candidates)
    assert 0 < len(ids) <= SHELF_SIZE and [c["mal_id"] for c in cards] == ids
    watched = {e.mal_id for e in PROFILE.entries if e.status is not Status.PLAN_TO_WATCH}
    assert not set(ids) & watched
    assert all(TITLES.by_mal_id(i).year >= model.since_year for i in ids)
    for card in cards:  # the model's opinion, whatever the shelf's order adds to it
        assert card["match"] == f"{candidates.match_of(shelf.scores[card['mal_id']]):.0f}% match"
    unscored = [c for c in cards if not TITLES.scored(c["mal_id"])]
    assert unscored, "no title the model does not score made the shelf"
    assert all(c["reasons"] and c["reasons"][0][0].isupper() for c in unscored)
    assert not any(c["reasons"] for c in cards if TITLES.scored(c["mal_id"]))


def test_filters_and_not_interested_apply(model: FreshModel, candidates: Candidates) -> None:
    _, ids, _ = shelve(model, candidates)
    _, films, _ = shelve(model, candidates, Filters(types=("Movie",)))
    assert all(TITLES.by_mal_id(i).type == "Movie" for i in films)
    assert set(films) != set(ids)
    _, without_first, _ = shelve(model, candidates, hidden=(ids[0],))
    assert ids[0] not in without_first and set(ids[1:]) <= set(without_first)


def test_the_shelf_leaves_out_the_titles_the_cards_show(
    model: FreshModel, candidates: Candidates
) -> None:
    """The page hands the shelf its cards: a recent title among them is not shown twice, and
    the shelf's places go to the next titles."""
    shelf = shelve(model, candidates)[0]
    cards = [r.item.mal_id for r in candidates.rank(NO_FILTERS)]
    alone, below = shelf.shelf(TITLES, NO_FILTERS, ()), shelf.shelf(TITLES, NO_FILTERS, (), cards)
    assert set(alone) & set(cards), "no recent card to leave out"
    assert not set(below) & set(cards) and len(below) == len(alone)
    assert set(alone) - set(cards) < set(below)


def test_planned_and_dropped_titles_follow_the_filters(
    model: FreshModel, candidates: Candidates
) -> None:
    """A shelf title the list plans to watch stays unless the filters hide planned titles; one
    it dropped takes its franchise's other titles off the shelf unless the filters show them."""
    ids = shelve(model, candidates)[1]

    def related(mal_id: int) -> set[int]:
        franchise = TITLES.by_mal_id(mal_id).franchise
        return {i.mal_id for i in TITLES.members(franchise)} - {mal_id} if franchise else set()

    first = ids[0]
    planned = PROFILE.with_entries([*PROFILE.entries, Entry(first, Status.PLAN_TO_WATCH)])
    assert first in shelve(model, candidates, profile=planned)[1]
    hide = Filters(plan_to_watch="hide")
    assert first not in shelve(model, candidates, hide, profile=planned)[1]

    def dropping(mal_id: int, filters: Filters) -> set[int]:
        dropped = PROFILE.with_entries([*PROFILE.entries, Entry(mal_id, Status.DROPPED, 3)])
        return set(shelve(model, candidates, filters, profile=dropped)[1])

    shown = Filters(hide_dropped_related=False)
    sequel = next(i for i in ids if related(i))  # a shelf title of a franchise
    dropped = min(related(sequel))  # another title of it, dropped
    assert sequel in dropping(dropped, shown) and dropped not in dropping(dropped, shown)
    assert not dropping(dropped, NO_FILTERS) & (related(dropped) | {dropped})


def test_the_model_loads_once_and_a_new_list_forgets_the_shelf(
    model: FreshModel, candidates: Candidates
) -> None:
    load = Loader(model)
    shelf = fresh_shelf.FreshShelf(load)
    assert asyncio.run(shelf.prepare(PROFILE, ROW, candidates))
    ids = shelf.shelf(TITLES, NO_FILTERS, ())
    assert asyncio.run(shelf.prepare(PROFILE, ROW, candidates))
    assert load.calls == 1 and shelf.shelf(TITLES, NO_FILTERS, ()) == ids
    shelf.forget()
    assert shelf.shelf(TITLES, NO_FILTERS, ()) == []


def test_no_cold_start_model_no_shelf(model: FreshModel, candidates: Candidates) -> None:
    _, ids, cards = shelve(None, candidates)
    assert ids == [] and cards == []
    shelf = fresh_shelf.FreshShelf(Loader(model))  # built for a catalog of another length
    assert not asyncio.run(shelf.prepare(PROFILE, ROW[:-1], candidates))
    assert shelf.shelf(TITLES, NO_FILTERS, ()) == []


def test_match_of_any_logit_on_the_model_scale(candidates: Candidates) -> None:
    scores = candidates.scores
    top = max(s for i, s in enumerate(scores) if i not in candidates.watched)
    assert candidates.match_of(top) == 100.0 == candidates.match_of(top + 3)
    k = candidates.rank(NO_FILTERS)[9].item.index  # the tenth card
    assert candidates.match(k) == candidates.match_of(scores[k]) < 100.0


# --- watching together: the pair's shelf (issue 24) ------------------------------------------

FRIEND_EXPORT = FIXTURES / "mal-export-xinil-evanalxen.xml"


@pytest.fixture(scope="module")
def pair() -> tuple[together.Partner, list[float], Candidates]:
    """igorv with evanalxen as the page holds them: the second list scored by the real model,
    and the pair's candidates (joint scores), as web/py/main.py builds them."""
    friend = parse_profile_file(FRIEND_EXPORT.read_bytes(), FRIEND_EXPORT.name)
    partner = together.Partner(friend, ("anilist", friend.username))

    async def predict(row):
        return logits(row, MODEL)

    asyncio.run(partner.score(CATALOG, predict))
    mine = logits(ROW, MODEL)
    cands = together.candidates(RankContext(CATALOG), PROFILE, mine, partner, TITLES)
    return partner, mine, cands


def test_together_the_shelf_combines_both_people_as_the_cards_do(model: FreshModel, pair) -> None:
    """Each title's two scores (its logits, or the cold-start model's on each list) combined by
    the cards' rule: a model title's shelf score is its card's joint score; both lists are left
    out; the second person changes the shelf."""
    partner, mine, cands = pair
    shelf = fresh_shelf.FreshShelf(Loader(model))
    assert asyncio.run(shelf.prepare(PROFILE, ROW, cands, (partner, mine)))
    ids = shelf.shelf(TITLES, NO_FILTERS, ())
    assert 0 < len(ids) <= SHELF_SIZE
    seen = {e.mal_id for p in (PROFILE, partner.profile) for e in p.entries
            if e.status is not Status.PLAN_TO_WATCH}  # fmt: skip
    assert not set(ids) & seen
    combine = together.combiner(CATALOG, PROFILE, mine, partner)
    first = model.recent_scores(ROW, mine, CATALOG)
    second = model.recent_scores(partner.row, partner.scores, CATALOG)
    for m in ids:
        assert shelf.scores[m] == pytest.approx(combine(first[m], second[m]))
        if (i := CATALOG.index_of(m)) is not None:
            assert shelf.scores[m] == pytest.approx(cands.scores[i], abs=1e-5)
    assert any(not TITLES.scored(m) for m in ids) and any(TITLES.scored(m) for m in ids)
    alone = fresh_shelf.FreshShelf(Loader(model))
    asyncio.run(alone.prepare(PROFILE, ROW, Candidates(RankContext(CATALOG), PROFILE, mine,
                                                       TITLES)))  # fmt: skip
    assert alone.shelf(TITLES, NO_FILTERS, ()) != ids


def test_together_each_shelf_card_explains_for_each_person(model: FreshModel, pair) -> None:
    """The model's titles: "NAME liked X" from each person's leave-one-out, as the cards; the
    others: the cold-start model's reasons on each person's list, "NAME: …"."""
    partner, mine, cands = pair
    shelf = fresh_shelf.FreshShelf(Loader(model))
    asyncio.run(shelf.prepare(PROFILE, ROW, cands, (partner, mine)))
    ids = shelf.shelf(TITLES, NO_FILTERS, ())
    names = ("igorv", "evanalxen")
    # A stand-in leave-one-out per person: removing their first entry lowers every title.
    for_loo = []
    for profile, scores in ((PROFILE, mine), (partner.profile, partner.scores)):
        entry = next(e for e in profile.entries if CATALOG.index_of(e.mal_id) is not None
                     and e.status is Status.COMPLETED)  # fmt: skip
        for_loo.append(LeaveOneOut(scores, [s - 1.0 * (k % 2) for k, s in enumerate(scores)],
                                   [entry]))  # fmt: skip
    partner.loo = for_loo[1]
    cards = json.loads(shelf.view(ids, TITLES, cands, for_loo[0], Filters().shows,
                                  pair=(PROFILE, partner)))["cards"]  # fmt: skip
    fresh = [c for c in cards if not TITLES.scored(c["mal_id"])]
    assert fresh and all(
        {r.split(": ")[0] for r in c["reasons"]} == set(names) for c in fresh
    ), [c["reasons"] for c in fresh]
    assert any("a pick for evanalxen" in r for c in fresh for r in c["reasons"])
    scored = [c for c in cards if TITLES.scored(c["mal_id"])]
    said = [{r.split(" liked ")[0] for r in c["reasons"]} for c in scored]
    assert scored and said == [set(names) if CATALOG.index_of(c["mal_id"]) % 2 else set()
                               for c in scored]  # fmt: skip
    assert not any(c["because"] for c in cards)  # no "because you watched" for one of the two
