"""`json.loads` for what strangers send (uploaded files, API answers): a size cap, and a guard
that sees every piece of text before the C scanner does, so that a hostile document is refused
by a few C-speed regex passes over that piece instead of recursing until the interpreter (or the
browser tab running Pyodide) gives up, or converting a number for seconds. Failures are
`ProfileParseError`s fit to show the visitor.

`load_steps` decodes in steps (`json_steps`), for callers that give the event loop a turn in
between (`steps.finish_async`); `loads` runs it to the end.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from .errors import ProfileParseError
from .json_steps import decode_steps
from .steps import Steps, finish


class JsonRefused(ProfileParseError):
    """Refused unread: too large, too deep, or a number too long."""


class _Refused(Exception):
    """Why the guard stopped a piece; `load_steps` names the document in the message."""


MAX_DEPTH = 64  # the deepest real list document is 6 levels deep
MAX_CHARS = 60_000_000
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)  # unrolled: linear, no backtracking
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_PAIR = re.compile(r"\[\]|\{\}")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
MAX_DIGITS = 100  # a longer number costs seconds to convert, and no list has one
_LONG_NUMBER = re.compile(rf"[0-9]{{{MAX_DIGITS + 1}}}")


def loads(text: str | bytes, what: str = "The JSON") -> Any:
    """The decoded document; `what` names it in the error ("The file", "Kitsu's answer")."""
    return finish(load_steps(text, what))


def load_steps(text: str | bytes, what: str = "The JSON") -> Steps[Any]:
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode(json.detect_encoding(text))
        except UnicodeDecodeError as err:
            raise ProfileParseError(
                f"{what} is not valid UTF-8 text (byte {err.start + 1:,} is not text)."
            ) from err
        yield
    if len(text) > MAX_CHARS:
        raise JsonRefused(f"{what} is over {MAX_CHARS // 1_000_000} MB of JSON.")
    try:
        return (yield from decode_steps(text, guard))
    except _Refused as refused:
        raise JsonRefused(f"{what} {refused}.") from None
    except json.JSONDecodeError as err:
        where = f"{err.msg.lower()} at line {err.lineno:,}, column {err.colno:,}"
        raise ProfileParseError(f"{what} is malformed: {where}.") from err
    except ValueError as err:  # a number past Python's 4,300 digits, in a long container
        raise ProfileParseError(f"{what} is malformed: it holds a number too long.") from err


def guard(piece: str, outside: int) -> None:
    """Refuse `piece`, text the C scanner is about to read inside `outside` open containers:
    a container nesting deeper than MAX_DEPTH in all, or a number of more than MAX_DIGITS
    digits. Numbers inside a container piece need no look: the scanner refuses integers of over
    4,300 digits at once (Python's limit), and a piece is at most `json_steps.WINDOW` long; such
    a piece fails, and the number is met again as a scalar."""
    if not piece.startswith(("[", "{")):
        if _LONG_NUMBER.match(piece, piece.startswith("-")):
            raise _Refused(f"has a number of more than {MAX_DIGITS} digits")
        return
    allowed = MAX_DEPTH - outside
    if _openers(piece) > allowed and _nests_deeper(_STRING.sub("", piece), allowed):
        raise _Refused(f"is nested more than {MAX_DEPTH} levels deep")


def _nests_deeper(rest: str, allowed: int) -> bool:
    """Whether brackets in `rest` (strings removed) nest deeper than `allowed`. An opener never
    closed counts as open to the end (a piece can be cut short); after a stray closer the C
    scanner stops, so what follows it counts for less, never for more. First a bound: closed
    pairs are dropped a level a pass, and the passes plus the openers left bound the depth.
    Only when that bound is over `allowed` are the brackets counted one by one."""
    brackets = _NOT_BRACKET.sub("", rest)
    passes, left = 0, brackets
    while True:
        left, dropped = _PAIR.subn("", left)
        if not dropped:
            break
        passes += 1
        if passes > allowed:
            return True
    if passes + _openers(left) <= allowed:
        return False
    return max(accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0) > allowed


def _openers(text: str) -> int:
    return text.count("[") + text.count("{")
