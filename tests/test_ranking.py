import json
import math
import random

import pytest
from animerec.catalog import TYPES, Catalog, is_adult, title_stem
from animerec.filters import Filters
from animerec.parsers import parse_profile_file
from animerec.profile import Entry, Profile, Status
from animerec.ranking import Candidates, RankContext, top_n
from helpers import FIXTURES, ROOT, make_catalog

# (title, type, year, genres, franchise); mal_id = 1 + index; scores fall with the index, so
# without filters the order is the catalog order.
SPECS = [
    ("Shingeki no Kyojin", "TV", 2013, ("Action", "Drama"), None),
    ("Shingeki no Kyojin Season 2", "TV", 2017, ("Action",), None),
    ("Gintama", "TV", 2006, ("Comedy", "Action"), 7),
    ("Gintama: The Movie", "Movie", 2010, ("Comedy",), 7),
    ("Kimi no Na wa.", "Movie", 2016, ("Drama", "Romance"), None),
    ("Nichijou", "TV", 2011, ("Comedy",), None),
    ("Mushishi", "TV", 2005, ("Slice of Life",), None),
    ("Haikyuu!! Second Season", "TV", 2015, ("Sports",), None),
    ("Haikyuu!!", "TV", 2014, ("Sports",), None),
    ("Unknown Year", None, None, ("Drama",), None),
    ("Gintama Season 9", "TV", 2015, ("Comedy",), 7),
    ("Fate/Zero", "TV", 2011, ("Action",), 3),
    ("Fate/Zero 2nd Season", "TV", 2012, ("Action",), 3),
    ("Obscure OVA", "OVA", 2003, ("Drama",), None),
]
CATALOG = make_catalog(
    [
        {
            "mal_id": i + 1,
            "popularity": 1_000_000 - 50_000 * i,
            **dict(zip(("title", "type", "year", "genres", "franchise"), spec, strict=True)),
        }
        for i, spec in enumerate(SPECS)
    ]
)
CONTEXT = RankContext(CATALOG)
SCORES = [10.0 - i for i in range(len(CATALOG))]


def idx(title: str) -> int:
    return next(item.index for item in CATALOG if item.title == title)


def mal(title: str) -> int:
    return CATALOG[idx(title)].mal_id


def ranked(profile: Profile, filters: Filters | None = None) -> list[str]:
    recs = Candidates(CONTEXT, profile, SCORES).rank(filters or Filters())
    return [r.item.title for r in recs]


def started(*titles: str) -> list[Entry]:
    return [Entry(mal(t), Status.COMPLETED, 8) for t in titles]


# Every franchise started, so that only the filter under test removes anything.
ALL_STARTED = Profile(started("Shingeki no Kyojin", "Gintama", "Haikyuu!!", "Fate/Zero"))


def test_watched_titles_are_never_recommended():
    titles = ranked(ALL_STARTED)
    assert not {"Shingeki no Kyojin", "Gintama", "Haikyuu!!", "Fate/Zero"} & set(titles)
    assert titles == sorted(titles, key=idx)  # model order without adjustments


def test_exclude_and_require_genres():
    for title in ranked(ALL_STARTED, Filters(genres_excluded=("Comedy",))):
        assert "Comedy" not in CATALOG[idx(title)].genres
    required = ranked(ALL_STARTED, Filters(genres_required=("Drama", "Romance")))
    assert required == ["Kimi no Na wa."]
    assert ranked(ALL_STARTED, Filters(genres_required=("No Such Genre",))) == []
    assert ranked(ALL_STARTED, Filters(genres_excluded=("No Such Genre",))) == ranked(ALL_STARTED)


def test_year_range_is_inclusive_and_drops_unknown_years():
    titles = ranked(ALL_STARTED, Filters(year_min=2010, year_max=2015))
    assert titles and all(2010 <= CATALOG[idx(t)].year <= 2015 for t in titles)
    assert "Gintama: The Movie" in titles and "Gintama Season 9" in titles
    assert "Unknown Year" not in ranked(ALL_STARTED, Filters(year_min=1900))
    assert ranked(ALL_STARTED, Filters(year_max=2004)) == ["Obscure OVA"]


