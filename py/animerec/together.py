"""Watch together: one ranking for two lists, of titles neither person has seen (issue 24).

Each person's list goes through the model on its own; the two logit vectors are combined here.
Each person's log-probability of a title is taken under a softmax over the titles that are on
neither list (the only ones the pair can be offered), so the two are on one scale:

- `sum`: log p_A + log p_B, i.e. the product of the probabilities. Returned halved (the log of
  their geometric mean): the same order, and a match percentage on the scale of one person's.
- `balanced` (shipped): the sum, each person's log-probabilities first scaled so that both are
  as sharp (the model is surer of some lists than of others, and the surer one outvoted the
  other).
- `min`: min(log p_A, log p_B): a title is as good as it is for the person who likes it less.
- `naive_merge`: no combining at all, each person's own top picks taken in turn (the baseline).

`converter/experiments/watch_together.py` measures them on pairs of held-out users
(`converter/RESULTS.md`, "Watch together"); `SHIPPED` is the rule the page uses.

The pair's list for `ranking.Candidates` is `merged`: every title either person has watched,
started or dropped counts as seen; a title only planned stays planned.
"""

from __future__ import annotations

import heapq
import statistics
from collections.abc import Callable, Collection, Sequence

from .explain import logsumexp
from .profile import Entry, Profile, Status

Rule = Callable[[Sequence[float], Sequence[float], Collection[int]], list[float]]
Combine = Callable[[float, float], float]  # one title's two scores → its joint score


def log_softmax(scores: Sequence[float], seen: Collection[int]) -> list[float]:
    """Each title's log-probability under the softmax over the titles not in `seen` (titles in
    `seen` get a value too, on the same scale, but take no part in the normalization)."""
    lse = unseen_logsumexp(scores, seen)
    return [s - lse for s in scores]


def unseen_logsumexp(scores: Sequence[float], seen: Collection[int]) -> float:
    """The softmax's normalizer over the titles not in `seen`."""
    return logsumexp([s for i, s in enumerate(scores) if i not in seen])


def combiner(
    a: Sequence[float], b: Sequence[float], seen: Collection[int], rule: str | None = None
) -> Combine:
    """`rule` (default: SHIPPED) as a function of one title's two scores, each on its person's
    logit scale: a title of the model's (its two logits), or one the model does not score that
    `animerec.fresh` puts on the same scale (the "New for you" shelf). The normalization and
    the weights come from `a` and `b`, the model's scores of every title, off `seen`."""
    if len(a) != len(b):
        raise ValueError(f"{len(a)} and {len(b)} scores: the two lists need the same model")
    shift_a, shift_b = unseen_logsumexp(a, seen), unseen_logsumexp(b, seen)
    rule = rule or SHIPPED
    if rule == "min":
        return lambda x, y: min(x - shift_a, y - shift_b)
    wa = wb = 1.0
    if rule == "balanced":
        spread_a = spread([x - shift_a for x in a], seen)
        spread_b = spread([y - shift_b for y in b], seen)
        common = (spread_a + spread_b) / 2
        wa, wb = common / spread_a, common / spread_b
    elif rule != "sum":
        raise ValueError(f"no rule {rule!r}")
    return lambda x, y: 0.5 * (wa * (x - shift_a) + wb * (y - shift_b))


def joint_sum(a: Sequence[float], b: Sequence[float], seen: Collection[int]) -> list[float]:
    """½·(log p_A + log p_B): ranks as the sum of log-probabilities."""
    return _joint("sum", a, b, seen)


def joint_min(a: Sequence[float], b: Sequence[float], seen: Collection[int]) -> list[float]:
    """min(log p_A, log p_B): the probability of the person who wants the title less."""
    return _joint("min", a, b, seen)


def joint_balanced(a: Sequence[float], b: Sequence[float], seen: Collection[int]) -> list[float]:
    """The sum with the two people's sharpness evened out: each person's log-probabilities are
    scaled by (mean spread ÷ their own spread), the spread being the standard deviation of their
    BALANCE_TOP best unseen titles; then halved, as `joint_sum`. The order is that of the sum of
    the two standardized scores; a person the model is sure of no longer outvotes the other."""
    return _joint("balanced", a, b, seen)


def _joint(rule: str, a: Sequence[float], b: Sequence[float], seen: Collection[int]) -> list[float]:
    combine = combiner(a, b, seen, rule)
    return [combine(x, y) for x, y in zip(a, b, strict=True)]


def spread(logp: Sequence[float], seen: Collection[int]) -> float:
    """The standard deviation of the BALANCE_TOP best values off `seen` (1 where they are flat)."""
    top = heapq.nlargest(BALANCE_TOP, (v for i, v in enumerate(logp) if i not in seen))
    if len(top) < 2:
        return 1.0
    return statistics.pstdev(top) or 1.0


BALANCE_TOP = 200  # about the cards a visitor pages through, and then some
RULES: dict[str, Rule] = {"sum": joint_sum, "balanced": joint_balanced, "min": joint_min}
SHIPPED = "balanced"  # chosen on the measurement (module docstring)


def joint(a: Sequence[float], b: Sequence[float], seen: Collection[int]) -> list[float]:
    """The shipped rule's joint scores (log-probability-like: higher is better for both)."""
    return _joint(SHIPPED, a, b, seen)


def naive_merge(a: Sequence[float], b: Sequence[float], seen: Collection[int], n: int) -> list[int]:
    """The baseline: A's best title, then B's, in turn, skipping `seen` and repeats; n indices."""
    order_a, order_b = (top_unseen(s, seen) for s in (a, b))
    out: list[int] = []
    taken: set[int] = set()
    for pair in zip(order_a, order_b, strict=True):
        for i in pair:
            if i not in taken and len(out) < n:
                taken.add(i)
                out.append(i)
        if len(out) == n:
            break
    return out


def top_unseen(scores: Sequence[float], seen: Collection[int]) -> list[int]:
    """Indices not in `seen`, best score first (ties: lower index first)."""
    return sorted((i for i in range(len(scores)) if i not in seen), key=lambda i: -scores[i])


def merged(first: Profile, second: Profile) -> Profile:
    """The pair's list: one entry per title, a seen entry (any status but planned) over a
    planned one, so that a title either person has seen is left out of the pair's ranking."""
    best: dict[int, Entry] = {}
    for e in (*first.entries, *second.entries):
        old = best.get(e.mal_id)
        if old is None or old.status is Status.PLAN_TO_WATCH:
            best[e.mal_id] = e
    return Profile(list(best.values()), source="together")
