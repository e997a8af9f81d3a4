"""The filter controls' data, between `web/js/controls.js` and `animerec.filters`: what the form
offers, form values ↔ `Filters` (as JSON keyed by Filters' field names), and the query string
that holds the whole view, so a link reproduces it. Pure Python: no `js` import."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, fields, replace
from urllib.parse import parse_qsl, urlencode

from animerec.catalog import ADULT_GENRES, TYPES
from animerec.filters import MAX_NICHE, MAX_RESULTS, QUERY_KEYS, YEAR_RANGE, Filters, to_query

MODEL_KEY = "model"  # ?model=FOLDER: a model other than the default
ADULT_KEY = "animerec:adult"  # localStorage: "show" while the visitor shows adult titles
_FIELDS = frozenset(f.name for f in fields(Filters))
_DEFAULTS = Filters()


def spec(genres: Sequence[str]) -> str:
    """What the form offers: the catalog's types and genres (the adult ones apart, shown only
    with adult titles), the ranges Filters accepts, and the defaults its reset button restores."""
    limits = {"year": YEAR_RANGE, "niche": MAX_NICHE, "n": MAX_RESULTS}
    return json.dumps(
        {
            "types": TYPES,
            "genres": list(genres),
            "adult_genres": sorted(ADULT_GENRES.intersection(genres)),
            "limits": limits,
            "defaults": asdict(Filters()),
        }
    )


def to_form(filters: Filters) -> str:
    return json.dumps(asdict(filters))


def from_form(values: str) -> Filters:
    """The form's values (strings as typed, lists for multi-valued fields); Filters normalizes
    them, so an empty or half-typed field means "no restriction"."""
    raw = json.loads(values)
    return Filters(
        **{k: tuple(v) if isinstance(v, list) else v for k, v in raw.items() if k in _FIELDS}
    )


def changed(filters: Filters) -> int:
    """How many controls differ from their defaults (shown on the folded panel's button)."""
    return sum(getattr(filters, f) != getattr(_DEFAULTS, f) for f in _FIELDS)


def view_query(search: str, filters: Filters, model: str | None) -> str:
    """`search` with the filter and model keys replaced by `filters` and `model` (None: the
    default model); keys the controls do not own (`anilist=`) stay, first."""
    kept = [
        (k, v)
        for k, v in parse_qsl(search.lstrip("?"), keep_blank_values=True)
        if k not in QUERY_KEYS and k != MODEL_KEY
    ]
    parts = [urlencode(kept), to_query(filters), urlencode({MODEL_KEY: model} if model else {})]
    query = "&".join(p for p in parts if p)
    return f"?{query}" if query else ""


def with_remembered(filters: Filters, remembered: str | None) -> Filters:
    """`filters` from the URL with the visitor's remembered adult switch (`remembered`, the
    ADULT_KEY value): a link may show adult titles, and a visitor who shows them keeps them."""
    return replace(filters, adult=True) if remembered == "show" else filters


def remembered_adult(filters: Filters) -> str | None:
    """What ADULT_KEY remembers of `filters` (None: forget, i.e. the safe default)."""
    return "show" if filters.adult else None
