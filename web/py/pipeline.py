"""Profile → model scores and explanations. The model is an async `predict` callable, so this
runs the same under Pyodide (TF.js behind it) and in CPython tests (a stand-in)."""

from __future__ import annotations

from array import array
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from animerec.catalog import Catalog
from animerec.encoding import encode, known_entries
from animerec.explain import LeaveOneOut, leave_one_out_batch
from animerec.profile import Profile
from animerec.ranking import Recommendation

Predict = Callable[[array], Awaitable[Sequence[float]]]
PredictBatch = Callable[[array, int], Awaitable[Sequence[float]]]  # flat rows in, flat rows out


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


async def explainer(
    profile: Profile, catalog: Catalog, scores: Sequence[float], predict_batch: PredictBatch
) -> LeaveOneOut | None:
    """Leave-one-out over the profile in one batched model call; None when nothing explains."""
    batch, entries = leave_one_out_batch(profile, catalog)
    if not entries:
        return None
    return LeaveOneOut(scores, await predict_batch(batch, len(entries)), entries)


def explained(recs: Sequence[Recommendation], loo: LeaveOneOut | None) -> list[Recommendation]:
    """`recs` with `because` filled in (no model call: `loo` holds the batch output)."""
    if loo is None:
        return list(recs)
    why = loo.because([r.item.index for r in recs])
    return [replace(r, because=tuple(why.get(r.item.index, ()))) for r in recs]