def test_type_filter():
    titles = ranked(ALL_STARTED, Filters(types=("Movie", "OVA")))
    assert titles == ["Gintama: The Movie", "Kimi no Na wa.", "Obscure OVA"]
    assert "Unknown Year" not in ranked(ALL_STARTED, Filters(types=TYPES))


def test_plan_to_watch_shown_marked_hidden_or_boosted():
    profile = Profile([*ALL_STARTED.entries, Entry(mal("Obscure OVA"), Status.PLAN_TO_WATCH)])
    recs = Candidates(CONTEXT, profile, SCORES).rank(Filters())
    marked = [r.item.title for r in recs if r.planned]
    assert marked == ["Obscure OVA"] and recs[-1].item.title == "Obscure OVA"
    assert "Obscure OVA" not in ranked(profile, Filters(plan_to_watch="hide"))
    boosted = ranked(profile, Filters(plan_to_watch="boost"))
    assert boosted.index("Obscure OVA") < ranked(profile).index("Obscure OVA")


def test_dropped_titles_hide_their_franchise_by_id():
    profile = Profile([*started("Fate/Zero"), Entry(mal("Gintama"), Status.DROPPED)])
    titles = ranked(profile)
    assert not {"Gintama: The Movie", "Gintama Season 9"} & set(titles)
    assert {"Gintama: The Movie", "Gintama Season 9"} <= set(
        ranked(profile, Filters(hide_dropped_related=False, hide_unstarted_sequels=False))
    )


def test_dropped_titles_hide_their_sequels_by_title_stem():
    profile = Profile([Entry(mal("Shingeki no Kyojin"), Status.DROPPED)])
    assert "Shingeki no Kyojin Season 2" not in ranked(profile)
    shown = ranked(profile, Filters(hide_dropped_related=False))
    assert "Shingeki no Kyojin Season 2" in shown  # the dropped show counts as started


def test_later_seasons_of_unstarted_shows_are_excluded():
    titles = ranked(Profile())
    # Entry points (first by year) stay; later items of the same franchise or stem go.
    for entry_point in ("Shingeki no Kyojin", "Gintama", "Haikyuu!!", "Fate/Zero"):
        assert entry_point in titles
    for later in ("Shingeki no Kyojin Season 2", "Gintama: The Movie", "Haikyuu!! Second Season"):
        assert later not in titles
    assert "Unknown Year" in titles
    # Started franchises show their sequels, whatever the status (on hold here).
    on_hold = Profile([Entry(mal("Haikyuu!!"), Status.ON_HOLD)])
    assert "Haikyuu!! Second Season" in ranked(on_hold)
    assert "Haikyuu!! Second Season" in ranked(Profile(), Filters(hide_unstarted_sequels=False))


def test_planned_sequel_is_shown_even_if_its_show_is_unstarted():
    profile = Profile([Entry(mal("Fate/Zero 2nd Season"), Status.PLAN_TO_WATCH)])
    assert "Fate/Zero 2nd Season" in ranked(profile)


def test_min_popularity():
    least = CATALOG[idx("Nichijou")].popularity
    titles = ranked(ALL_STARTED, Filters(min_popularity=least))
    assert titles[-1] == "Nichijou"
    assert all(CATALOG[idx(t)].popularity >= least for t in titles)


def test_niche_boost_lifts_less_popular_items():
    # Two items one logit apart; the less popular one is 20× less popular.
    cat = make_catalog(
        [
            {"mal_id": 1, "title": "Hit", "popularity": 2_000_000},
            {"mal_id": 2, "title": "Gem", "popularity": 100_000},
        ]
    )
    cands = Candidates(RankContext(cat), Profile(), [1.0, 0.0])
    assert [r.item.title for r in cands.rank(Filters())] == ["Hit", "Gem"]
    assert [r.item.title for r in cands.rank(Filters(niche=0.5))] == ["Gem", "Hit"]
    # The shown score and match stay the model's own: Gem is e⁻¹ as likely as the top pick.
    gem = cands.rank(Filters(niche=0.5))[0]
    assert gem.score == 0.0 and gem.match == pytest.approx(100 * math.exp(-1))


