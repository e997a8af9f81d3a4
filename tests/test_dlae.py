"""Low-rank DLAE on a slice of the real ratings: its closed form solves the denoising objective,
it ranks held-out titles better than popularity, and its exported TF.js model gives the Keras
model's output."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import first_users, slice_ratings

from converter.data import DEFAULT_DATA, RATING_FILES

pytestmark = [
    pytest.mark.train,
    pytest.mark.skipif(not DEFAULT_DATA.exists(), reason="needs ../shared/data"),
]

USERS_PER_FILE = 420
HELD_EVERY = 6  # every 6th user (sorted keys) is held out
# Titles kept: those of at least this many training users, about 1,500 (3,600 at 5). The tests
# solve and decompose n×n matrices, so their time grows as n³.
MIN_USERS = 20


@pytest.fixture(scope="module")
def sliced(tmp_path_factory: pytest.TempPathFactory):
    """Training rows, held-out users and the catalog, from the first users of the 2016 and 2025
    files (read from a slice of each: the whole 2016 file holds 5,000 users)."""
    from converter import catalog_build, data, splits

    folder = tmp_path_factory.mktemp("ratings")
    profiles = {}
    for name in (RATING_FILES[0], RATING_FILES[2]):
        src = DEFAULT_DATA / "ratings" / name
        slice_ratings(src, folder / name, first_users(src, USERS_PER_FILE))  # same name: keys
        profiles.update(data.read_profiles(folder / name))
    keys = sorted(profiles)
    train_u, held_u = [k for i, k in enumerate(keys) if i % HELD_EVERY], keys[::HELD_EVERY]
    counts = catalog_build.user_counts(profiles[u] for u in train_u)
    catalog, _ = catalog_build.build_catalogs(DEFAULT_DATA, counts, MIN_USERS)
    train = data.encode_profiles((profiles[u] for u in train_u), catalog)
    return train, splits.hold_out(profiles, held_u, catalog, 0), catalog


def test_closed_form_solves_the_dropout_objective(sliced) -> None:
    """(G + Λ)·B = G off the diagonal: the stationary point of ‖X − XB‖² + ‖Λ^½B‖², the
    expected denoising loss (Steck 2020); the unused diagonal is zero."""
    from converter.baselines import gram
    from converter.dlae import dlae_weights

    train, _, _ = sliced
    g = gram(train)
    lam, drop = 50.0, 0.3
    b = dlae_weights(g, lam, drop).astype(np.float64)
    reg = lam + drop / (1 - drop) * np.diag(g)
    full = b + np.diag(1.0 - np.diag(np.linalg.inv(g + np.diag(reg))) * reg)
    residual = (g + np.diag(reg)) @ full - g
    assert np.abs(residual).max() <= 1e-3 * np.abs(g).max()
    assert not np.diag(b).any()


def test_beats_popularity_and_exports_to_the_same_outputs(sliced, tmp_path) -> None:
    from converter.baselines import Popularity
    from converter.dlae import DlaeHyper, DlaeLowRank
    from converter.export import export_tfjs, load_tfjs
    from converter.metrics import evaluate

    train, held, _ = sliced
    rec = DlaeLowRank(DlaeHyper(rank=48, lam=100.0, iterations=3, drop=0.25)).fit(train, held)
    model = evaluate(rec.score, held)["ndcg@100"]
    popularity = evaluate(Popularity().fit(train).score, held)["ndcg@100"]
    assert model > popularity + 0.05, (model, popularity)
    assert rec.describe()["architecture"]["kind"] == "DLAE low-rank"

    export_tfjs(rec.net, tmp_path / "tfjs", None)
    x = held.inputs.dense(0, 32)
    want = rec.net(x, training=False).numpy()
    got = load_tfjs(tmp_path / "tfjs")(x, training=False).numpy()
    assert np.abs(got - want).max() <= 1e-5 * np.abs(want).max()


def test_snapped_factors_survive_uint8_export_exactly(tmp_path) -> None:
    """Factors snapped to 52 levels take 52 values, and TF.js' uint8 quantization keeps them:
    the reloaded model gives the float model's output (a plain uint8 export would be off by up
    to half a step of 255)."""
    from converter.export import export_tfjs, load_tfjs
    from converter.lowrank import linear_model, snap

    rng = np.random.default_rng(0)
    u = snap(rng.standard_normal((300, 24)).astype(np.float32), 52)
    v = snap(rng.standard_normal((24, 300)).astype(np.float32), 52)
    assert len(np.unique(u)) <= 52 and len(np.unique(v)) <= 52
    net = linear_model(u, v)
    export_tfjs(net, tmp_path / "uint8", "uint8")
    x = (rng.random((8, 300)) < 0.05).astype(np.float32)
    want = net(x, training=False).numpy()
    got = load_tfjs(tmp_path / "uint8")(x, training=False).numpy()
    assert np.abs(got - want).max() <= 1e-4 * np.abs(want).max()


def test_tied_factor_is_dlae_top_eigen_part_and_exports_one_factor(sliced, tmp_path) -> None:
    """Tied DLAE (converter/tied.py): at full rank its eigen factors give DLAE's B off the
    diagonal; at a lower rank it ranks better than popularity, its export ships one uint8
    factor (about half the bytes of two) and reloads to the very outputs of its Keras net, and
    the atlas reads the same item vectors."""
    from converter.atlas import item_vectors
    from converter.baselines import Popularity, gram
    from converter.dlae import dlae_weights
    from converter.export import export_tfjs, export_tied, load_tfjs, read_tied
    from converter.metrics import evaluate
    from converter.tied import DlaeTied, TiedHyper, eigen_factors

    train, held, _ = sliced
    g = gram(train)
    n = len(g)
    q, shrink, root = eigen_factors(g, 50.0, 0.3, n)
    b_r = (q / root[:, None]) @ (shrink[:, None] * q.T * root[None, :])
    b = dlae_weights(g, 50.0, 0.3).astype(np.float64)
    off = ~np.eye(n, dtype=bool)
    assert np.abs(b_r[off] - b[off]).max() <= 1e-5 * np.abs(b).max()

    rec = DlaeTied(TiedHyper(rank=48, levels=52, residual=0)).fit(train)
    model = evaluate(rec.score, held)["ndcg@100"]
    assert model > evaluate(Popularity().fit(train).score, held)["ndcg@100"] + 0.05
    files = export_tied(rec.parts, tmp_path / "tied")
    plain = export_tfjs(rec.net, tmp_path / "uint8", "uint8")
    assert files[1].stat().st_size < 0.55 * plain[1].stat().st_size
    x = held.inputs.dense(0, 32)
    want = rec.net(x, training=False).numpy()
    assert np.array_equal(load_tfjs(tmp_path / "tied")(x, training=False).numpy(), want)
    assert np.array_equal(item_vectors(tmp_path / "tied"), rec.net.get_weights()[0])
    assert read_tied(tmp_path / "uint8") is None


def test_sparse_residual_ships_and_ranks_better(sliced, tmp_path) -> None:
    """The tied model's sparse residual: its largest entries of B − B_r, shipped delta-coded
    and read back to the same entries; the reloaded model gives the Keras net's outputs, a
    title's residual row moves exactly its entries, and with it the low rank ranks better."""
    from converter.export import expand, export_tied, load_tfjs, read_tied
    from converter.metrics import evaluate
    from converter.tied import DlaeTied, TiedHyper

    train, held, _ = sliced
    plain = DlaeTied(TiedHyper(rank=16, residual=0)).fit(train)
    rec = DlaeTied(TiedHyper(rank=16, residual=3000)).fit(train)
    residual = rec.parts.residual
    assert residual is not None and len(residual.codes) == 3000
    assert int(residual.counts.sum()) == 3000
    dense = residual.dense()
    assert not np.diag(dense).any()
    ndcg = evaluate(rec.score, held)["ndcg@100"]
    assert ndcg > evaluate(plain.score, held)["ndcg@100"] + 0.005

    export_tied(rec.parts, tmp_path / "tied")
    back = read_tied(tmp_path / "tied").residual
    for field in ("counts", "columns", "codes"):
        assert np.array_equal(getattr(back, field), getattr(residual, field)), field
    assert (back.low, back.step) == (residual.low, residual.step)

    x = held.inputs.dense(0, 16)
    want = rec.net(x, training=False).numpy()
    assert np.array_equal(load_tfjs(tmp_path / "tied")(x, training=False).numpy(), want)
    title = int(np.argmax(residual.counts))
    one = np.zeros((1, len(dense)), np.float32)
    one[0, title] = 1.0
    u, v = expand(rec.parts)
    moved = rec.net(one, training=False).numpy()[0] - (one @ u @ v)[0]
    assert np.allclose(moved, dense[title], atol=1e-5)
    assert np.count_nonzero(dense[title]) == residual.counts[title] > 0


