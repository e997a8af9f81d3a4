"""The per-user scale rule (`animerec.scales`) on real users of every scale of
`shared/data/ratings/anilist2025-600.csv`, found in the file by plain properties of their values,
and through `converter.data.read_profiles`, which training and `evaluate` read it with."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from itertools import pairwise

import pytest
from animerec.scales import Scale, infer_scale, normalize, to_ten
from helpers import SHARED

ANILIST = SHARED / "data" / "ratings" / "anilist2025-600.csv"


@cache
def _users() -> dict[int, list[dict[str, str]]]:
    users: dict[int, list[dict[str, str]]] = defaultdict(list)
    with open(ANILIST, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            users[int(row["user_id"])].append(row)
    return dict(users)


def _user(test: Callable[[set[float]], bool]) -> tuple[int, list[float]]:
    """The first real user whose set of ratings passes `test`, with at least 20 ratings."""
    for user, rows in sorted(_users().items()):
        values = [float(r["rating"]) for r in rows]
        if len(values) >= 20 and test(set(values)):
            return user, values
    raise AssertionError("no such user in the file")


def _has_decimals(s: set[float]) -> bool:
    return any(v % 1 for v in s)


CASES = {
    Scale.POINT_100: lambda s: max(s) > 10,
    Scale.POINT_10_DECIMAL: lambda s: max(s) <= 10 and _has_decimals(s),
    Scale.POINT_3: lambda s: s == {1.0, 2.0, 3.0},
    Scale.POINT_5: lambda s: max(s) == 5 and len(s) >= 3 and not _has_decimals(s),
    Scale.POINT_10: lambda s: max(s) == 10 and min(s) < 5 and not _has_decimals(s),
}


@pytest.mark.parametrize("scale", list(CASES))
def test_real_user_of_each_scale_is_read_on_it(scale: Scale) -> None:
    _, values = _user(CASES[scale])
    assert infer_scale(values) is scale
    tens = normalize(values)
    assert all(1.0 <= t <= 10.0 for t in tens)
    # The order of a user's own scores survives (ties may only appear where values were tied).
    pairs = sorted(zip(values, tens, strict=True))
    assert all(a[1] <= b[1] for a, b in pairwise(pairs))


def test_each_scale_maps_its_top_and_bottom_as_documented() -> None:
    _, hundred = _user(CASES[Scale.POINT_100])
    top = max(hundred)
    assert to_ten(top, Scale.POINT_100) == top / 10
    assert to_ten(5.0, Scale.POINT_100) == 1.0  # a 5/100 is a low score, not "unscored"
    assert [to_ten(v, Scale.POINT_3) for v in (1.0, 2.0, 3.0)] == [3.5, 6.0, 8.5]
    assert [to_ten(v, Scale.POINT_5) for v in (1.0, 3.0, 5.0)] == [2.0, 6.0, 10.0]
    _, decimal = _user(CASES[Scale.POINT_10_DECIMAL])
    half = next(v for v in decimal if v % 1 and v >= 1)
    assert to_ten(half, Scale.POINT_10_DECIMAL) == half  # kept, not rounded
    assert to_ten(0.3, Scale.POINT_10_DECIMAL) == 1.0


def test_five_star_and_ten_point_users_of_the_file_differ_only_by_their_values() -> None:
    """A 5.0 is the top of a 5-star list and the middle of a 10-point one."""
    _, stars = _user(CASES[Scale.POINT_5])
    _, tens = _user(CASES[Scale.POINT_10])
    assert normalize(stars)[stars.index(5.0)] == 10.0
    assert 5.0 in tens and normalize(tens)[tens.index(5.0)] == 5.0


@pytest.mark.parametrize("scale", [Scale.POINT_100, Scale.POINT_3, Scale.POINT_5])
def test_read_profiles_maps_each_users_scale(scale: Scale) -> None:
    from converter.data import read_profiles

    user, values = _user(CASES[scale])
    profile = read_profiles(ANILIST)[f"anilist2025-600:{user}"]
    rows = _users()[user]
    want = dict(zip((int(r["anime_id"]) for r in rows), normalize(values), strict=True))
    assert len(profile) == len(want)
    for entry in profile.entries:
        assert entry.score is not None and abs(entry.score - want[entry.mal_id]) <= 0.5