def test_n_is_respected():
    assert len(ranked(Profile(), Filters(n=3))) == 3
    assert len(ranked(Profile(), Filters(n=1, hide_unstarted_sequels=False))) == 1


def test_match_is_relative_to_the_top_pick():
    recs = Candidates(CONTEXT, Profile(), SCORES).rank(Filters(n=2))
    assert recs[0].match == 100.0
    assert recs[0].score == SCORES[0]
    assert recs[1].match == pytest.approx(100 * math.exp(recs[1].score - recs[0].score))


def test_hidden_titles_are_left_out_and_the_list_refills():
    cands = Candidates(CONTEXT, Profile(), SCORES)
    before = cands.rank(Filters(n=3, hide_unstarted_sequels=False))
    hidden = {before[0].item.index}
    after = cands.rank(Filters(n=3, hide_unstarted_sequels=False), hidden)
    assert [r.item for r in after[:2]] == [r.item for r in before[1:]]
    assert len(after) == 3 and before[0].item not in [r.item for r in after]
    assert after[0].match == before[1].match  # the match stays relative to the model's top


def test_top_n_still_works_and_checks_lengths():
    recs = top_n(SCORES, ALL_STARTED, CATALOG, n=4)
    assert [r.item.title for r in recs] == ranked(ALL_STARTED, Filters(n=4))
    with pytest.raises(ValueError):
        top_n(SCORES[:-1], ALL_STARTED, CATALOG)


@pytest.mark.parametrize(
    ("title", "stem"),
    [
        ("Shingeki no Kyojin Season 2", "shingeki no kyojin"),
        ("Shingeki no Kyojin: The Final Season", "shingeki no kyojin"),
        ("Shingeki no Kyojin Season 3 Part 2", "shingeki no kyojin"),
        ("Boku no Hero Academia 2nd Season", "boku no hero academia"),
        ("Sword Art Online II", "sword art online"),
        ("Gintama°", "gintama"),
        ("Code Geass: Hangyaku no Lelouch R2", "code geass"),
        ("86", "86"),  # too short to shorten
    ],
)
def test_title_stem(title, stem):
    assert title_stem(title) == stem


def test_title_stem_last_word_shortcut_changes_nothing():
    """title_stem skips the sequel regex when the last word cannot end a marker: on every title
    of the shipped catalog it gives what the regex alone gives."""
    from animerec import catalog

    def regex_only(title: str) -> str:
        stem = " ".join(catalog.fold_title(title.split(": ", 1)[0]).split())
        while (shorter := catalog._SEQUEL_SUFFIX.sub("", stem)) != stem:
            if len(shorter) < catalog.MIN_STEM_LENGTH:
                break
            stem = shorter
        return stem

    items = json.loads((ROOT / "models" / "default" / "catalog.json").read_text())["items"]
    titles = items["title"] + [t for t in items["title_en"] if t]
    assert sum(title_stem(t) != " ".join(catalog.fold_title(t).split()) for t in titles) > 500
    assert [title_stem(t) for t in titles] == [regex_only(t) for t in titles]


