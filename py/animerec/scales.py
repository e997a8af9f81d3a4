"""A user's own score scale → the encoding's 1–10 scores: one rule for every rating file whose
users each score on a scale of their own (AniList's `POINT_100`, `POINT_10_DECIMAL`, `POINT_10`,
`POINT_5`, `POINT_3`, as in `shared/data/ratings/anilist2025-600.csv`).

The scale is inferred from the SET of values one user gave, in this order:

1. any value above 10 → 100-point: score / 10 (85 → 8.5);
2. any non-integer value → 10-point decimal: kept as it is (7.5 → 7.5);
3. every value in {1, 2, 3} → 3 smileys: AniList's own 100-point values of its smileys, / 10
   (1 → 3.5, 2 → 6.0, 3 → 8.5);
4. every value ≤ 5 → 5 stars: × 2 (1 → 2 … 5 → 10);
5. otherwise → 10-point: kept.

Every result is then raised to at least 1 (a 100-point 5 or a decimal 0.3 is a low score, not
"unscored") and never rounded. A 10-point user who gave only values ≤ 5 (or only 1–3) is read
as 5 stars (or smileys): the values alone cannot tell them apart, and such lists are rare.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class Scale(StrEnum):
    POINT_100 = "100-point"
    POINT_10_DECIMAL = "10-point decimal"
    POINT_3 = "3 smileys"
    POINT_5 = "5 stars"
    POINT_10 = "10-point"


SMILEYS = {1.0: 3.5, 2.0: 6.0, 3.0: 8.5}


def infer_scale(values: Iterable[float]) -> Scale:
    """The scale one user's scores are on (see the module docstring for the rule)."""
    seen = set(values)
    if not seen:
        return Scale.POINT_10
    if max(seen) > 10:
        return Scale.POINT_100
    if any(v != int(v) for v in seen):
        return Scale.POINT_10_DECIMAL
    if seen <= set(SMILEYS):
        return Scale.POINT_3
    if max(seen) <= 5:
        return Scale.POINT_5
    return Scale.POINT_10


def to_ten(value: float, scale: Scale) -> float:
    """One score on `scale` as a 1–10 score (not rounded)."""
    if scale is Scale.POINT_3:
        ten = SMILEYS[value]
    elif scale is Scale.POINT_100:
        ten = value / 10
    elif scale is Scale.POINT_5:
        ten = value * 2
    else:
        ten = value
    return max(1.0, min(10.0, ten))


def normalize(values: list[float]) -> list[float]:
    """One user's scores, all of them, mapped onto 1–10 by the scale they imply together."""
    scale = infer_scale(values)
    return [to_ten(v, scale) for v in values]
