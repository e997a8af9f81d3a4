"""Profile → model scores. The model is an async `predict` callable, so this
runs the same under Pyodide (TF.js behind it) and in CPython tests (a stand-in)."""

from __future__ import annotations

from array import array
from collections.abc import Awaitable, Callable, Sequence

from animerec.catalog import Catalog
from animerec.encoding import encode, known_entries
from animerec.profile import Profile

Predict = Callable[[array], Awaitable[Sequence[float]]]


class NothingKnown(ValueError):
    """No title on the list is one the model was trained on; the message is for the visitor."""


async def score(profile: Profile, catalog: Catalog, predict: Predict) -> Sequence[float]:
    """The model's score for every catalog item, given the visitor's list."""
    if not known_entries(profile, catalog):
        raise NothingKnown(
            f"None of the {len(profile)} titles on this list is one the model knows "
            "(or they are all planned, not watched). Add a few watched titles and try again."
        )
    return await predict(encode(profile, catalog))
