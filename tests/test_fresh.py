"""Fresh titles (issue 21): the page's scores equal the converter's measurement, the shelf keeps
the card rules, and a deployer's new season (metadata only, no ratings) is scored after a
refresh of the model folder."""

from __future__ import annotations

import argparse
import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from animerec.catalog import Catalog
from animerec.filters import Filters
from animerec.franchise import Titles
from animerec.fresh import FRESH_FILE, FreshModel, ShelfOrder, new_for_you

from converter import fresh_build
from tests.helpers import SHARED, make_catalog

WARM = [
    {"mal_id": 1, "title": "Alpha", "type": "TV", "year": 2015, "genres": ("Action",),
     "popularity": 90_000, "franchise": 1},
    {"mal_id": 2, "title": "Beta", "type": "TV", "year": 2016, "genres": ("Romance",),
     "popularity": 50_000},
    {"mal_id": 3, "title": "Gamma", "type": "Movie", "year": 2018, "genres": ("Action",),
     "popularity": 20_000},
    {"mal_id": 4, "title": "Delta", "type": "TV", "year": 2019, "genres": ("Comedy",),
     "popularity": 70_000},
]  # fmt: skip
FRESH = [
    {"mal_id": 10, "title": "Alpha Season 2", "type": "TV", "year": 2025, "genres": ("Action",),
     "popularity": 30_000, "franchise": 1},
    {"mal_id": 11, "title": "Epsilon", "type": "TV", "year": 2026, "genres": ("Romance",),
     "popularity": 5_000},
    {"mal_id": 12, "title": "Zeta", "type": "Movie", "year": 2024, "genres": ("Comedy",),
     "popularity": 8_000},
]  # fmt: skip
META = {
    1: {"studios": "Bones", "source": "Manga", "genres": "Action", "themes": "School",
        "demographics": "Shounen", "age_rating": "PG-13"},
    10: {"studios": "Bones", "source": "Manga", "genres": "Action", "themes": "School",
         "demographics": "Shounen", "age_rating": "PG-13"},
    2: {"studios": "Kyoto Animation", "source": "Light novel", "genres": "Romance",
        "themes": "", "demographics": "", "age_rating": "PG-13"},
    11: {"studios": "Kyoto Animation", "source": "Light novel", "genres": "Romance",
         "themes": "", "demographics": "", "age_rating": "PG-13"},
}  # fmt: skip


@pytest.fixture(scope="module")
def model() -> tuple[Catalog, fresh_build.Neighbourhood, fresh_build.FreshHyper, FreshModel]:
    warm = make_catalog(WARM)
    hood = fresh_build.neighbourhood(warm, make_catalog(FRESH), META, k=3)
    hp = fresh_build.FreshHyper(
        neighbours=3,
        near=0.8,
        direct=1.5,
        franchise=3.0,
        unstarted=-0.7,
        taste=0.9,
        taste_size=-0.5,
        popularity=0.4,
        neighbour_popularity=0.3,
        popularity_squared=0.2,
        size_centre=1.0,
        retention=0.6,
    )
    return warm, hood, hp, FreshModel.from_json(fresh_build.to_json(hood, hp, len(warm)))


def test_page_scores_equal_the_measured_ones(model) -> None:
    warm, hood, hp, fresh = model
    rng = np.random.default_rng(0)
    x = np.where(rng.random((12, len(warm))) < 0.5, rng.uniform(0.2, 1.0, (12, len(warm))), 0.0)
    x[:2, 0] = 0.0, 1.0  # Alpha, the franchise of Alpha Season 2, off and on the list
    logits = rng.normal(0.0, 2.0, (12, len(warm)))
    measured = fresh_build.scores(hood, hp, x, logits)
    for r in range(len(x)):
        page = fresh.scores(x[r].tolist(), logits[r].tolist())
        assert [page[i["mal_id"]] for i in FRESH] == pytest.approx(measured[r], abs=1e-5)


def test_a_sequel_of_a_watched_title_outscores_the_rest(model) -> None:
    warm, _, _, fresh = model
    row = [1.0, 0.0, 0.0, 0.0]  # Alpha watched
    scores = fresh.scores(row, [0.0, 1.0, 1.0, 1.0])
    assert max(scores, key=scores.get) == 10
    assert fresh.reasons(row, [0.0, 1.0, 1.0, 1.0], 10, warm)[0] == "continues Alpha"