def test_franchise_pseudo_users_lift_a_titles_relatives(sliced) -> None:
    """The catalog's franchise groups as pseudo-users of G (converter/side_info.py): weight·k^−e
    on each pair of a group's k titles and nowhere else; with them, a list of one title ranks
    the other titles of its franchise higher than the same model without them."""
    from converter.side_info import franchise_groups, pseudo_user_gram
    from converter.tied import DlaeTied, TiedHyper

    train, _, catalog = sliced
    groups = franchise_groups(catalog)
    assert len(groups) > 50
    assert all(len({catalog[i].franchise for i in g}) == 1 < len(g) for g in groups)
    side = pseudo_user_gram(len(catalog), groups, 8.0, 0.5)
    first = groups[0]
    assert side[first[0], first[-1]] == pytest.approx(8.0 / len(first) ** 0.5)
    assert np.count_nonzero(side) == sum(len(g) ** 2 for g in groups)

    def relatives_rank(franchise: float) -> float:
        """Median rank (0 = first) of a group's other titles for a list of its first one."""
        rec = DlaeTied(TiedHyper(rank=48, residual=3000, franchise=franchise), groups)
        rec.fit(train)
        x = np.zeros((len(groups), len(catalog)), np.float32)
        x[np.arange(len(groups)), [g[0] for g in groups]] = 1.0
        scores = rec.score(x)
        ranks = []
        for row, group in enumerate(groups):
            scores[row, group[0]] = -np.inf
            order = np.argsort(-scores[row])
            ranks.extend(np.flatnonzero(np.isin(order, group[1:])))
        return float(np.median(ranks))

    assert relatives_rank(TiedHyper.franchise) < 0.5 * relatives_rank(0.0)
