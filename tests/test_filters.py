import json

import pytest
from animerec.catalog import Catalog, Item, is_adult
from animerec.filters import MAX_RESULTS, QUERY_KEYS, Filters, from_query, to_query
from helpers import ROOT

NON_DEFAULT = Filters(
    types=("Movie", "TV"),
    year_min=1998,
    year_max=2010,
    genres_required=("Slice of Life", "Sci-Fi"),
    genres_excluded=("Comedy", "Boys Love & Co"),
    plan_to_watch="boost",
    hide_dropped_related=False,
    hide_unstarted_sequels=False,
    min_popularity=25_000,
    niche=0.35,
    n=20,
    adult=True,
)


def test_defaults_give_an_empty_query():
    assert to_query(Filters()) == ""
    assert from_query("") == Filters()


@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        NON_DEFAULT,
        Filters(plan_to_watch="hide", n=1),
        Filters(year_max=1960, niche=2.0, n=MAX_RESULTS),
        Filters(genres_required=("Award Winning",)),
        Filters(adult=True),
        Filters(adult=True, hide_dropped_related=False, n=7),
    ],
)
def test_query_round_trips_exactly(filters):
    qs = to_query(filters)
    assert from_query(qs) == filters
    assert from_query("?" + qs) == filters
    assert to_query(from_query(qs)) == qs


def test_query_is_readable_and_uses_only_its_keys():
    qs = to_query(NON_DEFAULT)
    assert qs.startswith("type=Movie&type=TV&from=1998&to=2010&genre=Slice+of+Life")
    assert "nogenre=Boys+Love+%26+Co" in qs
    assert {pair.split("=")[0] for pair in qs.split("&")} <= QUERY_KEYS


def test_junk_values_are_ignored_not_fatal():
    junk = (
        "type=Cartoon&type=movie&from=abc&to=99999&genre=&nogenre=%00"
        "&ptw=maybe&dropped=1&sequels=&minpop=-5&niche=nan&n=lots&n=&%ZZ=1&=&&x"
    )
    f = from_query(junk)
    assert f.types == ("Movie",)  # case-insensitive, unknown types dropped
    assert (f.year_min, f.year_max) == (None, None)
    assert f.plan_to_watch == "show"
    assert f.hide_dropped_related is True
    assert f.min_popularity == 0
    assert f.niche == 0.0
    assert f.n == 50
    assert from_query(to_query(f)) == f


def test_other_keys_of_the_page_are_ignored():
    assert from_query("user=igorv&model=default&n=10") == Filters(n=10)


def test_values_are_clamped_and_normalized():
    f = from_query("from=2015&to=2001&n=100000&niche=7&type=TV&type=tv&genre=Drama&genre=Drama")
    assert (f.year_min, f.year_max) == (2001, 2015)
    assert f.n == MAX_RESULTS
    assert f.niche == 2.0
    assert f.types == ("TV",)
    assert f.genres_required == ("Drama",)
    assert Filters(n=0).n == 1
    assert Filters(niche=0.123456).niche == 0.12


def test_adult_titles_are_hidden_unless_shown() -> None:
    """The safe default: no adult title passes `Filters()`; `adult=True` (`?adult=show`, absent
    from the query while off) shows them. Adult means a Hentai or Erotica genre."""
    adult = Item(0, 1, "Some OVA", genres=("Hentai",))
    erotica = Item(1, 2, "Some film", genres=("Drama", "Erotica"))
    other = Item(2, 3, "Mushishi", genres=("Slice of Life", "Ecchi"))
    assert [i for i in (adult, erotica, other) if Filters().keeps(i)] == [other]
    assert not Filters().shows(adult) and Filters().shows(other)
    shown = from_query("adult=show")
    assert shown == Filters(adult=True) and to_query(shown) == "adult=show"
    assert all(shown.keeps(i) and shown.shows(i) for i in (adult, erotica, other))
    assert from_query("adult=hide") == from_query("adult=1") == from_query("adult=") == Filters()


def test_search_finds_adult_titles_only_when_shown() -> None:
    """The "rate a few" picker on the shipped catalog: the words of adult titles find none of
    them by default, and find them once shown."""
    catalog = Catalog.from_json(json.loads((ROOT / "models/default/catalog.json").read_text()))
    adult = [i for i in catalog if is_adult(i)]
    assert len(adult) == 493  # the README's figure
    for item in adult[::50]:
        assert not any(map(is_adult, catalog.search(item.title, 50, Filters().shows)))
        assert item in catalog.search(item.title, 50, Filters(adult=True).shows)
