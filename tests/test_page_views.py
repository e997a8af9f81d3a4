"""What the page shows (web/py/views.py) in CPython: cards carry the readable match and the
cover (with its colour) only where the cover cache knows one and covers are on; the restore list
names hidden titles; the cover map for ui.applyCovers holds known covers only."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from animerec.covers import CoverCache
from animerec.filters import Filters
from animerec.franchise import Titles
from animerec.profile import Entry, Profile, Status
from animerec.ranking import Recommendation
from helpers import make_catalog

PATH = Path(__file__).resolve().parent.parent / "web" / "py" / "views.py"
_spec = importlib.util.spec_from_file_location("page_views", PATH)
views = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(views)

CATALOG = make_catalog([{"mal_id": 1, "title": "Mushishi"}, {"mal_id": 2, "title": "Monster"},
                        {"mal_id": 3, "title": "An OVA", "genres": ("Hentai",)}])  # fmt: skip
COVER = {"url": "https://s4.anilist.co/file/cover/1.jpg", "color": "#e4a15d"}


def test_card_match_and_cover() -> None:
    covers = CoverCache({1: COVER, 2: None})
    rec = Recommendation(CATALOG[0], 3.0, 54.4)
    card = views.card(rec, CATALOG, covers)
    assert card["match"] == "54% match"
    assert (card["cover"], card["color"]) == (COVER["url"], COVER["color"])
    no_cover = views.card(Recommendation(CATALOG[1], 2.0, 20.0), CATALOG, covers)
    assert no_cover["cover"] is None and no_cover["color"] is None
    assert views.card(rec, CATALOG, None)["cover"] is None  # covers off


def test_results_name_the_list_and_hidden_titles_are_listed() -> None:
    profile = Profile([Entry(2, Status.COMPLETED, 9)], source="mal-xml")
    listed = views.list_view(profile, Titles(CATALOG), "your MyAnimeList export", Filters().shows)
    view = json.loads(views.results([Recommendation(CATALOG[0], 1.0, 100.0)], listed,
                                    Titles(CATALOG)))  # fmt: skip
    assert view["who"] == "your MyAnimeList export" and len(view["cards"]) == 1
    assert "1 titles on the list are scored by the model, 0 more recognized" in view["summary"]
    assert json.loads(views.hidden([2, 99], CATALOG)) == [
        {"mal_id": 2, "title": "Monster"}, {"mal_id": 99, "title": "#99"}]  # fmt: skip


def test_cover_map_holds_known_covers_only() -> None:
    covers = CoverCache({1: COVER, 2: None})
    assert json.loads(views.cover_map(covers, [1, 2, 3])) == {"1": COVER}


def test_the_list_strip_shows_adult_titles_only_when_shown() -> None:
    """The visitor's own adult titles count (the summary) but are not on screen by default."""
    profile = Profile([Entry(3, Status.COMPLETED, 10), Entry(2, Status.COMPLETED, 9)])
    listed = views.list_view(profile, Titles(CATALOG), "a list", Filters().shows)
    assert [t["title"] for t in listed["list"]] == ["Monster"]
    assert listed["counts"].startswith("2 titles on the list are scored")
    shown = views.list_view(profile, Titles(CATALOG), "a list", Filters(adult=True).shows)
    assert [t["title"] for t in shown["list"]] == ["An OVA", "Monster"]
