"""Ranking metrics against cases computed by hand."""

import math

import numpy as np
import pytest

from converter.data import SparseRows
from converter.metrics import evaluate, ndcg_at_k, rank, recall_at_k
from converter.splits import HeldOut


def test_recall_is_normalized_by_min_of_k_and_targets():
    ranked = np.array([[3, 1, 4, 0, 2]])
    # 2 targets, k=2: one hit of min(2, 2) → 0.5
    assert recall_at_k(ranked, [np.array([1, 2])], 2)[0] == 0.5
    # 3 targets, k=2: hits {1} over min(2, 3) = 2 → 0.5; k=5: all 3 hit → 1.0
    assert recall_at_k(ranked, [np.array([1, 2, 0])], 2)[0] == 0.5
    assert recall_at_k(ranked, [np.array([1, 2, 0])], 5)[0] == 1.0
    assert recall_at_k(ranked, [np.array([7])], 5)[0] == 0.0


def test_ndcg_hand_computed():
    ranked = np.array([[3, 1, 4, 0, 2]])
    # targets {1, 2}: hits at ranks 2 and 5 → (1/log2 3 + 1/log2 6) / (1 + 1/log2 3)
    expected = (1 / math.log2(3) + 1 / math.log2(6)) / (1 + 1 / math.log2(3))
    assert ndcg_at_k(ranked, [np.array([1, 2])], 5)[0] == pytest.approx(expected)
    assert ndcg_at_k(ranked, [np.array([3])], 5)[0] == pytest.approx(1.0)
    # only the top k count: target at rank 5 is outside k=4
    assert ndcg_at_k(ranked, [np.array([2])], 4)[0] == 0.0


def test_rank_excludes_inputs_and_breaks_ties_by_index():
    scores = np.array([[0.5, 0.9, 0.9, 0.1, 0.7]])
    assert rank(scores, [np.array([], int)], 3).tolist() == [[1, 2, 4]]
    assert rank(scores, [np.array([1, 4])], 3).tolist() == [[2, 0, 3]]


def test_evaluate_never_counts_the_input_items():
    inputs = SparseRows.from_pairs([([0], [1.0]), ([1, 2], [1.0, 0.5])], n_items=200)
    heldout = HeldOut(["a", "b"], inputs, [np.array([1]), np.array([3, 150])])

    def scorer(x: np.ndarray) -> np.ndarray:  # items 0..4 score highest, in index order
        s = -np.arange(x.shape[1], dtype=float)
        return np.tile(s, (len(x), 1))

    got = evaluate(scorer, heldout)
    # user a: input 0 removed, target 1 at rank 1 → recall 1, ndcg 1.
    # user b: inputs 1,2 removed, ranking 0,3,4,...: target 3 at rank 2, 150 at rank 148 (> 100).
    ndcg_b = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert got["recall@20"] == pytest.approx((1 + 0.5) / 2, abs=1e-4)
    assert got["recall@50"] == pytest.approx((1 + 0.5) / 2, abs=1e-4)
    assert got["ndcg@100"] == pytest.approx((1 + ndcg_b) / 2, abs=1e-4)


def test_whole_list_targets_the_model_cannot_score_are_misses():
    """A hand case: two held-out titles, one in the catalog (index 1) and one only recognized
    (MyAnimeList id 999, target index -1000). The scorer ranks index 1 first."""
    from helpers import make_catalog

    from converter.splits import target_index

    catalog = make_catalog([{"mal_id": m, "title": f"t{m}"} for m in (10, 20, 30, 40)])
    targets = np.array(sorted([target_index(20, catalog), target_index(999, catalog)]))
    assert targets.tolist() == [-1000, 1]
    inputs = SparseRows.from_pairs([([0], [1.0])], n_items=200)

    def scorer(x: np.ndarray) -> np.ndarray:  # index 1 first, then 0, 2, 3, …
        s = -np.arange(x.shape[1], dtype=float)
        s[1] = 1.0
        return np.tile(s, (len(x), 1))

    whole = evaluate(scorer, HeldOut(["a"], inputs, [targets]))
    classic = evaluate(scorer, HeldOut(["a"], inputs, [np.array([1])]))
    # 1 hit of min(20, 2) = 2 targets; NDCG: hit at rank 1 over the best DCG of 2 hits.
    assert whole["recall@20"] == whole["recall@50"] == 0.5
    assert whole["ndcg@100"] == pytest.approx(1 / (1 + 1 / math.log2(3)), abs=1e-4)
    assert classic["recall@50"] == classic["ndcg@100"] == 1.0


def test_whole_list_cut_draws_from_every_entry_but_planned():
    from animerec.profile import Entry, Profile, Status
    from helpers import make_catalog

    from converter.splits import hold_out

    catalog = make_catalog([{"mal_id": m, "title": f"t{m}"} for m in range(1, 9)])
    entries = [Entry(m, Status.COMPLETED, 8) for m in (*range(1, 9), 501, 502)]
    profile = Profile([*entries, Entry(900, Status.PLAN_TO_WATCH)])
    for seed in range(20):
        cut = hold_out({"u": profile}, ["u"], catalog, seed, whole_list=True)
        targets = cut.targets[0].tolist()
        assert len(targets) == 2  # 20% of the 10 entries that are not planned
        ids = [-1 - t if t < 0 else catalog[t].mal_id for t in targets]
        given = [catalog[i].mal_id for i in cut.inputs.row(0)[0]]
        assert sorted(ids + given + [m for m in (501, 502) if m not in ids]) == [
            *range(1, 9),
            501,
            502,
        ]
    classic = hold_out({"u": profile}, ["u"], catalog, 0)
    assert all(t >= 0 for t in classic.targets[0])