def test_real_profile_on_a_catalog_of_its_titles():
    profile = parse_profile_file((FIXTURES / "mal-export-v110-igorv.xml").read_bytes())
    extra = [{"mal_id": 10_000_000 + k, "title": f"Unseen {k}"} for k in range(50)]
    cat = make_catalog(
        [{"mal_id": e.mal_id, "title": e.title or str(e.mal_id)} for e in profile.entries] + extra
    )
    scores = [random.Random(i).gauss(0, 2) for i in range(len(cat))]
    recs = Candidates(RankContext(cat), profile, scores).rank(Filters(n=500))
    on_list = {e.mal_id for e in profile.entries if e.status is not Status.PLAN_TO_WATCH}
    assert not on_list & {r.item.mal_id for r in recs}
    planned = {e.mal_id for e in profile.entries if e.status is Status.PLAN_TO_WATCH}
    assert {r.item.mal_id for r in recs if r.planned} <= planned


REAL_CATALOG = ROOT / "models" / "default" / "catalog.json"


@pytest.mark.skipif(not REAL_CATALOG.exists(), reason="the default model is not built")
def test_filters_on_the_real_catalog():
    cat = Catalog.from_json(json.loads(REAL_CATALOG.read_text()))
    profile = parse_profile_file((FIXTURES / "mal-export-v110-igorv.xml").read_bytes())
    scores = [random.Random(i).gauss(0, 2) for i in range(len(cat))]
    cands = Candidates(RankContext(cat), profile, scores)
    f = Filters(types=("TV",), year_min=2000, genres_excluded=("Comedy",), n=100)
    recs = cands.rank(f)
    assert len(recs) == 100
    for r in recs:
        assert r.item.type == "TV" and r.item.year >= 2000 and "Comedy" not in r.item.genres


@pytest.mark.parametrize("seed", range(40))
def test_item_level_filters_agree_with_the_ranking_columns(seed: int) -> None:
    """`Filters.keeps` (one title, the shelf's check) and `RankContext.passing` (the catalog's
    columns, the ranking's) keep exactly the same titles of the real catalog, under random
    types, years, genres and popularity floors."""
    cat = Catalog.from_json(json.loads(REAL_CATALOG.read_text()))
    context = RankContext(cat)
    rng = random.Random(seed)
    genres = [*context.genres, "Not A Genre"]
    years = sorted(rng.sample(range(1960, 2030), 2))
    filters = Filters(
        types=tuple(rng.sample(TYPES, rng.randint(0, 2))),
        year_min=rng.choice([None, years[0]]),
        year_max=rng.choice([None, years[1]]),
        genres_required=tuple(rng.sample(genres, rng.choice([0, 0, 1, 2]))),
        genres_excluded=tuple(rng.sample(genres, rng.choice([0, 1, 2]))),
        min_popularity=rng.choice([0, 0, 1000, 100_000]),
        adult=rng.choice([False, True]),
    )
    kept = {i.index for i in cat if filters.keeps(i)}
    assert kept == set(context.passing(filters, range(len(cat))))
    if filters in (Filters(), Filters(adult=True)):
        adult = sum(map(is_adult, cat))
        assert len(kept) == len(cat) - (0 if filters.adult else adult)


def test_no_adult_title_is_recommended_by_default() -> None:
    """A list of adult titles only, and a model stand-in that scores adult titles highest:
    by default not one card is adult (the rest of the catalog fills the list); shown, they
    lead it."""
    cat = Catalog.from_json(json.loads(REAL_CATALOG.read_text()))
    adult = [i for i in cat if is_adult(i)]
    planned = [Entry(i.mal_id, Status.PLAN_TO_WATCH, None) for i in adult[40:50]]
    profile = Profile([Entry(i.mal_id, Status.COMPLETED, 9) for i in adult[:40]] + planned)
    scores = [10.0 if is_adult(i) else math.log1p(i.popularity) / 10 for i in cat]
    cands = Candidates(RankContext(cat), profile, scores)
    for ptw in ("show", "boost"):  # planned adult titles too, boosted or not
        assert not [r for r in cands.rank(Filters(n=200, plan_to_watch=ptw)) if is_adult(r.item)]
    assert len(cands.rank(Filters(n=200))) == 200
    shown = cands.rank(Filters(n=50, adult=True))
    assert all(is_adult(r.item) for r in shown) and any(r.planned for r in shown)
