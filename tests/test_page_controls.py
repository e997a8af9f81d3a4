"""The page's control glue (web/py/controls.py) in CPython: form values → Filters, and the URL
query that holds the view while keeping keys the controls do not own."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from urllib.parse import parse_qsl

from animerec.filters import Filters, from_query

PATH = Path(__file__).resolve().parent.parent / "web" / "py" / "controls.py"
_spec = importlib.util.spec_from_file_location("page_controls", PATH)
controls = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(controls)


def test_form_values_become_filters() -> None:
    form = {
        "types": ["Movie", "TV"], "year_min": "2012", "year_max": "", "genres_required": [],
        "genres_excluded": ["Comedy"], "plan_to_watch": "boost", "hide_dropped_related": False,
        "hide_unstarted_sequels": True, "min_popularity": "", "niche": "0.5", "n": "19",
    }  # fmt: skip
    assert controls.from_form(json.dumps(form)) == Filters(
        types=("Movie", "TV"), year_min=2012, genres_excluded=("Comedy",), plan_to_watch="boost",
        hide_dropped_related=False, niche=0.5, n=19,
    )  # fmt: skip
    half_typed = {"year_min": "20", "n": "", "unknown": "x"}
    assert controls.from_form(json.dumps(half_typed)) == Filters()


def test_form_round_trip() -> None:
    f = Filters(types=("OVA",), genres_required=("Drama",), min_popularity=1000)
    assert controls.from_form(controls.to_form(f)) == f
    defaults = json.loads(controls.spec(["Drama"]))["defaults"]
    assert controls.from_form(json.dumps(defaults)) == Filters()


def test_view_query_replaces_filter_and_model_keys_only() -> None:
    f = Filters(genres_excluded=("Slice of Life",), n=20)
    query = controls.view_query("?anilist=someone&nogenre=Comedy&model=old&n=5", f, "second")
    pairs = parse_qsl(query.lstrip("?"))
    assert pairs[0] == ("anilist", "someone")
    assert ("model", "second") in pairs and ("nogenre", "Comedy") not in pairs
    assert from_query(query) == f
    assert controls.view_query("?nogenre=Comedy&model=x", Filters(), None) == ""


def test_changed_counts_controls_off_their_default() -> None:
    assert controls.changed(Filters()) == 0
    assert controls.changed(Filters(types=("TV",), genres_excluded=("Comedy",), n=20)) == 3


def test_the_adult_switch_is_remembered_and_in_the_url() -> None:
    """Off unless the URL (`?adult=show`) or the visitor's remembered switch shows them;
    remembered as "show" or forgotten (the default) when turned off."""
    assert controls.with_remembered(from_query(""), None) == Filters()
    assert controls.with_remembered(from_query("n=5"), "show") == Filters(n=5, adult=True)
    assert controls.with_remembered(from_query("adult=show"), None).adult
    assert not controls.with_remembered(from_query(""), "junk").adult
    assert controls.remembered_adult(Filters(adult=True)) == "show"
    assert controls.remembered_adult(Filters()) is None
    form = {**json.loads(controls.to_form(Filters())), "adult": True}
    assert controls.from_form(json.dumps(form)) == Filters(adult=True)


def test_the_form_sets_the_adult_genres_apart() -> None:
    spec = json.loads(controls.spec(["Drama", "Ecchi", "Hentai"]))
    assert spec["genres"] == ["Drama", "Ecchi", "Hentai"] and spec["adult_genres"] == ["Hentai"]
