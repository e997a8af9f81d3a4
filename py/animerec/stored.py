"""What the page keeps in localStorage, read back as the untrusted input it is: a hand edit, an
older version of the page, or another app on the same origin may have left anything there. Each
reader takes what parses, bounds it, and drops the rest; none raises."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import safe_json
from .errors import ProfileParseError
from .values import whole

MAX_STORED_CHARS = 1_000_000  # the page writes at most about 250 kB (2,000 covers' JSON)
MAX_HIDDEN = 5_000  # "not interested" titles remembered: the newest


def stored_json(text: object) -> Any:
    """The JSON document in a stored value; None for no value, a value that is not text, is
    over MAX_STORED_CHARS, is not JSON, or nests deeper than real JSON does."""
    if not isinstance(text, str) or not text or len(text) > MAX_STORED_CHARS:
        return None
    try:
        return safe_json.loads(text, "The stored value")
    except ProfileParseError:
        return None


def hidden_ids(text: object) -> list[int]:
    """The stored "not interested" ids (a JSON list of ids, oldest first): each whole positive
    id once (a number or a string of digits), the newest MAX_HIDDEN; anything else is dropped."""
    raw = stored_json(text)
    return newest(whole(v) for v in raw) if isinstance(raw, list) else []


def newest(ids: Iterable[int | None]) -> list[int]:
    """`ids` (oldest first) without Nones and repeats, each at its latest place, the newest
    MAX_HIDDEN of them."""
    latest = list(dict.fromkeys(i for i in reversed(list(ids)) if i is not None))
    return latest[:MAX_HIDDEN][::-1]
