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
