"""Watch together's page side (web/py/together.py) in CPython on the committed catalog: the
`with=` link's state, the pair's ranking leaving out both lists, and each card's reason per
person from that person's own leave-one-out."""

from __future__ import annotations

import asyncio
import json
import sys
from array import array
from dataclasses import replace
from pathlib import Path

import pytest
from animerec.catalog import Catalog
from animerec.explain import LeaveOneOut
from animerec.filters import Filters
from animerec.franchise import Titles
from animerec.profile import Entry, Profile, Status
from animerec.ranking import RankContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "web" / "py"))
import atlas_view  # noqa: E402  (page modules: web/py is their folder on the page's sys.path)
import together  # noqa: E402

CATALOG = Catalog.from_json(json.loads((ROOT / "models" / "default" / "catalog.json").read_text()))
N = len(CATALOG)
EVERYTHING = Filters(hide_dropped_related=False, hide_unstarted_sequels=False, n=N)


@pytest.mark.parametrize(
    ("value", "parsed"),
    [
        ("anilist:evanalxen", ("anilist", "evanalxen")),
        ("kitsu: someone ", ("kitsu", "someone")),
        ("anilist:", None),
        ("file:list.xml", None),
        ("evanalxen", None),
        (None, None),
    ],
)
def test_with_link_names_a_username_on_a_shared_site(value, parsed) -> None:
    assert together.parse_with(value) == parsed
    if parsed:
        assert together.parse_with(together.with_value(parsed)) == parsed


def test_an_uploaded_second_list_stays_out_of_the_address() -> None:
    partner = together.Partner(Profile([Entry(CATALOG[0].mal_id, Status.COMPLETED, 9)]), None)
    assert together.with_value(partner.shared) is None
    named = Profile([Entry(CATALOG[0].mal_id, Status.COMPLETED, 9)], "anilist", "Bob")
    assert together.with_value(together.Partner(named, ("anilist", "bob")).shared) == "anilist:Bob"


def scorer(favourites: dict[int, float]):
    """A stand-in model: a flat row, with the catalog indices of `favourites` raised."""

    async def predict(_row: array) -> list[float]:
        scores = [0.0] * N
        for i, s in favourites.items():
            scores[i] = s
        return scores

    return predict


def test_pair_ranking_leaves_out_both_lists_and_prefers_shared_taste() -> None:
    ids = [item.mal_id for item in CATALOG]
    mine = Profile([Entry(ids[0], Status.COMPLETED, 9), Entry(ids[1], Status.PLAN_TO_WATCH)])
    theirs = Profile([Entry(ids[1], Status.COMPLETED, 8), Entry(ids[2], Status.COMPLETED, 7)])
    partner = together.Partner(theirs, ("anilist", "bob"))
    asyncio.run(partner.score(CATALOG, scorer({3: 6.0, 4: 5.0, 5: 9.0, 1: 9.0})))
    my_scores = [0.0] * N
    my_scores[3], my_scores[4], my_scores[6], my_scores[2] = 6.0, 5.0, 9.0, 9.0
    cands = together.candidates(RankContext(CATALOG), mine, my_scores, partner, Titles(CATALOG))
    top = [r.item.index for r in cands.rank(replace(EVERYTHING, n=3))]
    assert top[:2] == [3, 4]  # liked by both, before each one's own favourite
    assert not {0, 1, 2} & {r.item.index for r in cands.rank(EVERYTHING)}


def test_each_card_gives_a_reason_for_each_person() -> None:
    ids = [item.mal_id for item in CATALOG]
    mine = Profile([Entry(ids[0], Status.COMPLETED, 9)], "anilist", "alice")
    theirs = Profile([Entry(ids[1], Status.COMPLETED, 8)], "anilist", "bob")
    partner = together.Partner(theirs, ("anilist", "bob"))
    full = [0.0] * N
    full[5] = 3.0
    without = [0.0] * N  # the title falls once the one title of the list is left out
    my_loo = LeaveOneOut(full, without, mine.entries)
    partner.loo = LeaveOneOut(full, without, theirs.entries)
    cands = together.candidates(RankContext(CATALOG), mine, full, _scored(partner, full),
                                Titles(CATALOG))  # fmt: skip
    recs = cands.rank(replace(EVERYTHING, n=1))
    why = together.reasons(recs, mine, my_loo, partner, Titles(CATALOG), Filters().shows)
    assert why[CATALOG[5].mal_id] == [
        f"alice liked {CATALOG[0].title}",
        f"bob liked {CATALOG[1].title}",
    ]


def _scored(partner, scores):
    partner.scores = scores
    return partner


def test_the_map_lights_both_lists() -> None:
    ids = [item.mal_id for item in CATALOG]
    mine = Profile([Entry(ids[0], Status.COMPLETED, 9)])
    theirs = Profile([Entry(ids[1], Status.COMPLETED, 8), Entry(ids[2], Status.PLAN_TO_WATCH)])
    partner = _scored(together.Partner(theirs, None), [0.0] * N)
    cands = together.candidates(RankContext(CATALOG), mine, [0.0] * N, partner, Titles(CATALOG))
    lit = together.both(mine, partner)
    view = json.loads(atlas_view.highlights(cands, cands.rank(Filters()), lit, Filters()))
    assert view["list"] == [0, 1, 2]
    assert together.both(mine, None) is mine
