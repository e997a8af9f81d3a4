"""Franchise rules on real groups of franchises-2026.json, through the catalogs the converter
wrote (`models/default/catalog.json` and the recognized `catalog-extra.json`): "continue what you
love" and the relation filters, for titles the model scores and titles it only recognizes."""

from __future__ import annotations

import json
from functools import cache

from animerec.catalog import EXTRA_FILE, Catalog
from animerec.filters import Filters
from animerec.franchise import Titles, continuations
from animerec.profile import Entry, Profile, Status
from animerec.ranking import Candidates, RankContext
from helpers import ROOT

MODEL = ROOT / "models" / "default"
FRIEREN, FRIEREN_2 = 52991, 59978  # Sousou no Frieren (2023) and its 2nd Season (2026)
KUSURIYA, KUSURIYA_2, KUSURIYA_3 = 54492, 58514, 61987  # The Apothecary Diaries 1–3 (2023–26)
MAOMAO = 60749  # "Maomao no Hitorigoto 2nd Season": same group, another title stem
AOT, AOT_2, AOT_3 = 16498, 25777, 35760  # Shingeki no Kyojin, Season 2, Season 3


@cache
def titles() -> Titles:
    def read(name: str) -> Catalog:
        return Catalog.from_json(json.loads((MODEL / name).read_text(encoding="utf-8")))

    return Titles(read("catalog.json"), read(EXTRA_FILE))


def ids(items) -> list[int]:
    return [i.mal_id for i in items]


def test_groups_come_from_the_relation_source_not_title_stems():
    t = titles()
    assert t.by_mal_id(MAOMAO).franchise == t.by_mal_id(KUSURIYA).franchise is not None
    assert t.by_mal_id(FRIEREN_2).franchise == t.by_mal_id(FRIEREN).franchise
    assert ids(t.members(t.by_mal_id(AOT).franchise))[:1] == [AOT]  # in start order


def test_a_sequel_newer_than_the_training_data_follows_a_loved_first_season():
    t = titles()
    assert t.scored(FRIEREN) and not t.scored(FRIEREN_2)  # 2026: recognized, not scored
    loved = Profile([Entry(FRIEREN, Status.COMPLETED, 10)])
    assert ids(continuations(loved, t))[:1] == [FRIEREN_2]
    for not_loved in (Entry(FRIEREN, Status.COMPLETED, 6), Entry(FRIEREN, Status.WATCHING, 10),
                      Entry(FRIEREN, Status.PLAN_TO_WATCH)):  # fmt: skip
        assert FRIEREN_2 not in ids(continuations(Profile([not_loved]), t))


def test_the_next_season_comes_after_the_latest_one_watched():
    t = titles()
    first = Profile([Entry(KUSURIYA, Status.COMPLETED, 9)])
    assert ids(continuations(first, t))[:1] == [KUSURIYA_2]
    both = Profile([Entry(KUSURIYA, Status.COMPLETED, 9), Entry(KUSURIYA_2, Status.COMPLETED, 9)])
    shelf = ids(continuations(both, t))
    assert KUSURIYA_3 in shelf and KUSURIYA_2 not in shelf and KUSURIYA not in shelf
    aot = ids(continuations(Profile([Entry(AOT, Status.COMPLETED, 9)]), t))
    assert aot[:1] == [AOT_2]  # not the OVA, specials or music of the group


def test_a_dropped_franchise_hides_its_relatives_and_gets_no_shelf():
    t = titles()
    context = RankContext(t.catalog)
    scores = [0.0] * len(t.catalog)
    dropped = Profile([Entry(AOT, Status.DROPPED, 3), Entry(FRIEREN, Status.COMPLETED, 9)])
    ranked = Candidates(context, dropped, scores, t).rank(Filters(n=len(t.catalog)))
    shown = set(ids(r.item for r in ranked))
    assert AOT_2 not in shown and AOT_3 not in shown
    kept = Candidates(context, dropped, scores, t).rank(
        Filters(n=len(t.catalog), hide_dropped_related=False)
    )
    assert AOT_2 in set(ids(r.item for r in kept))
    both = Profile([Entry(FRIEREN, Status.COMPLETED, 10), Entry(FRIEREN_2, Status.DROPPED, 2)])
    assert continuations(both, t) == []


def test_a_dropped_title_the_model_does_not_score_still_hides_its_franchise():
    t = titles()
    context = RankContext(t.catalog)
    profile = Profile([Entry(FRIEREN_2, Status.DROPPED, 2)])
    scores = [0.0] * len(t.catalog)
    without = Candidates(context, profile, scores)  # no recognized titles: nothing to go on
    with_titles = Candidates(context, profile, scores, t)
    frieren = t.catalog.index_of(FRIEREN)
    assert frieren not in without.dropped_related
    assert frieren in with_titles.dropped_related
