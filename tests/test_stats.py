import xml.etree.ElementTree as ET

import pytest
from animerec.parsers import parse_profile_file
from animerec.profile import Entry, Profile, Status
from animerec.stats import (
    genre_svg,
    mainstream_svg,
    popularity_percentiles,
    profile_stats,
    score_svg,
    summary,
    type_svg,
)
from helpers import FIXTURES, make_catalog

SVG = "{http://www.w3.org/2000/svg}"
CATALOG = make_catalog(
    [
        {"mal_id": 1, "title": "A", "type": "TV", "genres": ("Action", "Drama"), "popularity": 10},
        {"mal_id": 2, "title": "B", "type": "TV", "genres": ("Action",), "popularity": 20},
        {"mal_id": 3, "title": "C", "type": "Movie", "genres": ("<script>",), "popularity": 30},
        {"mal_id": 4, "title": "D", "type": None, "genres": (), "popularity": 40},
        {"mal_id": 5, "title": "E", "type": "OVA", "genres": ("Drama",), "popularity": 50},
    ]
)
PROFILE = Profile(
    [
        Entry(1, Status.COMPLETED, 8),
        Entry(2, Status.COMPLETED, 8),
        Entry(3, Status.DROPPED, 3),
        Entry(4, Status.WATCHING),
        Entry(5, Status.PLAN_TO_WATCH),  # not watched: no genres/type/mainstream
        Entry(999, Status.COMPLETED, 10),  # not in the catalog: counts for scores only
    ]
)


def test_numbers_on_a_hand_built_profile():
    stats = profile_stats(PROFILE, CATALOG)
    assert stats.score_counts == (0, 0, 1, 0, 0, 0, 0, 2, 0, 1)
    assert stats.mean_score == pytest.approx((3 + 8 + 8 + 10) / 4)
    assert stats.genres == (("Action", 2), ("<script>", 1), ("Drama", 1))
    assert stats.types == (("TV", 2), ("Movie", 1), ("Unknown", 1))
    assert stats.mainstream == pytest.approx((0 + 25 + 50 + 75) / 4)
    assert (stats.known, stats.total) == (4, 6)


def test_recognized_titles_count_for_genres_and_types_not_mainstream():
    extra = make_catalog([{"mal_id": 999, "title": "Z", "type": "Movie", "genres": ("Drama",)}])
    stats = profile_stats(PROFILE, CATALOG, extra)
    assert stats.genres == (("Action", 2), ("Drama", 2), ("<script>", 1))
    assert stats.types == (("TV", 2), ("Movie", 2), ("Unknown", 1))
    assert stats.mainstream == pytest.approx((0 + 25 + 50 + 75) / 4)  # model's titles only
    assert (stats.known, stats.recognized) == (4, 1)
    assert summary(stats).startswith(
        "6 titles on the list, 4 of them in the catalog, 1 more recognized (not scored)."
    )


def test_popularity_percentiles_count_ties_half():
    cat = make_catalog(
        [{"mal_id": m, "title": "x", "popularity": p} for m, p in enumerate([5, 5, 9])]
    )
    assert popularity_percentiles(cat) == [25.0, 25.0, 100.0]


@pytest.mark.parametrize("chart", [score_svg, genre_svg, type_svg, mainstream_svg])
def test_svg_parses_and_escapes_data(chart):
    svg = chart(profile_stats(PROFILE, CATALOG))
    root = ET.fromstring(svg)  # well-formed XML despite a genre called "<script>"
    assert root.tag == SVG + "svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(SVG + "title").text == root.get("aria-label")
    assert "<script>" not in svg
    assert "currentColor" in svg
    texts = [t.text for t in root.iter(SVG + "text")]
    if chart is genre_svg:
        assert "<script>" in texts


def test_empty_profile():
    stats = profile_stats(Profile(), CATALOG)
    assert stats.mean_score is None and stats.mainstream is None and stats.genres == ()
    for chart in (score_svg, genre_svg, type_svg, mainstream_svg):
        ET.fromstring(chart(stats))
    assert summary(stats) == "0 titles on the list, 0 of them in the catalog."


def test_real_profile_summary():
    profile = parse_profile_file((FIXTURES / "mal-export-v110-igorv.xml").read_bytes())
    catalog = make_catalog(
        [
            {"mal_id": e.mal_id, "title": e.title or "?", "type": "TV", "popularity": k}
            for k, e in enumerate(profile.entries)
        ]
    )
    stats = profile_stats(profile, catalog)
    assert sum(stats.score_counts) == sum(e.score is not None for e in profile.entries)
    assert stats.types[0][0] == "TV"
    text = summary(stats)
    assert text.startswith(f"{len(profile)} titles on the list")
    assert "Mainstream:" in text
