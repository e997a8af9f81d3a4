"""Reading single values out of untrusted JSON (uploaded files, API answers): the wrong type,
a NaN or a megabyte-long string becomes None instead of an exception or a giant title."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_TEXT = 300  # characters of a title or address kept; longer ones are cut


def as_dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def whole(value: Any) -> int | None:
    """A positive whole number from an int or a string of ASCII digits (ids, progress, unix
    times), else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value < 2**53 else None
    if isinstance(value, str) and 0 < len(value) < 16 and value.isascii() and value.isdigit():
        return int(value) or None
    return None


def number(value: Any) -> float | None:
    """A finite number from an int, a float or a numeric string (scores), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, str) and len(value) > 32:
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    return result if math.isfinite(result) else None


def text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A non-empty string, cut to `limit` characters, else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def shown(value: Any, limit: int = 40) -> str:
    """`value` in words fit for an error message, never a Python repr: a text in quotes, cut to
    `limit` characters; a number as digits; anything else by what it is ("nothing", "a list")."""
    if isinstance(value, str):
        return f"“{value}”" if len(value) <= limit else f"“{value[:limit]}…”"
    if isinstance(value, bool):
        return "a yes/no value"
    if isinstance(value, int) and value.bit_length() > 4 * limit:
        return "a number far too long"
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        digits = str(value)
        return digits if len(digits) <= limit else "a number far too long"
    return _KINDS.get(type(value), "a value of the wrong kind")


_KINDS = {type(None): "nothing", float: "something that is not a number", list: "a list",
          dict: "an object", bytes: "binary data"}  # fmt: skip
