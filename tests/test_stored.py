"""What the page keeps in localStorage is input: any stored value reads as what parses of it,
bounded, and never raises (`animerec.stored`, `CoverCache.from_json`)."""

from __future__ import annotations

import json

import pytest
from animerec.covers import COVER_ORIGIN, MAX_KEPT, CoverCache
from animerec.stored import MAX_HIDDEN, MAX_STORED_CHARS, hidden_ids, stored_json

COVER = {"url": COVER_ORIGIN + "file/cover/1.jpg", "color": "#a0b0c0"}
# Values a hand edit, an older page or another app on the origin could leave under any key.
HOSTILE = [
    None, "", "not json", "{", "[1, 2", "undefined", "null", "true", "5", "-3", '"1,2,3"',
    "NaN", "[NaN]", "[Infinity]", "[-Infinity]", "[1e400]", "[1e308]", "[-1, 0, -7]",
    "[1.5, 2.0]", "[true, false]", '["12", "0x10", " 7", "1e3", "٣"]', "[[1], {\"a\": 2}]",
    "[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000,
    "[" + "9" * 5000 + "]", '"' + "x" * 5_000_000 + '"', "[" + "1," * 600_000 + "1]",
    json.dumps({"1": {"url": "javascript:alert(1)"}, "2": {"url": COVER_ORIGIN * 100}}),
    json.dumps({"-4": COVER, "abc": COVER, "3": "cover", "5": [COVER], "6": {"color": "#fff"}}),
    "\ud800", "\x00" * 10, 12, 3.5, [1, 2], {"1": COVER},
]  # fmt: skip


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_any_stored_value_reads_without_raising_and_bounded(value) -> None:
    hidden = hidden_ids(value)
    assert all(type(i) is int and i > 0 for i in hidden) and len(hidden) <= MAX_HIDDEN
    assert len(set(hidden)) == len(hidden)
    covers = CoverCache.from_json(value).known
    assert len(covers) <= MAX_KEPT
    for mal_id, cover in covers.items():
        assert type(mal_id) is int and mal_id > 0
        assert cover is None or cover["url"].startswith(COVER_ORIGIN)


def test_what_parses_is_kept() -> None:
    assert hidden_ids("[5, 3, 5, 9]") == [3, 5, 9]  # each once, at its latest place
    assert hidden_ids('[5, "7", -1, 2.5, null, "x", true, [4]]') == [5, 7]
    assert hidden_ids("[1e400, 8]") == hidden_ids("[Infinity, 8]") == hidden_ids("[NaN, 8]") == [8]
    cache = CoverCache.from_json(json.dumps({"1": COVER, "2": None, "-3": COVER, "4": {"url": 4}}))
    assert cache.known == {1: COVER, 2: None}
    odd_color = CoverCache.from_json(json.dumps({"1": {**COVER, "color": "red; x: url(y)"}}))
    assert odd_color.known == {1: {**COVER, "color": None}}


def test_the_newest_are_kept() -> None:
    many = list(range(1, 3 * MAX_HIDDEN))
    assert hidden_ids(json.dumps(many)) == many[-MAX_HIDDEN:]
    covers = json.dumps({str(i): None for i in range(1, 2 * MAX_KEPT)})
    assert list(CoverCache.from_json(covers).known) == list(range(MAX_KEPT, 2 * MAX_KEPT))


def test_too_long_or_too_deep_is_nothing() -> None:
    assert stored_json("[" + " " * MAX_STORED_CHARS + "]") is None
    assert stored_json("[" * 1000 + "]" * 1000) is None
    assert stored_json("[1, 2]") == [1, 2]
