"""Profile statistics: the numbers (for tests and the text summary) and inline SVG charts.

The charts need no chart library: plain SVG strings whose bars and labels use `currentColor` and
the CSS classes `chart`, `bar`, `label` and `value`, so the page's stylesheet themes them. Every
text taken from data (genres, types) is escaped (`html.escape`: valid XML, and lighter to
import than `xml.sax.saxutils`); each chart carries `role="img"`, an
`aria-label` and a `<title>`.

Which entries count: the score chart uses every scored entry on the list; genres, types and
mainstreamness use the entries the model sees (`encoding.known_entries`: in the catalog, not
plan-to-watch), i.e. what the visitor actually watched; genres and types also count the watched
titles the site recognizes but the model does not score (the `extra` catalog).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from .catalog import TYPES, Catalog
from .encoding import known_entries
from .profile import Profile, Status

TOP_GENRES = 10
UNKNOWN_TYPE = "Unknown"


@dataclass(frozen=True, slots=True)
class ProfileStats:
    score_counts: tuple[int, ...]  # 10 counts: score 1 … score 10
    genres: tuple[tuple[str, int], ...]  # top genres, most watched first
    types: tuple[tuple[str, int], ...]  # in TYPES order, then UNKNOWN_TYPE; zero counts left out
    mainstream: float | None  # mean popularity percentile (0–100) of known entries
    known: int  # entries the model scores (the mainstream number is over these)
    total: int  # entries on the list
    recognized: int = 0  # watched entries known to the site but not scored by the model

    @property
    def mean_score(self) -> float | None:
        scored = sum(self.score_counts)
        if not scored:
            return None
        return sum(s * c for s, c in enumerate(self.score_counts, start=1)) / scored


def profile_stats(profile: Profile, catalog: Catalog, extra: Catalog | None = None) -> ProfileStats:
    scores = Counter(e.score for e in profile.entries if e.score is not None)
    indices = [catalog.index_of(e.mal_id) for e in known_entries(profile, catalog)]
    items = [catalog[i] for i in indices]
    recognized = [
        item
        for e in profile.entries
        if extra is not None and e.status is not Status.PLAN_TO_WATCH
        and (item := extra.by_mal_id(e.mal_id)) is not None
    ]  # fmt: skip
    genres = Counter(g for item in items + recognized for g in item.genres)
    types = Counter(
        item.type if item.type in TYPES else UNKNOWN_TYPE for item in items + recognized
    )
    percentiles = popularity_percentiles(catalog)
    mainstream = [percentiles[i] for i in indices]
    return ProfileStats(
        score_counts=tuple(scores[s] for s in range(1, 11)),
        genres=tuple(sorted(genres.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_GENRES]),
        types=tuple((t, types[t]) for t in (*TYPES, UNKNOWN_TYPE) if types[t]),
        mainstream=sum(mainstream) / len(mainstream) if mainstream else None,
        known=len(items),
        total=len(profile),
        recognized=len(recognized),
    )


def popularity_percentiles(catalog: Catalog) -> list[float]:
    """Per item, 0–100: the share of the catalog that is less popular (ties count half)."""
    ordered = sorted(item.popularity for item in catalog)
    n = len(ordered)
    return [
        100.0 * (bisect_left(ordered, p) + bisect_right(ordered, p) - 1) / 2 / max(n - 1, 1)
        for p in (item.popularity for item in catalog)
    ]


def summary(stats: ProfileStats) -> str:
    """The charts as one plain-text paragraph (screen readers, tests)."""
    parts = [f"{stats.total} titles on the list, {stats.known} of them in the catalog."]
    if stats.recognized:
        parts[0] = parts[0][:-1] + f", {stats.recognized} more recognized (not scored)."
    if stats.mean_score is not None:
        parts.append(f"Mean score {stats.mean_score:.1f} over {sum(stats.score_counts)} scores.")
    if stats.genres:
        parts.append("Top genres: " + ", ".join(f"{g} ({c})" for g, c in stats.genres) + ".")
    if stats.types:
        parts.append("Types: " + ", ".join(f"{t} ({c})" for t, c in stats.types) + ".")
    if stats.mainstream is not None:
        parts.append(
            f"Mainstream: {stats.mainstream:.0f}/100 (mean popularity percentile of your titles)."
        )
    return " ".join(parts)


def score_svg(stats: ProfileStats) -> str:
    """Vertical bars, one per score 1–10."""
    labels = [str(s) for s in range(1, 11)]
    return column_chart("Score distribution", labels, stats.score_counts)


def genre_svg(stats: ProfileStats) -> str:
    return bar_chart("Top genres", stats.genres)


def type_svg(stats: ProfileStats) -> str:
    return bar_chart("Type mix", stats.types)


def mainstream_svg(stats: ProfileStats) -> str:
    """One 0–100 gauge bar; empty when nothing is known."""
    value = stats.mainstream
    label = "Mainstream: unknown" if value is None else f"Mainstream: {value:.0f} of 100"
    width = 0.0 if value is None else 3.0 * value
    return (
        _open(label, 320, 40)
        + '<rect class="track" x="10" y="14" width="300" height="12" fill="none" '
        'stroke="currentColor"/>'
        + f'<rect class="bar" x="10" y="14" width="{width:.1f}" height="12" fill="currentColor"/>'
        + _text(10, 10, label, "label")
        + "</svg>"
    )


def bar_chart(title: str, rows: Sequence[tuple[str, int]]) -> str:
    """Horizontal bars: a label column on the left, bars scaled to the largest value."""
    row_h, label_w, bar_w = 22, 120, 220
    height = row_h * len(rows) + 10
    top = max((v for _, v in rows), default=0) or 1
    body = []
    for r, (name, value) in enumerate(rows):
        y = 5 + r * row_h
        w = bar_w * value / top
        body.append(_text(label_w - 6, y + 15, name, "label", anchor="end"))
        body.append(
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            'fill="currentColor"/>'
        )
        body.append(_text(label_w + w + 4, y + 15, str(value), "value"))
    return _open(title, label_w + bar_w + 40, height) + "".join(body) + "</svg>"


def column_chart(title: str, labels: Sequence[str], values: Sequence[int]) -> str:
    """Vertical bars with the label under each column and the count above it."""
    col_w, plot_h = 28, 100
    top = max(values, default=0) or 1
    body = []
    for c, (name, value) in enumerate(zip(labels, values, strict=True)):
        x = 10 + c * col_w
        h = plot_h * value / top
        y = 20 + plot_h - h
        body.append(
            f'<rect class="bar" x="{x + 3}" y="{y:.1f}" width="{col_w - 6}" height="{h:.1f}" '
            'fill="currentColor"/>'
        )
        body.append(_text(x + col_w / 2, y - 4, str(value), "value", anchor="middle"))
        body.append(_text(x + col_w / 2, plot_h + 36, name, "label", anchor="middle"))
    return _open(title, 20 + col_w * len(labels), plot_h + 44) + "".join(body) + "</svg>"


def _open(title: str, width: float, height: float) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )


def _text(x: float, y: float, text: str, cls: str, anchor: str = "start") -> str:
    return (
        f'<text class="{cls}" x="{x:g}" y="{y:g}" text-anchor="{anchor}" font-size="12" '
        f'fill="currentColor">'
        f"{escape(text)}</text>"
    )
