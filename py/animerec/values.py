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
    """`repr(value)` short enough to quote in an error message (a list or object by its type:
    its repr could be megabytes)."""
    if not isinstance(value, str | bytes | int | float | None):
        return f"a {type(value).__name__}"
    text_ = repr(value[: limit + 1] if isinstance(value, str | bytes) else value)
    return text_ if len(text_) <= limit else text_[:limit] + "…"