def test_a_sequel_keeps_the_audience_share_of_its_most_popular_listed_franchise_title() -> None:
    warm = make_catalog([{**w, "franchise": 1} if w["mal_id"] == 3 else w for w in WARM])
    hood = fresh_build.neighbourhood(warm, make_catalog(FRESH), META, k=3)
    zero = dict.fromkeys(("near", "direct", "franchise", "unstarted", "taste", "taste_size"), 0.0)
    hp = fresh_build.FreshHyper(neighbours=3, **zero, popularity=0.0, neighbour_popularity=0.0,
                                popularity_squared=0.0, offset=0.0, retention=1.0)  # fmt: skip
    fresh = FreshModel.from_json(fresh_build.to_json(hood, hp, len(warm)))
    rows = [[0.0, 0.0, 1.0, 0.0], [1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    sequel = [fresh.scores(row, [0.0] * 4)[10] for row in rows]
    # 30k members of its own: ln(30/20) ≈ 0.41 after the 20k film alone, ln(30/90) ≈ −1.10
    # once the 90k first season is on the list too (in halves), nothing when neither is
    assert sequel == [0.5, -1.0, 0.0]
    measured = fresh_build.scores(hood, hp, np.array(rows), np.zeros((3, 4)))[:, 0]
    assert measured.tolist() == pytest.approx(sequel)


def test_reasons_name_only_the_titles_the_filters_show(model) -> None:
    warm, _, _, fresh = model
    row, logits = [1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 1.0]  # Alpha and Beta watched
    named = fresh.reasons(row, logits, 10, warm, n=9)
    hidden = fresh.reasons(row, logits, 10, warm, n=9, shows=lambda i: i.title != "Alpha")
    assert any("Alpha" in r for r in named)
    assert hidden and not any("Alpha" in r for r in hidden)


def test_taste_lifts_the_fresh_titles_of_the_genres_whose_model_titles_score_high(model) -> None:
    warm, hood, hp, _ = model
    only_taste = replace(hp, near=0.0, direct=0.0, franchise=0.0, unstarted=0.0, taste=1.0)
    fresh = FreshModel.from_json(fresh_build.to_json(hood, only_taste, len(warm)))
    row = [0.0] * len(warm)
    romance = fresh.scores(row, [0.0, 3.0, 0.0, 0.0])  # Beta, a romance, scores high
    comedy = fresh.scores(row, [0.0, 0.0, 0.0, 3.0])  # Delta, a comedy
    assert romance[11] - romance[12] > comedy[11] - comedy[12]  # 11: a romance, 12: a comedy


def test_a_long_lists_taste_never_counts_against_the_titles_it_likes(model) -> None:
    warm, hood, hp, _ = model
    only_taste = replace(hp, near=0.0, direct=0.0, franchise=0.0, unstarted=0.0, taste=1.0)
    steep = replace(only_taste, taste_size=-2.0, size_centre=0.0)  # weight 0 past ln n = 0.5
    fresh = FreshModel.from_json(fresh_build.to_json(hood, steep, len(warm)))
    row = [1.0] * len(warm)  # ln 4 ≈ 1.39: past it
    liked, neutral = [0.0, 3.0, 0.0, 0.0], [0.0] * len(warm)  # Beta, a romance, scores high
    romance, even = fresh.scores(row, liked), fresh.scores(row, neutral)
    assert romance[11] - romance[12] >= even[11] - even[12] - 1e-9  # 11: a romance, 12: a comedy
    measured = fresh_build.scores(hood, steep, np.array([row]), np.array([liked]))[0]
    assert [romance[i["mal_id"]] for i in FRESH] == pytest.approx(measured, abs=1e-5)


def test_the_shelf_follows_filters_hidden_titles_the_cards_and_unstarted_sequels(model) -> None:
    warm = model[0]
    titles = Titles(warm, make_catalog(FRESH))
    scores = {10: 9.0, 11: 6.0, 12: 3.0, 3: 12.0}  # 3: a main-model title of 2018
    shelf = new_for_you(scores, titles, Filters(), (), 2023, on_list=[1])
    assert shelf == [10, 11, 12]
    assert new_for_you(scores, titles, Filters(), (), 2023) == [11, 12]  # Alpha unstarted
    assert new_for_you(scores, titles, Filters(types=("Movie",)), {11}, 2023, on_list=[1]) == [12]
    assert new_for_you(scores, titles, Filters(), {11}, 2023, n=1, on_list=[1]) == [10]
    # a dropped title's franchise and, when hidden, planned titles are left out, as on the cards
    assert new_for_you(scores, titles, Filters(), (), 2023, on_list=[1], dropped=[1]) == [11, 12]
    hide = Filters(plan_to_watch="hide")
    assert new_for_you(scores, titles, hide, (), 2023, on_list=[1], planned=[11]) == [10, 12]
    shown = new_for_you(scores, titles, Filters(), (), 2023, on_list=[1], planned=[11])
    assert shown == [10, 11, 12]
    # a title the cards above show is not shown twice
    assert new_for_you(scores, titles, Filters(), (), 2023, on_list=[1], cards=[3, 11]) == [10, 12]


def test_the_shelf_holds_slots_for_titles_the_model_does_not_score(model) -> None:
    titles = Titles(model[0], make_catalog(FRESH))
    scores = {1: 10.0, 2: 9.0, 4: 8.0, 11: 1.0, 12: 0.5}  # 11, 12: fresh
    plain = ShelfOrder(popularity=0.0, fresh_popularity=0.0)
    assert new_for_you(scores, titles, Filters(), (), 2015, order=plain) == [1, 2, 4, 11, 12]
    slots = replace(plain, fresh_every=2, fresh_after=0)
    assert new_for_you(scores, titles, Filters(), (), 2015, order=slots) == [1, 11, 2, 12, 4]
    assert new_for_you(scores, titles, Filters(), (), 2015, n=3, order=slots) == [1, 11, 2]
    late = replace(plain, fresh_every=1, fresh_after=2)  # the first two places are not held
    assert new_for_you(scores, titles, Filters(), (), 2015, order=late) == [1, 2, 11, 12, 4]
    lifted = replace(plain, fresh_shift=10.0)
    assert new_for_you(scores, titles, Filters(), (), 2015, order=lifted) == [11, 12, 1, 2, 4]
    by_members = ShelfOrder(popularity=4.0, fresh_popularity=0.0)  # Delta: 70 k, Beta: 50 k
    assert new_for_you(scores, titles, Filters(), (), 2015, n=3, order=by_members) == [1, 4, 2]


def test_recent_scores_hold_recent_titles_on_one_scale(model) -> None:
    warm, _, _, fresh = model
    logits = [0.5, 1.5, 2.5, 3.5]
    recent = fresh.recent_scores([1.0, 0.0, 0.0, 0.0], logits, warm)
    assert set(recent) == {10, 11, 12}  # the main model's titles all started before 2023
    assert recent == {m: s for m, s in fresh.scores([1.0, 0.0, 0.0, 0.0], logits).items()}


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.DictWriter(f, header, extrasaction="ignore")
        out.writeheader()
        out.writerows(rows)


def test_a_new_season_in_the_metadata_is_scored_after_a_refresh(tmp_path: Path) -> None:
    """The deployer's flow: a title no source knew, added to metadata-2026.csv, no ratings;
    `build.py fresh` (which `train` runs too) recognizes and scores it."""
    data = tmp_path / "data"
    (data / "catalog").mkdir(parents=True)
    meta = SHARED / "data" / "catalog" / "metadata-2026.csv"
    with open(meta, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or ())
        known = [r for r in reader if r["mal_id"] in {"1", "5", "6", "30"}]
    new = {**known[0], "mal_id": "999001", "title": "Brand New Show", "year": "2027",
           "season": "winter", "members": "0"}  # fmt: skip
    _write_csv(data / "catalog" / "metadata-2026.csv", header, [*known, new])
    empty = {"anime-cooperunion-2016.csv": "anime_id", "anime-2023.csv": "anime_id",
             "mal-ranking-2026.csv": "id", "anilist-seasonal-2026.csv": "mal_id",
             "ids-2026.csv": "mal_id"}  # fmt: skip
    for name, head in empty.items():
        _write_csv(data / "catalog" / name, [head], [])
    (data / "catalog" / "franchises-2026.json").write_text("[]")
    model = tmp_path / "model"
    model.mkdir()
    warm = make_catalog([{"mal_id": int(r["mal_id"]), "title": r["title"]} for r in known])
    (model / "catalog.json").write_text(json.dumps(warm.to_json()))
    (model / "manifest.json").write_text("{}")

    assert fresh_build.main(argparse.Namespace(model=model, data=data)) == 0

    manifest = json.loads((model / "manifest.json").read_text())
    assert FRESH_FILE in manifest["files"]
    fresh = FreshModel.from_json(json.loads((model / FRESH_FILE).read_text()))
    assert 999001 in fresh.mal_ids
    row = [0.0] * len(warm)
    row[0] = 1.0  # the list holds the title the new one shares its content with
    scores = fresh.scores(row, [0.0] * len(warm))
    extra = Catalog.from_json(json.loads((model / "catalog-extra.json").read_text()))
    titles = Titles(Catalog.from_json(json.loads((model / "catalog.json").read_text())), extra)
    assert titles.by_mal_id(999001).year == 2027
    assert 999001 in new_for_you(scores, titles, Filters(), (), 2026)
