import pytest
from animerec.catalog import MAX_QUERY, Catalog
from animerec.encoding import encode, encode_sparse, entry_weight, known_entries
from animerec.parsers import parse_profile_file
from animerec.profile import Entry, Profile, Status, clamp_score
from helpers import FIXTURES, make_catalog

CATALOG = make_catalog(
    [{"mal_id": m, "title": f"T{m}", "popularity": 100 - m} for m in (10, 20, 30, 40)]
)


def test_weights_follow_the_documented_table():
    assert entry_weight(Entry(1, Status.COMPLETED, 10)) == pytest.approx(1.0)
    assert entry_weight(Entry(1, Status.COMPLETED, 1)) == pytest.approx(0.28)
    assert entry_weight(Entry(1, Status.WATCHING)) == pytest.approx(0.7)
    assert entry_weight(Entry(1, Status.DROPPED, 9)) == pytest.approx(0.2)
    assert entry_weight(Entry(1, Status.PLAN_TO_WATCH, 9)) == 0.0


def test_dense_and_sparse_agree_and_skip_unknown_titles():
    profile = Profile(
        [
            Entry(30, Status.COMPLETED, 5),
            Entry(999, Status.COMPLETED, 9),  # not in the catalog
            Entry(10, Status.PLAN_TO_WATCH),
            Entry(20, Status.DROPPED),
        ]
    )
    indices, values = encode_sparse(profile, CATALOG)
    assert indices == [1, 2]
    assert values == pytest.approx([0.2, 0.6])
    dense = encode(profile, CATALOG)
    assert dense.typecode == "f" and len(dense) == 4
    assert list(dense) == pytest.approx([0.0, 0.2, 0.6, 0.0])
    assert [e.mal_id for e in known_entries(profile, CATALOG)] == [30, 20]


def test_catalog_json_round_trip_preserves_items():
    cat = make_catalog(
        [
            {"mal_id": 1, "title": "Cowboy Bebop", "genres": ("Action", "Sci-Fi"), "year": 1998,
             "type": "TV", "episodes": 26, "popularity": 5, "anilist_id": 1, "franchise": 3},
            {"mal_id": 5, "title": "Tengoku no Tobira", "title_en": "Knockin' on Heaven's Door",
             "genres": ("Action",), "type": "Movie", "franchise": 3},
        ]
    )  # fmt: skip
    again = Catalog.from_json(cat.to_json())
    assert list(again) == list(cat)
    assert again.anilist_to_mal() == {1: 1}
    assert [i.mal_id for i in again.search("heaven")] == [5]
    assert [i.mal_id for i in again.search("COWBOY bébop")] == [1]
    assert [i.mal_id for i in again.search("bebop " * 200_000)] == [1]  # one word, once
    assert again.search("x" * MAX_QUERY + " cowboy") == []  # words past MAX_QUERY do not count


def test_real_profile_encodes_only_known_titles():
    profile = parse_profile_file((FIXTURES / "mal-export-v110-igorv.xml").read_bytes())
    ids = sorted(profile.ids())[:50]
    cat = make_catalog([{"mal_id": m, "title": str(m)} for m in ids])
    indices, values = encode_sparse(profile, cat)
    expected = [
        cat.index_of(e.mal_id)
        for e in profile.entries
        if e.mal_id in set(ids) and e.status is not Status.PLAN_TO_WATCH
    ]
    assert indices == sorted(expected)
    assert all(0 < v <= 1 for v in values)


@pytest.mark.parametrize(("score", "weight"), [(8.5, 0.88), (7.3, 0.784), (9.5, 0.96), (1.5, 0.32)])
def test_decimal_scores_keep_their_weight(score, weight):
    """AniList's POINT_10_DECIMAL and Kitsu's half points reach the row as they are: 8.5 is
    halfway between 8 and 9, not rounded to either (same formula, same ENCODING_VERSION)."""
    profile = Profile([Entry(20, Status.COMPLETED, clamp_score(score))])
    row = encode(profile, CATALOG)
    assert row[CATALOG.index_of(20)] == pytest.approx(weight, abs=1e-6)
    whole = encode(Profile([Entry(20, Status.COMPLETED, clamp_score(round(score)))]), CATALOG)
    assert row[CATALOG.index_of(20)] != whole[CATALOG.index_of(20)]
