"""A small train → export → reload run on a slice of the real data, and `evaluate --json`."""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers import slice_ratings

from converter.data import DEFAULT_DATA, RATING_FILES

pytestmark = [
    pytest.mark.train,
    pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="needs ../shared/data"),
]


# Titles kept: those of at least this many training users, about 500 (2,100 at 5): the tied
# model's eigendecomposition, EASE's inverse and the map's t-SNE all grow with their number.
MIN_USERS = 20
# The map's t-SNE steps (750 by default, half of a run): this checks the atlas's files, and
# tests/test_atlas.py the layout.
ATLAS_ITERATIONS = 90
KINDS = {
    "ease-lowrank": ["--rank", "16", "--iterations", "3"],
    "dlae-lowrank": ["--rank", "16", "--iterations", "3", "--grid-levels", "52"],
    "dlae-tied": ["--rank", "16"],
    "mult-dae": ["--epochs", "3", "--hidden", "16"],
}


@pytest.fixture(scope="module")
def sliced(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """300 + 40 + 60 real users of the three rating files, and 60 held-out ones: one slice
    for every kind's training (the models only read it)."""
    root = tmp_path_factory.mktemp("sliced")
    data = root / "data"
    (data / "ratings").mkdir(parents=True)
    (data / "catalog").symlink_to(DEFAULT_DATA / "catalog")
    for name, users in zip(RATING_FILES, (range(1, 301), range(0, 40), range(1, 61)), strict=True):
        slice_ratings(DEFAULT_DATA / "ratings" / name, data / "ratings" / name, users)
    heldout = root / "heldout.csv"  # AniList users of 2025 that training does not see
    slice_ratings(DEFAULT_DATA / "ratings" / RATING_FILES[2], heldout, range(541, 601))
    return {"data": data, "heldout": heldout}


@pytest.fixture(scope="module")
def once_per_slice() -> Iterator[None]:
    """The three steps of `train` that read the data alone, not the model's kind (the ratings,
    the two catalogs, the cold-start file), run for the first kind and handed to the others as
    they were: each kind trains on the same slice and split, so their inputs are equal (the
    keys below) and so are their outputs; they were 7 s of CPU of each kind's run
    (tools/BENCH.md, "The suite's time, session 16")."""
    from converter import catalog_build, data, fresh_build

    profiles = functools.cache(data.load_training_profiles)
    build_catalogs, build_fresh = catalog_build.build_catalogs, fresh_build.build
    catalogs: dict[tuple, tuple] = {}
    fresh: dict[tuple, bytes] = {}

    def built_catalogs(data_dir: Path, counts: dict[int, int], min_users: int) -> tuple:
        key = (data_dir, min_users, tuple(sorted(counts.items())))
        if key not in catalogs:
            catalogs[key] = build_catalogs(data_dir, counts, min_users)
        return catalogs[key]

    def built_fresh(warm, extra, data_dir: Path, out: Path) -> Path:
        key = (id(warm), id(extra), data_dir)  # the catalogs above, the same objects
        if key not in fresh:
            fresh[key] = build_fresh(warm, extra, data_dir, out).read_bytes()
        path = Path(out) / fresh_build.FRESH_FILE
        path.write_bytes(fresh[key])
        return path

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(data, "load_training_profiles", lambda d, extra=(): profiles(d, tuple(extra)))
        patch.setattr(catalog_build, "build_catalogs", built_catalogs)
        patch.setattr(fresh_build, "build", built_fresh)
        yield


@pytest.fixture(scope="module", params=list(KINDS))
def small(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sliced: dict[str, Path],
    once_per_slice: None,
) -> dict[str, Path]:
    """Trains a tiny model of each kind on the slice; returns the paths it wrote."""
    from converter import train

    root = tmp_path_factory.mktemp(request.param)
    data, heldout = sliced["data"], sliced["heldout"]
    parser = argparse.ArgumentParser()
    train.add_arguments(parser)
    args = parser.parse_args(
        ["--data", str(data), "--out", str(root / "model"), "--reports", str(root / "reports"),
         "--model", request.param, *KINDS[request.param], "--min-users", str(MIN_USERS),
         "--val-fraction", "0.15", "--test-fraction", "0.15", "--ease-lambdas", "10,100",
         "--atlas-iterations", str(ATLAS_ITERATIONS)]
    )  # fmt: skip
    assert train.main(args) == 0
    return {"data": data, "model": root / "model", "reports": root / "reports", "heldout": heldout}


def test_export_has_every_file_with_hashes(small: dict[str, Path]) -> None:
    from converter.files import file_entry

    manifest = json.loads((small["model"] / "manifest.json").read_text())
    names = {p.name for p in small["model"].iterdir()}
    assert {
        "model.json",
        "catalog.json",
        "catalog-extra.json",
        "parity.json",
        "manifest.json",
    } <= names
    assert {"atlas.bin", "atlas.json"} <= names and manifest["atlas"]["seconds"] >= 0
    assert any(n.endswith(".bin") for n in names)
    assert set(manifest["files"]) == names - {"manifest.json"}
    for name, entry in manifest["files"].items():
        assert file_entry(small["model"] / name) == entry
    n = manifest["n_items"]
    assert manifest["input"]["shape"] == [None, n] and manifest["output"]["shape"] == [None, n]
    assert manifest["format"] == "tfjs_layers_model"
    assert manifest["name"].startswith("animerec-") and manifest["training"]["history"]
    for who in ("model", "popularity", "ease"):
        assert set(manifest["metrics"][who]) >= {"recall@20", "recall@50", "ndcg@100"}
    assert (small["reports"] / "training.png").stat().st_size > 0


def test_reloaded_artifacts_match_keras_within_quantization(small: dict[str, Path]) -> None:
    """Re-export the reloaded model unquantized, float16 and uint8: each reload reproduces it."""
    from converter.export import export_tfjs, load_tfjs

    reference = load_tfjs(small["model"])
    x = np.zeros((4, reference.input_shape[1]), np.float32)
    x[:, :12] = np.linspace(0.2, 1.0, 12)
    x[1:, 5:9] = 0.0
    want = reference(x, training=False).numpy()
    spread = float(want.max() - want.min())
    for dtype, tolerance in ((None, 1e-5), ("float16", 2e-3 * spread), ("uint8", 0.05 * spread)):
        out = small["model"].parent / f"again-{dtype}"
        export_tfjs(reference, out, dtype)
        got = load_tfjs(out)(x, training=False).numpy()
        assert np.abs(got - want).max() <= tolerance, dtype


def test_parity_cases_reproduce_from_exported_model(small: dict[str, Path]) -> None:
    from converter.export import load_tfjs

    model = load_tfjs(small["model"])
    parity = json.loads((small["model"] / "parity.json").read_text())
    assert len(parity["cases"]) >= 2
    for case in parity["cases"]:
        x = np.zeros((1, model.input_shape[1]), np.float32)
        x[0, case["indices"]] = case["values"]
        out = model(x, training=False).numpy()[0]
        assert np.abs(out[case["top_indices"]] - case["top_values"]).max() <= parity["tolerance"]
        assert np.abs(out[case["probe_indices"]] - case["probe_values"]).max() <= 1e-3


def test_evaluate_json_last_line(small: dict[str, Path], capsys: pytest.CaptureFixture) -> None:
    from converter import evaluate

    parser = argparse.ArgumentParser()
    evaluate.add_arguments(parser)
    args = parser.parse_args(
        ["--model", str(small["model"]), "--heldout", str(small["heldout"]),
         "--data", str(small["data"]), "--json"]
    )  # fmt: skip
    assert evaluate.main(args) == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(result) == {"users", "model", "popularity", "ease", "whole_list", "recent"}
    for section in (result, result["whole_list"], result["recent"]):
        assert section["users"] > 0
        for who in ("model", "popularity", "ease"):
            assert set(section[who]) == {"recall@20", "recall@50", "ndcg@100"}
            assert all(0.0 <= v <= 1.0 for v in section[who].values())
    # Titles the model cannot score are misses in the whole-list cut, never in the classic one.
    assert result["whole_list"]["ease"]["recall@50"] < result["ease"]["recall@50"]


def test_train_reports_both_eras_and_the_recognized_titles(small: dict[str, Path]) -> None:
    manifest = json.loads((small["model"] / "manifest.json").read_text())
    metrics = manifest["metrics"]
    assert list(metrics["eras"]) == ["2016/2023", "2025"]
    assert sum(e["users"] for e in metrics["eras"].values()) == metrics["users"]
    for section in (*metrics["eras"].values(), metrics["whole_list"], metrics["recent"]):
        assert {"model", "popularity", "ease"} <= set(section) and section["users"] > 0
    shelf = metrics["continuations"]
    assert shelf["users"] > 0 and 0.0 <= shelf["target_share"] <= 1.0
    assert 0.0 <= shelf["shelf_precision"] <= 1.0 and shelf["shelf_new_hits"] >= 0.0
    assert shelf["recall@50"] == metrics["whole_list"]["model"]["recall@50"]  # the same cut
    extra = json.loads((small["model"] / "catalog-extra.json").read_text())
    scored = json.loads((small["model"] / "catalog.json").read_text())
    assert manifest["recognized_items"] == len(extra["items"]["mal_id"]) > 20_000
    assert not set(extra["items"]["mal_id"]) & set(scored["items"]["mal_id"])
