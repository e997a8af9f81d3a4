"""`json_steps` decodes as `json.loads` does, whatever the cuts: the windows are shrunk here so
that documents of a few hundred characters go through every path (runs, runs that end a
container, elements read alone, containers opened), and text is mutated so that malformed
documents fail as json's do. Its steps are bounded: a large document yields often, and no step
scans much more than a window."""

from __future__ import annotations

import json

import pytest
from animerec import json_steps, safe_json
from animerec.steps import finish
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False)
    | st.text(alphabet='ab,[]{}"\\: \n\u00e9', max_size=6)
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=12) | st.dictionaries(st.text(max_size=4), inner, max_size=8)
    ),
    max_leaves=120,
)
EDITS = [*'[]{},:" 1a\\', "", "]]", ",{", '"}']
LAYOUTS = st.sampled_from([{}, {"indent": 1}, {"separators": (",", ":")},
                           {"separators": (" , ", " : ")}])  # fmt: skip


def no_guard(piece: str, outside: int) -> None:
    pass


def decoded(text: str):
    try:
        return finish(json_steps.decode_steps(text, no_guard))
    except ValueError as err:
        return err


def loaded(text: str):
    try:
        return json.loads(text)
    except ValueError as err:
        return err


@pytest.fixture
def small_windows(monkeypatch):
    """Windows of tens of characters, so that small documents are cut as large ones are."""
    for name, value in {"WINDOW": 64, "SMALLEST": 4, "TAIL": 24, "RUN_OPENERS": 6,
                        "RUN_FLOOR": 8, "STEP_WORK": 50}.items():  # fmt: skip
        monkeypatch.setattr(json_steps, name, value)


@SETTINGS
@given(VALUES, LAYOUTS)
def test_decodes_as_json_loads(small_windows, value, layout) -> None:
    text = json.dumps(value, **layout)
    assert decoded(text) == json.loads(text)


@SETTINGS
@given(
    VALUES,
    LAYOUTS,
    st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(EDITS)), min_size=1, max_size=4),
)
def test_malformed_fails_as_json_loads(small_windows, value, layout, edits) -> None:
    text = json.dumps(value, **layout)
    for where, what in edits:
        at = where % (len(text) + 1)
        text = text[:at] + what + text[at + 1 :]
    want, got = loaded(text), decoded(text)
    if isinstance(want, ValueError):
        assert isinstance(got, ValueError), text
    else:
        assert got == want, text


NULLS = ", ".join(["null"] * 40)
KEYS = ", ".join(f'"k{i}": null' for i in range(20))


@pytest.mark.parametrize(
    "text", [f"[, {NULLS}]", f"[null,, {NULLS}]", f"{{, {KEYS}}}", f'{{"a": 1,, {KEYS}}}']
)
def test_a_separator_where_an_element_must_be_fails(small_windows, text: str) -> None:
    """A container larger than a window, read in runs, with a comma where an element must
    be: once read as an empty run, which swallowed the comma (found by the property above)."""
    want, got = loaded(text), decoded(text)
    assert isinstance(want, ValueError)
    assert isinstance(got, ValueError) and str(got) == str(want)


def test_a_large_document_is_decoded_in_bounded_steps() -> None:
    """4 MB of entries: many steps, none scanning more than a few windows."""
    text = json.dumps(
        {
            "data": {
                "lists": [
                    {
                        "entries": [
                            {"id": i, "title": {"romaji": f"T,{{{i}"}, "tags": [1, 2]}
                            for i in range(60_000)
                        ]
                    }
                ]
            }
        }
    )
    reader = json_steps._Reader(text, safe_json.guard)  # its `work`: what each step scanned
    steps, most = reader.steps(), 0
    count = 0
    while True:
        try:
            next(steps)
        except StopIteration as done:
            value = done.value
            break
        count += 1
        most = max(most, reader.work)
    assert value == json.loads(text)
    assert count >= len(text) // json_steps.STEP_WORK - 1
    assert most < json_steps.STEP_WORK + 8 * json_steps.WINDOW


@pytest.mark.parametrize("depth", [64, 65])
def test_deep_pieces_are_refused_before_the_scanner(depth: int) -> None:
    """In a large document, a deep element is refused by the guard (the scanner never sees
    it), and one at the limit is decoded."""
    deep = "[" * (depth - 3) + "1" + "]" * (depth - 3)
    text = (
        '{"a": {"b": [' + ",".join([json.dumps({"x": i}) for i in range(20_000)] + [deep]) + "]}}"
    )
    if depth > safe_json.MAX_DEPTH:
        with pytest.raises(safe_json.JsonRefused, match="nested more than 64"):
            safe_json.loads(text)
    else:
        assert safe_json.loads(text) == json.loads(text)
