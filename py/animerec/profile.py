"""The one normalized profile every source (MAL XML/JSON, AniList, rating CSVs, manual) becomes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Status(StrEnum):
    WATCHING = "watching"
    COMPLETED = "completed"
    ON_HOLD = "on_hold"
    DROPPED = "dropped"
    PLAN_TO_WATCH = "plan_to_watch"


@dataclass(frozen=True, slots=True)
class Entry:
    """One title on a list. `score` is 1–10 (decimals kept) or None when the user gave none."""

    mal_id: int
    status: Status
    score: float | None = None
    episodes_watched: int = 0
    updated_at: int | None = None  # unix seconds, where the source says
    title: str | None = None  # as the source spelled it; shown for titles the catalog lacks
    cover_url: str | None = None


@dataclass(slots=True)
class Profile:
    """A user's list, one entry per MyAnimeList id (the latest update wins)."""

    entries: list[Entry] = field(default_factory=list)
    source: str = "manual"
    username: str | None = None
    unmapped: int = 0  # entries the source gave that have no MyAnimeList id

    def __post_init__(self) -> None:
        self.entries = dedupe(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    def ids(self) -> set[int]:
        return {e.mal_id for e in self.entries}

    def with_entries(self, entries: list[Entry]) -> Profile:
        """A copy holding `entries` (used for held-out splits and leave-one-out)."""
        return Profile(list(entries), self.source, self.username, self.unmapped)


def dedupe(entries: list[Entry]) -> list[Entry]:
    """Keep one entry per id, preferring the most recently updated, in first-seen order."""
    best: dict[int, Entry] = {}
    for e in entries:
        old = best.get(e.mal_id)
        if old is None or (e.updated_at or 0) > (old.updated_at or 0):
            best[e.mal_id] = e
    return list(best.values())


def clamp_score(raw: float | int | str | None) -> float | None:
    """The score on the 1–10 scale, decimals kept (AniList's 8.5, Kitsu's 17/20); whole scores
    come back as `int`. Scores outside 1–10 (0, -1, empty, NaN) mean "not scored"."""
    if raw is None or raw == "":
        return None
    value = float(raw)
    if not 1 <= value <= 10:  # NaN fails this too
        return None
    return int(value) if value.is_integer() else value
