"""`json.loads` for what strangers send (uploaded files, API answers): a size cap and a nesting
check before decoding, so a hostile document is refused in C-speed scans instead of recursing
until the interpreter (or the browser tab running Pyodide) gives up. Failures are
`ProfileParseError`s fit to show the visitor."""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import ProfileParseError

MAX_DEPTH = 64  # the deepest real list document is 6 levels deep
MAX_CHARS = 60_000_000
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: linear, no backtracking
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_TOO_MANY_OPEN = re.compile(rf"[\[{{]{{{MAX_DEPTH + 1}}}")
_INNERMOST = re.compile(r"\[\]|\{\}")


def loads(text: str | bytes, what: str = "The JSON") -> Any:
    """The decoded document; `what` names it in the error ("The file", "Kitsu's answer")."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode(json.detect_encoding(text))
        except (UnicodeDecodeError, LookupError) as err:
            raise ProfileParseError(f"{what} is not valid UTF-8 text ({err}).") from err
    if len(text) > MAX_CHARS:
        raise ProfileParseError(f"{what} is over {MAX_CHARS // 1_000_000} MB of JSON.")
    if too_deep(text):
        raise ProfileParseError(f"{what} is nested more than {MAX_DEPTH} levels deep.")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as err:
        raise ProfileParseError(f"{what} is malformed JSON: {err}.") from err


def too_deep(text: str) -> bool:
    """Whether the brackets outside strings nest deeper than MAX_DEPTH: strings are dropped,
    then everything but brackets, then innermost pairs level by level (each pass one regex)."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    for _ in range(MAX_DEPTH):
        if _TOO_MANY_OPEN.search(brackets):
            return True
        brackets, removed = _INNERMOST.subn("", brackets)
        if not removed:
            return False  # balanced and shallow, or malformed (json.loads will say)
    return bool(brackets)
