"""AniList answers as the live API shapes them (status, headers, body), for the fake transport
in test_anilist and the fake HTTP server in fake_anilist."""

from __future__ import annotations

from typing import Any

# HTTP 404 for both; AniList keeps `data` with the root field null and adds `locations`.
WHERE = [{"line": 3, "column": 3}]
USER_NOT_FOUND = {
    "errors": [{"message": "User not found", "status": 404, "locations": WHERE}],
    "data": {"MediaListCollection": None},
}
PRIVATE_USER = {
    "errors": [{"message": "Private User", "status": 404, "locations": WHERE}],
    "data": {"MediaListCollection": None},
}
TOO_MANY_REQUESTS = {"data": None, "errors": [{"message": "Too Many Requests.", "status": 429}]}
RATE_HEADERS = {"x-ratelimit-limit": "30", "x-ratelimit-remaining": "0"}


def list_body(name: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A `MediaListCollection` answer; `entries` are (status, entry) grouped as AniList does."""
    lists: dict[str, list[dict[str, Any]]] = {}
    for e in entries:
        lists.setdefault(e["status"], []).append(e)
    return {
        "data": {
            "MediaListCollection": {
                "user": {"name": name},
                "lists": [{"status": s, "entries": es} for s, es in lists.items()],
            }
        }
    }


def entry(ani_id: int, mal_id: int | None, status: str = "COMPLETED", score: float = 0,
          progress: int = 12, updated: int = 1_700_000_000) -> dict[str, Any]:  # fmt: skip
    return {
        "mediaId": ani_id,
        "status": status,
        "score": score,
        "progress": progress,
        "updatedAt": updated,
        "media": {
            "id": ani_id,
            "idMal": mal_id,
            "title": {"romaji": f"Title {ani_id}", "english": None},
            "coverImage": {
                "medium": f"https://img/{ani_id}s.jpg",
                "large": f"https://img/{ani_id}.jpg",
            },
        },
    }


def media(
    ani_id: int, mal_id: int, relations: tuple[tuple[str, int, int | None], ...] = ()
) -> dict:
    """A `Media` of the metadata query; relations are (relationType, AniList id, MAL id)."""
    return {
        "id": ani_id,
        "idMal": mal_id,
        "title": {"romaji": f"Title {ani_id}", "english": f"English {ani_id}"},
        "format": "TV",
        "startDate": {"year": 2000 + ani_id % 20, "month": 4},
        "season": "SPRING",
        "seasonYear": 2000 + ani_id % 20,
        "episodes": 12,
        "genres": ["Action", "Drama"],
        "popularity": 1000 * ani_id,
        "coverImage": {
            "medium": f"https://img/{ani_id}s.jpg",
            "large": f"https://img/{ani_id}.jpg",
        },
        "relations": {
            "edges": [
                {"relationType": t, "node": {"id": a, "idMal": m, "type": "ANIME"}}
                for t, a, m in relations
            ]
        },
    }
