"""The model's item catalog: which titles it ranks (enough training users) and their metadata.

Sources, by field (first that has it wins):
- title: mal-ranking-2026 → anime-2023 → anime-cooperunion-2016 (MyAnimeList romaji titles).
- title_en: bangumi-data `titleTranslate.en` (None elsewhere: the CSVs have no English titles).
- type, episodes, genres: anime-cooperunion-2016 → anime-2023 (episodes, genres) → bangumi type.
- year, season: bangumi-data `begin` (UTC month → winter/spring/summer/fall).
- anilist_id: bangumi-data `aniList` site → @kawaiioverflow/arm.
- popularity: mal-ranking-2026 `num_list_users` → 2016 `members` → 0.
- franchise: the smallest MyAnimeList id among titles sharing a title stem
  (`animerec.catalog.title_stem`, the same stem the page's filters use).
"""

from __future__ import annotations

import csv
import html
import json
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from animerec.catalog import MIN_STEM_LENGTH, Catalog, Item, title_stem
from animerec.encoding import entry_weight
from animerec.profile import Profile

ROOT = Path(__file__).resolve().parent.parent
BANGUMI = ROOT / "node_modules" / "bangumi-data" / "dist" / "data.json"
ARM = ROOT / "node_modules" / "@kawaiioverflow" / "arm" / "arm.json"
BANGUMI_TYPES = {"tv": "TV", "movie": "Movie", "ova": "OVA", "web": "ONA"}
SEASONS = ("winter", "winter", "winter", "spring", "spring", "spring",
           "summer", "summer", "summer", "fall", "fall", "fall")  # fmt: skip


def user_counts(profiles: Iterable[Profile]) -> dict[int, int]:
    """Users per MyAnimeList id, counting only entries that reach the model input."""
    counts: dict[int, int] = defaultdict(int)
    for p in profiles:
        for e in p.entries:
            if entry_weight(e) > 0.0:
                counts[e.mal_id] += 1
    return counts


def threshold_table(counts: dict[int, int], thresholds: Iterable[int]) -> list[dict[str, Any]]:
    """Catalog size and share of (input) ratings kept, per min-users threshold."""
    values = np.fromiter(counts.values(), np.int64)
    total = values.sum()
    return [
        {"min_users": t, "items": int((values >= t).sum()),
         "ratings_kept": round(float(values[values >= t].sum() / total), 4)}
        for t in thresholds
    ]  # fmt: skip


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _int_or_none(text: str | None) -> int | None:
    return int(text) if text and text.strip().isdigit() else None


def _genres(text: str | None) -> tuple[str, ...]:
    """Genre names from a comma list; the 2023 set's "UNKNOWN" placeholder is not a genre."""
    names = (g.strip() for g in (text or "").split(","))
    return tuple(g for g in names if g and g.upper() != "UNKNOWN")


def _bangumi_by_mal() -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {}
    for item in json.loads(BANGUMI.read_text(encoding="utf-8"))["items"]:
        sites = {s["site"]: s.get("id") for s in item.get("sites", ())}
        if sites.get("mal", "").isdigit():
            out.setdefault(int(sites["mal"]), {**item, "_sites": sites})
    return out


def _arm_anilist() -> dict[int, int]:
    return {
        row["mal_id"]: row["anilist_id"]
        for row in json.loads(ARM.read_text(encoding="utf-8"))
        if row.get("mal_id") and row.get("anilist_id")
    }


def build_catalog(data_dir: Path, counts: dict[int, int], min_users: int) -> Catalog:
    """Items with at least `min_users` training users, most popular first (index order)."""
    cat = Path(data_dir) / "catalog"
    old = {int(r["anime_id"]): r for r in _read_csv(cat / "anime-cooperunion-2016.csv")}
    new = {int(r["anime_id"]): r for r in _read_csv(cat / "anime-2023.csv")}
    ranking = {int(r["id"]): r for r in _read_csv(cat / "mal-ranking-2026.csv")}
    bangumi = _bangumi_by_mal()
    arm = _arm_anilist()

    rows = []
    for mal_id, n in counts.items():
        if n < min_users:
            continue
        o, w, r, b = (
            old.get(mal_id, {}),
            new.get(mal_id, {}),
            ranking.get(mal_id, {}),
            bangumi.get(mal_id, {}),
        )
        title = r.get("title") or w.get("Name") or html.unescape(o.get("name", "")) or f"#{mal_id}"
        begin = (b.get("begin") or "")[:7]
        year = int(begin[:4]) if begin[:4].isdigit() else None
        month = int(begin[5:7]) if begin[5:7].isdigit() else None
        anilist = b.get("_sites", {}).get("aniList")
        en = (b.get("titleTranslate") or {}).get("en") or [None]
        rows.append({
            "mal_id": mal_id, "title": html.unescape(title), "title_en": en[0],
            "type": o.get("type") or BANGUMI_TYPES.get(b.get("type", "")),
            "episodes": _int_or_none(o.get("episodes")) or _int_or_none(w.get("Episodes")),
            "year": year, "season": SEASONS[month - 1] if month else None,
            "genres": _genres(o.get("genre")) or _genres(w.get("Genres")),
            "popularity": _int_or_none(r.get("num_list_users"))
            or _int_or_none(o.get("members")) or 0,
            "anilist_id": int(anilist) if anilist and anilist.isdigit() else arm.get(mal_id),
            "users": n,
        })  # fmt: skip
    rows.sort(key=lambda x: (-x["users"], x["mal_id"]))

    stems: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        stem = title_stem(row["title"])
        if len(stem) >= MIN_STEM_LENGTH:
            stems[stem].append(row["mal_id"])
    franchise = {m: min(ids) for ids in stems.values() if len(ids) > 1 for m in ids}

    return Catalog(
        [
            Item(index=i, franchise=franchise.get(row["mal_id"]),
                 **{k: v for k, v in row.items() if k != "users"})
            for i, row in enumerate(rows)
        ]
    )  # fmt: skip
