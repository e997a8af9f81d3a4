"""The catalog map's converter side (converter/atlas.py) on the committed model: item vectors
read from the exported files as TF.js reads them, a seeded layout that repeats itself, the
committed atlas listed in the manifest, and a clear refusal for a model it cannot map."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from animerec.catalog import ADULT_GENRES, Catalog

pytestmark = pytest.mark.train

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "default"


def test_item_vectors_are_the_first_layer_as_tfjs_loads_it() -> None:
    from converter import atlas, export

    vectors = atlas.item_vectors(MODEL)
    loaded = export.load_tfjs(MODEL)
    first = next(layer for layer in loaded.layers if layer.weights)
    want = first.get_weights()[0]
    n_items = json.loads((MODEL / "manifest.json").read_text())["n_items"]
    assert vectors.shape == want.shape == (n_items, want.shape[1])
    np.testing.assert_allclose(vectors, want, rtol=0, atol=1e-6)


def test_layout_is_seeded() -> None:
    from converter import atlas

    vectors = atlas.item_vectors(MODEL)[:400]
    steps = 90  # of 750: a seeded layout repeats itself at any length, and a short one is quick
    first, again = (atlas.layout(vectors, 0, iterations=steps) for _ in range(2))
    np.testing.assert_array_equal(first, again)
    xy = atlas.quantized(first)
    assert xy.dtype == np.int16
    assert np.abs(xy).max() == atlas.EXTENT


def test_committed_atlas_matches_the_model_and_manifest() -> None:
    from converter import atlas
    from converter.files import file_entry

    manifest = json.loads((MODEL / "manifest.json").read_text())
    meta = json.loads((MODEL / atlas.META).read_text())
    catalog = Catalog.from_json(json.loads((MODEL / "catalog.json").read_text()))
    for name in (atlas.META, atlas.POSITIONS):
        assert manifest["files"][name] == file_entry(MODEL / name)
    xy = np.frombuffer((MODEL / atlas.POSITIONS).read_bytes(), "<i2").reshape(-1, 2)
    assert len(xy) == meta["n_items"] == len(catalog)
    assert len(np.unique(xy, axis=0)) > 0.95 * len(xy)  # a layout, not a pile
    genres = {g for item in catalog for g in item.genres}
    assert {label["level"] for label in meta["labels"]} == {0, 1}
    for label in meta["labels"]:
        named = set(label["text"].split(" · "))
        assert named <= genres
        assert named <= ADULT_GENRES or named.isdisjoint(ADULT_GENRES)  # hidden alone
        assert abs(label["x"]) <= atlas.EXTENT and abs(label["y"]) <= atlas.EXTENT


def test_a_model_without_a_dense_first_layer_is_refused(tmp_path: Path) -> None:
    from converter import atlas

    shutil.copytree(MODEL, tmp_path / "m")
    model_json = tmp_path / "m" / "model.json"
    topology = json.loads(model_json.read_text())
    topology["modelTopology"]["model_config"]["config"]["layers"][1]["class_name"] = "Embedding"
    model_json.write_text(json.dumps(topology))
    with pytest.raises(atlas.AtlasError, match="not Dense"):
        atlas.build_atlas(tmp_path / "m")
