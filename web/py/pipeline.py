"""Profile → model input and explanations. The model is an async `predict_batch` callable, so
this runs the same under Pyodide (TF.js behind it) and in CPython tests (a stand-in)."""

from __future__ import annotations

from array import array
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from animerec.catalog import Catalog, Item
from animerec.encoding import encode, known_entries
from animerec.explain import LeaveOneOut, leave_one_out_batch
from animerec.profile import Profile
from animerec.ranking import Recommendation

PredictBatch = Callable[[array, int], Awaitable[Sequence[float]]]  # flat rows in, flat rows out


class NothingKnown(ValueError):
    """No title on the list is one the model was trained on; the message is for the visitor."""


def encoded(profile: Profile, catalog: Catalog) -> array:
    """The model input for the visitor's list (encoded once per request: the scores and the
    explanations' batch both start from it)."""
    if not known_entries(profile, catalog):
        raise NothingKnown(
            f"Not one of the {len(profile)} titles on this list is one the model knows "
            "(or they are all planned, not watched). Add a few watched titles and try again."
        )
    return encode(profile, catalog)


async def explainer(
    profile: Profile,
    catalog: Catalog,
    row: array,
    scores: Sequence[float],
    predict_batch: PredictBatch,
) -> LeaveOneOut | None:
    """Leave-one-out over the profile (`row`: its `encoded` input) in one batched model call;
    None when nothing explains."""
    batch, entries = leave_one_out_batch(profile, catalog, row=row)
    if not entries:
        return None
    return LeaveOneOut(scores, await predict_batch(batch, len(entries)), entries)


def explained(
    recs: Sequence[Recommendation],
    loo: LeaveOneOut | None,
    catalog: Catalog,
    shows: Callable[[Item], bool],
) -> list[Recommendation]:
    """`recs` with `because` filled in (no model call: `loo` holds the batch output), naming
    only titles that `shows` lets on screen (`Filters.shows`)."""
    if loo is None:
        return list(recs)
    why = loo.because([r.item.index for r in recs], unnamed=unnamed(loo, catalog, shows))
    return [replace(r, because=tuple(why.get(r.item.index, ()))) for r in recs]


def unnamed(loo: LeaveOneOut, catalog: Catalog, shows: Callable[[Item], bool]) -> set[int]:
    """The list's titles that an explanation may not name: those `shows` keeps off screen."""
    return {e.mal_id for e in loo.entries if not shows(catalog[catalog.index_of(e.mal_id)])}
