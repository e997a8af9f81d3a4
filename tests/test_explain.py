import math
import random
from array import array

import pytest
from animerec.encoding import encode, known_entries
from animerec.explain import (
    LOO_LIMIT,
    LeaveOneOut,
    because_you_watched,
    explainable_entries,
    leave_one_out_batch,
    logsumexp,
)
from animerec.parsers import parse_profile_file
from animerec.profile import Entry, Profile, Status
from helpers import FIXTURES, make_catalog

N = 8
CATALOG = make_catalog([{"mal_id": 10 + i, "title": f"T{i}"} for i in range(N)])


def fake_model(row) -> list[float]:
    """Item j's logit depends on one input: item 4 follows item 0, item 5 follows items 1 and 2
    (item 2 twice as strongly), everything else is flat. Plus a row-wide shift that depends on
    every input, which the log-probability must see through."""
    shift = 5.0 * sum(row)
    logits = [shift] * N
    logits[4] += 3.0 * row[0]
    logits[5] += 1.0 * row[1] + 2.0 * row[2]
    return logits


def run(profile: Profile) -> tuple[list[float], array, list[Entry]]:
    batch, entries = leave_one_out_batch(profile, CATALOG)
    rows = [batch[r * N : (r + 1) * N] for r in range(len(entries))]
    loo = array("f", [x for row in rows for x in fake_model(row)])
    return fake_model(encode(profile, CATALOG)), loo, entries


PROFILE = Profile([Entry(10 + i, Status.COMPLETED, 10) for i in range(3)])


def test_batch_rows_each_lack_one_entry():
    batch, entries = leave_one_out_batch(PROFILE, CATALOG)
    full = encode(PROFILE, CATALOG)
    assert len(batch) == len(entries) * N
    for r, e in enumerate(entries):
        row = batch[r * N : (r + 1) * N]
        removed = CATALOG.index_of(e.mal_id)
        assert row[removed] == 0.0
        assert all(row[i] == full[i] for i in range(N) if i != removed)
    assert leave_one_out_batch(PROFILE, CATALOG, row=full) == (batch, entries)
    assert list(full) == list(encode(PROFILE, CATALOG))  # the caller's row is left as it was


def test_the_right_entry_explains_each_item():
    full, loo, entries = run(PROFILE)
    why = because_you_watched(full, loo, entries, [4, 5, 7])
    assert [e.mal_id for e in why[4]] == [10]
    assert [e.mal_id for e in why[5]] == [12, 11]  # the stronger input first
    assert why[7] == []  # nothing lowers a flat item's log-probability


def test_unnamed_entries_never_explain():
    """Titles not to be shown (adult ones while hidden) are never named; the next reason is."""
    full, loo, entries = run(PROFILE)
    why = LeaveOneOut(full, loo, entries).because([4, 5], unnamed={12})
    assert [e.mal_id for e in why[4]] == [10]
    assert [e.mal_id for e in why[5]] == [11]
    assert LeaveOneOut(full, loo, entries).because([4], unnamed={10}) == {4: []}


def test_explanations_are_known_profile_entries_and_capped():
    profile = parse_profile_file((FIXTURES / "mal-export-v110-igorv.xml").read_bytes())
    catalog = make_catalog(
        [{"mal_id": e.mal_id, "title": e.title or "?"} for e in profile.entries[::2]]
    )
    entries = explainable_entries(profile, catalog, limit=5)
    assert len(entries) == 5
    known = known_entries(profile, catalog)
    assert all(e in known and e.status is not Status.DROPPED for e in entries)
    rng = random.Random(1)
    n = len(catalog)
    full = [rng.gauss(0, 1) for _ in range(n)]
    loo = array("f", [rng.gauss(0, 1) for _ in range(n * len(entries))])
    why = LeaveOneOut(full, loo, entries).because(range(n))
    assert all(len(v) <= 3 and set(v) <= set(entries) for v in why.values())


def test_the_cap_keeps_the_highest_weighted_entries():
    catalog = make_catalog([{"mal_id": m, "title": str(m)} for m in range(100)])
    profile = Profile(
        [Entry(m, Status.COMPLETED, 1 + m % 10) for m in range(90)]
        + [Entry(99, Status.DROPPED), Entry(98, Status.PLAN_TO_WATCH)]
    )
    entries = explainable_entries(profile, catalog)
    assert len(entries) == LOO_LIMIT
    assert min(e.score for e in entries) >= max(
        e.score for e in profile.entries[:90] if e not in entries
    )


def test_lengths_are_checked():
    with pytest.raises(ValueError):
        LeaveOneOut([0.0] * N, array("f", [0.0] * (N + 1)), PROFILE.entries)


def test_logsumexp_is_stable():
    assert logsumexp([0.0, 0.0]) == pytest.approx(math.log(2))
    assert logsumexp([1000.0, 1000.0]) == pytest.approx(1000 + math.log(2))
    assert logsumexp([-1000.0, -1000.0]) == pytest.approx(-1000 + math.log(2))
