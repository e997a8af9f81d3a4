import math

import pytest
from animerec import together
from animerec.profile import Entry, Profile, Status


def test_log_softmax_normalizes_over_unseen_titles_only():
    logp = together.log_softmax([5.0, 1.0, 1.0, 100.0], seen={3})
    assert math.fsum(math.exp(v) for v in logp[:3]) == pytest.approx(1.0)
    assert logp[3] > 0.0  # a seen title keeps a value on the same scale, outside the sum


def test_sum_prefers_the_title_both_like_over_one_either_loves():
    # title 0: A loves it, B hates it; title 1: B loves it, A hates it; title 2: both like it
    a = [6.0, -6.0, 3.0, 0.0]
    b = [-6.0, 6.0, 3.0, 0.0]
    for rule in together.RULES.values():
        scores = rule(a, b, set())
        assert max(range(4), key=scores.__getitem__) == 2


def test_sum_and_min_differ_where_one_person_is_lukewarm():
    # title 0: A very keen, B cool; title 1: both moderately keen; title 2: B's, A hates it
    a = [10.0, 7.5, 0.0]
    b = [0.0, 1.5, 3.8]
    best = {name: max(range(3), key=together.RULES[name](a, b, set()).__getitem__)
            for name in ("sum", "min")}  # fmt: skip
    assert best == {"sum": 0, "min": 1}


def test_joint_sum_is_the_mean_log_probability():
    a, b = [1.0, 2.0, 3.0], [3.0, 1.0, 0.0]
    la, lb = together.log_softmax(a, {2}), together.log_softmax(b, {2})
    mean = [(x + y) / 2 for x, y in zip(la, lb, strict=True)]
    assert together.joint_sum(a, b, {2}) == pytest.approx(mean)


def test_joint_refuses_lists_scored_by_different_models():
    with pytest.raises(ValueError):
        together.joint([1.0, 2.0], [1.0], set())


def test_naive_merge_alternates_skips_seen_and_repeats():
    a = [9.0, 8.0, 7.0, 0.0, 0.0]
    b = [9.0, 0.0, 1.0, 8.0, 7.0]
    assert together.naive_merge(a, b, seen={0}, n=4) == [1, 3, 2, 4]


def test_merged_counts_a_title_as_seen_if_either_saw_it():
    first = Profile([Entry(1, Status.PLAN_TO_WATCH), Entry(2, Status.COMPLETED, 8)])
    second = Profile([Entry(1, Status.DROPPED), Entry(3, Status.PLAN_TO_WATCH)])
    statuses = {e.mal_id: e.status for e in together.merged(first, second).entries}
    assert statuses == {1: Status.DROPPED, 2: Status.COMPLETED, 3: Status.PLAN_TO_WATCH}


def test_balanced_keeps_a_sharp_list_from_outvoting_a_flat_one():
    # A's model output is sharp (spread 10), B's flat (spread 1). Title 0: A's favourite, B's
    # least; title 1: both like it moderately. The plain sum follows A; balanced weighs both.
    a = [30.0, 20.0] + [0.0] * 6
    b = [0.0, 2.0, 2.5, 2.5, 1.0, 1.0, 1.0, 1.0]
    plain = together.joint_sum(a, b, set())
    balanced = together.joint_balanced(a, b, set())
    assert plain[0] > plain[1] and balanced[1] > balanced[0]


def test_balanced_is_the_sum_when_both_are_as_sharp():
    a, b = [3.0, 1.0, 0.0, 2.0], [0.0, 1.0, 3.0, 2.0]
    assert together.joint_balanced(a, b, {0}) == pytest.approx(together.joint_sum(a, b, {0}))
