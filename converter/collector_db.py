"""The collector's SQLite file: AniList lists, and AniList metadata for catalog items.

WAL mode and one transaction per profile (or per metadata batch), so a collector killed at any
moment leaves every profile either wholly stored or not at all, and a rerun picks up the rest.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

from animerec.profile import Profile

# A user is `pending` until fetched; the other statuses are final (`failed` keeps the reason).
FINAL = ("done", "failed", "private", "not_found")

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,                 -- the user_id of exported rating rows
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'failed', 'private', 'not_found')),
    entries INTEGER,
    unmapped INTEGER,                       -- entries AniList gave without a MyAnimeList id
    error TEXT,
    fetched_at REAL
);
CREATE TABLE IF NOT EXISTS entries (
    user_id INTEGER NOT NULL REFERENCES users(id),
    mal_id INTEGER NOT NULL,
    status TEXT NOT NULL,                   -- animerec.profile.Status values
    score INTEGER NOT NULL,                 -- 1–10, 0 = not scored
    watched_episodes INTEGER NOT NULL,
    updated_at INTEGER,
    PRIMARY KEY (user_id, mal_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS media (
    mal_id INTEGER PRIMARY KEY,
    anilist_id INTEGER,                     -- NULL: AniList has no title with this MAL id
    title TEXT, title_en TEXT, format TEXT,
    start_year INTEGER, start_month INTEGER, season TEXT, season_year INTEGER,
    episodes INTEGER, genres TEXT,          -- genres: JSON list
    popularity INTEGER, cover_url TEXT, fetched_at REAL
);
CREATE TABLE IF NOT EXISTS relations (
    mal_id INTEGER NOT NULL REFERENCES media(mal_id),
    relation_type TEXT NOT NULL,            -- AniList's MediaRelation: SEQUEL, PREQUEL, ...
    related_anilist_id INTEGER NOT NULL,
    related_mal_id INTEGER,
    related_type TEXT,                      -- ANIME or MANGA
    PRIMARY KEY (mal_id, related_anilist_id, relation_type)
) WITHOUT ROWID;
"""


def connect(path: str | Path) -> sqlite3.Connection:
    """Open (creating if needed) a collector database in WAL mode."""
    conn = sqlite3.connect(path, isolation_level=None)  # transactions are explicit: `transaction`
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # WAL+NORMAL survives a killed process
    conn.execute("PRAGMA foreign_keys=ON")
    conn.executescript(SCHEMA)
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any exception."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def add_users(conn: sqlite3.Connection, names: Iterable[str], limit: int | None = None) -> int:
    """Queue names not seen before (in any case), at most `limit` of them; returns how many."""
    added = 0
    with transaction(conn):
        for name in names:
            if limit is not None and added >= limit:
                break
            added += conn.execute("INSERT OR IGNORE INTO users (name) VALUES (?)", (name,)).rowcount
    return added


def user_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM users").fetchone()[0]


def pending_users(conn: sqlite3.Connection, retry_failed: bool = False) -> list[tuple[int, str]]:
    """(id, name) still to fetch, in the order they were queued."""
    statuses = ("pending", "failed") if retry_failed else ("pending",)
    marks = ",".join("?" * len(statuses))
    sql = f"SELECT id, name FROM users WHERE status IN ({marks}) ORDER BY id"
    return conn.execute(sql, statuses).fetchall()


def store_profile(conn: sqlite3.Connection, user_id: int, profile: Profile) -> None:
    """Replace a user's entries with `profile` and mark them done, atomically."""
    rows = [
        (user_id, e.mal_id, e.status.value, e.score or 0, e.episodes_watched, e.updated_at)
        for e in profile.entries
    ]
    with transaction(conn):
        conn.execute("DELETE FROM entries WHERE user_id = ?", (user_id,))
        conn.executemany("INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?)", rows)
        conn.execute(
            "UPDATE users SET status = 'done', entries = ?, unmapped = ?, error = NULL,"
            " fetched_at = ? WHERE id = ?",
            (len(rows), profile.unmapped, time.time(), user_id),
        )


