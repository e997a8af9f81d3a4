"""`json.loads` for what strangers send (uploaded files, API answers): a size cap and a nesting
check before decoding, so a hostile document is refused by a few C-speed regex passes instead of
recursing until the interpreter (or the browser tab running Pyodide) gives up. Failures are
`ProfileParseError`s fit to show the visitor.

`load_steps` yields between its passes (each one pass over the text), for callers that give the
event loop a turn in between; `loads` runs it to the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator
from typing import Any

from .errors import ProfileParseError


class JsonRefused(ProfileParseError):
    """Refused before decoding: too large, too deep, or a number too long."""


MAX_DEPTH = 64  # the deepest real list document is 6 levels deep
MAX_CHARS = 60_000_000
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: linear, no backtracking
_DEEP_RUN = re.compile(rf"(?:[\[{{][^\[\]{{}}]*){{{MAX_DEPTH + 1}}}")  # openers, no closer between
HEAD = 1 << 16  # characters checked for a run of openers before any pass
_INNERMOST = re.compile(r"\[[^\[\]{}]*\]|\{[^\[\]{}]*\}")  # a container holding no container
MAX_DIGITS = 100  # a longer number costs seconds to convert, and no list has one
_LONG_NUMBER = re.compile(rf"[0-9]{{{MAX_DIGITS + 1}}}")


def loads(text: str | bytes, what: str = "The JSON") -> Any:
    """The decoded document; `what` names it in the error ("The file", "Kitsu's answer")."""
    steps = load_steps(text, what)
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def load_steps(text: str | bytes, what: str = "The JSON") -> Generator[None, None, Any]:
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode(json.detect_encoding(text))
        except (UnicodeDecodeError, LookupError) as err:
            raise ProfileParseError(f"{what} is not valid UTF-8 text ({err}).") from err
        yield
    if len(text) > MAX_CHARS:
        raise JsonRefused(f"{what} is over {MAX_CHARS // 1_000_000} MB of JSON.")
    problem = yield from _refusal(text)
    if problem:
        raise JsonRefused(f"{what} {problem}.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise ProfileParseError(f"{what} is malformed JSON: {str(err)[:200]}.") from err


def _refusal(text: str) -> Generator[None, None, str | None]:
    """Why `text` is not decoded, or None. Outside strings: a number of over MAX_DIGITS digits,
    or containers nesting deeper than MAX_DEPTH. For the depth, innermost containers are dropped
    level by level until a run of MAX_DEPTH + 1 openers with no closer between shows (too deep)
    or nothing more goes (shallow, or malformed: json.loads will say)."""
    deep = f"is nested more than {MAX_DEPTH} levels deep"
    if _DEEP_RUN.match(text, 0, HEAD):  # most deep documents are deep from the start: no pass
        return deep
    rest = _STRING.sub("", text)
    yield
    if _LONG_NUMBER.search(rest):
        return f"has a number of more than {MAX_DIGITS} digits"
    for _ in range(MAX_DEPTH):
        yield
        rest, removed = _INNERMOST.subn("", rest)
        if _DEEP_RUN.search(rest):
            return deep
        if not removed:
            return None
    return deep if "[" in rest or "{" in rest else None
