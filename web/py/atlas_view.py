"""What the catalog map (`web/js/atlas.js`) shows, as plain JSON: each title's name and colour
class (by genre or by year), which titles to light up (the visitor's list, the current
recommendations), which the filters keep, and the card of a clicked title. Pure Python: no
`js` import."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

import views
from animerec.catalog import ADULT_GENRES, Catalog
from animerec.filters import Filters
from animerec.profile import Profile
from animerec.ranking import Candidates, Recommendation

GENRE_COLOURS = 11  # the catalog's most common genres get a colour each; the rest are "Other"
YEAR_STEP = 5  # years per colour


def items(catalog: Catalog) -> str:
    """Per catalog index: title, year, and colour class by genre and by year, with legends.
    A title's genre colour is its least common genre among the GENRE_COLOURS most common ones
    (the most telling of them: "Mecha" says more than "Action"). An adult genre is never a
    colour: the legend shows while adult titles are hidden."""
    counts = Counter(g for item in catalog for g in item.genres if g not in ADULT_GENRES)
    coloured = [g for g, _ in counts.most_common(GENRE_COLOURS)]
    other = len(coloured)
    genre = [
        min(
            (coloured.index(g) for g in item.genres if g in coloured),
            key=lambda c: counts[coloured[c]],
            default=other,
        )
        for item in catalog
    ]
    years = sorted({i.year for i in catalog if i.year is not None})
    first = years[0] - years[0] % YEAR_STEP if years else 0
    buckets = (years[-1] - first) // YEAR_STEP + 1 if years else 0
    year = [buckets if i.year is None else (i.year - first) // YEAR_STEP for i in catalog]
    year_legend = [
        f"{first + b * YEAR_STEP}–{first + b * YEAR_STEP + YEAR_STEP - 1}" for b in range(buckets)
    ]
    return json.dumps(
        {
            "titles": [i.title for i in catalog],
            "genre": {"classes": genre, "legend": [*coloured, "Other"]},
            "year": {"classes": year, "legend": [*year_legend, "Unknown"]},
        },
        ensure_ascii=False,
    )


def highlights(
    candidates: Candidates, recs: Sequence[Recommendation], profile: Profile, filters: Filters
) -> str:
    """The visitor's titles, the recommendations shown, the filters' mask over the catalog
    ("1" kept, "0" dimmed, "-" not drawn at all: adult titles while they are hidden), the
    genres whose region labels are not drawn, and the covers the list gave, by catalog index."""
    ctx = candidates.context
    kept = bytearray(b"0" * len(ctx.catalog))
    for i in ctx.passing(filters, range(len(kept))):
        kept[i] = ord("1")
    unshown = [] if filters.adult else [i for i, adult in enumerate(ctx.adult) if adult]
    for i in unshown:
        kept[i] = ord("-")
    return json.dumps(
        {
            "list": sorted((candidates.watched | candidates.planned).difference(unshown)),
            "recs": [r.item.index for r in recs],
            "kept": kept.decode(),
            "unshown_genres": [] if filters.adult else sorted(ADULT_GENRES),
            "covers": covers(profile, ctx.catalog),
        }
    )


def card(index: int, candidates: Candidates, profile: Profile) -> str:
    """The card of catalog title `index` (a recommendation card, whether it is one or not),
    with its cover when the visitor's list gave one."""
    catalog = candidates.context.catalog
    rec = Recommendation(
        catalog[index],
        float(candidates.scores[index]),
        candidates.match(index),
        planned=index in candidates.planned,
    )
    return json.dumps({**views.card(rec, catalog), "cover": covers(profile, catalog).get(index)})


def covers(profile: Profile, catalog: Catalog) -> dict[int, str]:
    """The covers the list gave (AniList's CDN only), by catalog index."""
    out = {}
    for entry in profile.entries:
        index = catalog.index_of(entry.mal_id)
        cover = views.safe_cover(entry.cover_url)
        if index is not None and cover:
            out[index] = cover
    return out