def mark_user(conn: sqlite3.Connection, user_id: int, status: str, error: str | None) -> None:
    if status not in FINAL or status == "done":
        raise ValueError(f"not a failure status: {status}")
    with transaction(conn):
        conn.execute(
            "UPDATE users SET status = ?, error = ?, fetched_at = ? WHERE id = ?",
            (status, error, time.time(), user_id),
        )


def rating_rows(conn: sqlite3.Connection) -> sqlite3.Cursor:
    """(user_id, anime_id, score, status, watched_episodes) of every fetched list, by user."""
    return conn.execute(
        "SELECT e.user_id, e.mal_id, e.score, e.status, e.watched_episodes FROM entries e"
        " JOIN users u ON u.id = e.user_id WHERE u.status = 'done' ORDER BY e.user_id, e.mal_id"
    )


def known_mal_ids(conn: sqlite3.Connection) -> set[int]:
    """MyAnimeList ids that any collected list holds."""
    return {row[0] for row in conn.execute("SELECT DISTINCT mal_id FROM entries")}


def missing_media(conn: sqlite3.Connection, mal_ids: Iterable[int]) -> list[int]:
    """The ids of `mal_ids` never looked up on AniList, sorted."""
    cached = {row[0] for row in conn.execute("SELECT mal_id FROM media")}
    return sorted(set(mal_ids) - cached)


def store_media(conn: sqlite3.Connection, asked: Iterable[int], found: Iterable[Mapping]) -> None:
    """Cache one metadata batch: AniList's `Media` objects, and a NULL row for each id asked
    that AniList did not return (so it is not asked again)."""
    now = time.time()
    rows: dict[int, tuple[Any, ...]] = {i: (i, *[None] * 12, now) for i in asked}
    relations = []
    for m in found:
        mal_id = m.get("idMal")
        if mal_id is None:
            continue
        start = m.get("startDate") or {}
        title = m.get("title") or {}
        cover = m.get("coverImage") or {}
        rows[mal_id] = (
            mal_id, m.get("id"), title.get("romaji"), title.get("english"), m.get("format"),
            start.get("year"), start.get("month"), m.get("season"), m.get("seasonYear"),
            m.get("episodes"), json.dumps(m.get("genres") or []), m.get("popularity"),
            cover.get("large") or cover.get("medium"), now,
        )  # fmt: skip
        for edge in (m.get("relations") or {}).get("edges") or []:
            node = edge.get("node") or {}
            if edge.get("relationType") and node.get("id") is not None:
                relations.append(
                    (mal_id, edge["relationType"], node["id"], node.get("idMal"), node.get("type"))
                )
    with transaction(conn):
        conn.executemany("DELETE FROM relations WHERE mal_id = ?", ((i,) for i in rows))
        conn.executemany(
            f"INSERT OR REPLACE INTO media VALUES ({','.join('?' * 14)})", rows.values()
        )
        conn.executemany("INSERT OR REPLACE INTO relations VALUES (?, ?, ?, ?, ?)", relations)


def load_relations(db: str | Path | sqlite3.Connection) -> dict[int, list[tuple[str, int]]]:
    """MAL id → [(relation type, related MAL id)] between anime both known to MyAnimeList: what
    "exclude sequels" and franchise grouping need."""
    if not isinstance(db, sqlite3.Connection):
        with closing(connect(db)) as conn:
            return load_relations(conn)
    out: dict[int, list[tuple[str, int]]] = {}
    for mal_id, kind, related in db.execute(
        "SELECT mal_id, relation_type, related_mal_id FROM relations"
        " WHERE related_mal_id IS NOT NULL AND related_type = 'ANIME'"
        " ORDER BY mal_id, relation_type, related_mal_id"
    ):
        out.setdefault(mal_id, []).append((kind, related))
    return out
