"""The map's Python side (web/py/atlas_view.py) in CPython on the committed catalog and a real
export: colour classes and legends per title, the titles lit up, the filters' mask (the same
titles the ranking keeps), and the card of a clicked title."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

from animerec.catalog import ADULT_GENRES, Catalog, is_adult
from animerec.filters import Filters
from animerec.parsers import parse_profile_file
from animerec.ranking import Candidates, RankContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "web" / "py"))
import atlas_view  # noqa: E402  (a page module: web/py is its folder on the page's sys.path)

CATALOG = Catalog.from_json(json.loads((ROOT / "models" / "default" / "catalog.json").read_text()))
EXPORT = ROOT.parent / "shared" / "fixtures" / "mal-export-xinil-evanalxen.xml"


def candidates() -> tuple[Candidates, object]:
    profile = parse_profile_file(EXPORT.read_bytes(), EXPORT.name)
    scores = [math.log1p(item.popularity) for item in CATALOG]  # a stand-in for the model
    return Candidates(RankContext(CATALOG), profile, scores), profile


def test_every_title_has_a_colour_class_in_its_legend() -> None:
    items = json.loads(atlas_view.items(CATALOG))
    assert items["titles"] == [i.title for i in CATALOG]
    for mode in ("genre", "year"):
        classes, legend = items[mode]["classes"], items[mode]["legend"]
        assert len(classes) == len(CATALOG)
        assert set(classes) <= set(range(len(legend)))
    genre, legend = items["genre"]["classes"], items["genre"]["legend"]
    assert not ADULT_GENRES & set(legend)
    for item, c in zip(CATALOG, genre, strict=True):
        assert legend[c] in item.genres or (legend[c] == "Other" and not set(item.genres)
                                            & set(legend))  # fmt: skip
    year, legend = items["year"]["classes"], items["year"]["legend"]
    for item, c in zip(CATALOG, year, strict=True):
        if item.year is None:
            assert legend[c] == "Unknown"
        else:
            first, last = map(int, legend[c].split("–"))
            assert first <= item.year <= last


def test_highlights_and_the_filter_mask() -> None:
    cands, profile = candidates()
    filters = Filters(types=("Movie",), year_min=2000, n=20)
    recs = cands.rank(filters)
    view = json.loads(atlas_view.highlights(cands, recs, profile, filters))
    assert view["recs"] == [r.item.index for r in recs]
    listed = {CATALOG.index_of(e.mal_id) for e in profile.entries} - {None}
    assert set(view["list"]) == listed
    kept = {i for i, flag in enumerate(view["kept"]) if flag == "1"}
    assert kept == {i.index for i in CATALOG if i.type == "Movie" and i.year is not None
                    and i.year >= 2000 and not is_adult(i)}  # fmt: skip
    assert set(view["recs"]) <= kept
    everything = json.loads(atlas_view.highlights(cands, recs, profile, Filters(adult=True)))
    assert everything["kept"] == "1" * len(CATALOG)
    assert everything["unshown_genres"] == []


def test_adult_titles_and_their_labels_are_not_drawn_by_default() -> None:
    """By default the mask marks every adult title "-" (not drawn), the visitor's own adult
    titles are not lit up, and the adult genres' region labels are named for hiding."""
    cands, profile = candidates()
    adult = {i.index for i in CATALOG if is_adult(i)}
    listed = sorted(adult)[:5]
    cands.watched |= set(listed)
    view = json.loads(atlas_view.highlights(cands, [], profile, Filters()))
    assert {i for i, flag in enumerate(view["kept"]) if flag == "-"} == adult
    assert not set(view["list"]) & adult
    assert view["unshown_genres"] == ["Erotica", "Hentai"]
    shown = json.loads(atlas_view.highlights(cands, [], profile, Filters(adult=True)))
    assert set(listed) <= set(shown["list"])


def test_card_of_a_clicked_title() -> None:
    cands, profile = candidates()
    index = CATALOG.index_of(5114)  # Fullmetal Alchemist: Brotherhood
    card = json.loads(atlas_view.card(index, cands, profile))
    assert card["mal_id"] == 5114 and card["title"] == CATALOG[index].title
    assert card["mal_url"].endswith("/5114")
    assert 0 <= int(card["match"].removesuffix("% match")) <= 100
