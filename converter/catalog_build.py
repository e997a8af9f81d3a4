"""The catalogs: every title a list may hold, and which of them the model ranks.

`build_catalogs` gives two catalogs over disjoint titles: the model's (titles with enough training
users; index = model position) and the recognized rest (`catalog-extra.json`: known titles the
model cannot score, shown and used by the franchise rules). Together they hold the union of the
catalog sources, the id map (`ids-2026.csv`) and the training titles.

Sources, by field (first that has it wins):
- title: mal-ranking-2026 → anime-2023 → anime-cooperunion-2016 → anilist-seasonal-2026 →
  "#id".
- title_en: bangumi-data `titleTranslate.en` → anilist-seasonal-2026 `english_title`.
- type, episodes, genres: anime-cooperunion-2016 → anime-2023 (episodes, genres) → bangumi
  type → anilist-seasonal-2026.
- year, season: bangumi-data `begin` (UTC month → winter/spring/summer/fall) →
  anilist-seasonal-2026 `start_date`.
- anilist_id: ids-2026 → bangumi-data `aniList` site → @kawaiioverflow/arm; kitsu_id: ids-2026.
- popularity: mal-ranking-2026 `num_list_users` → 2016 `members` → anilist-seasonal `members`.
- metadata-2026 (optional) gives every field of a title that none of the above knows (a new
  season's titles, added there by a deployer); it does not fill the gaps of known titles, whose
  added years would cost the first cards' catalog.json bytes (measured: +24 kB brotli).
- franchise: the smallest MyAnimeList id of the title's group in franchises-2026.json; for titles
  no group holds, of the titles sharing its title stem (`animerec.catalog.title_stem`).
"""

from __future__ import annotations

import csv
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
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
ANILIST_TYPES = {"TV": "TV", "TV_SHORT": "TV", "MOVIE": "Movie", "OVA": "OVA", "ONA": "ONA",
                 "SPECIAL": "Special", "MUSIC": "Music"}  # fmt: skip
META_TYPES = {t: t for t in ("TV", "Movie", "OVA", "ONA", "Special", "Music")}
METADATA = "metadata-2026.csv"  # studios, source, themes … (converter/fresh_build.py); optional
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


def recognized_share(profiles: Iterable[Profile], *catalogs: Catalog) -> dict[str, float]:
    """Of all entries of `profiles`: the share the model scores, and the share any of
    `catalogs` (the model's first) recognizes."""
    total = scored = known = 0
    for p in profiles:
        for e in p.entries:
            total += 1
            scored += catalogs[0].index_of(e.mal_id) is not None
            known += any(c.index_of(e.mal_id) is not None for c in catalogs)
    return {"entries": total, "scored": round(scored / max(total, 1), 4),
            "recognized": round(known / max(total, 1), 4)}  # fmt: skip


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


def _by_id(rows: list[dict[str, str]], key: str) -> dict[int, dict[str, str]]:
    """Rows keyed by their integer id column (AniList's CSV writes ids as "58567.0")."""
    out = {}
    for row in rows:
        text = (row.get(key) or "").removesuffix(".0")
        if text.isdigit():
            out.setdefault(int(text), row)
    return out


class Sources:
    """Every metadata source, read once; `row(mal_id)` merges them by the module's rules."""

    def __init__(self, data_dir: Path) -> None:
        cat = Path(data_dir) / "catalog"
        self.old = _by_id(_read_csv(cat / "anime-cooperunion-2016.csv"), "anime_id")
        self.new = _by_id(_read_csv(cat / "anime-2023.csv"), "anime_id")
        self.ranking = _by_id(_read_csv(cat / "mal-ranking-2026.csv"), "id")
        self.seasonal = _by_id(_read_csv(cat / "anilist-seasonal-2026.csv"), "mal_id")
        self.ids = _by_id(_read_csv(cat / "ids-2026.csv"), "mal_id")
        meta = cat / METADATA
        self.meta = _by_id(_read_csv(meta), "mal_id") if meta.exists() else {}
        self.groups = json.loads((cat / "franchises-2026.json").read_text(encoding="utf-8"))
        self.bangumi = _bangumi_by_mal()
        self.arm = _arm_anilist()

    def mal_ids(self) -> set[int]:
        """Every title some source knows."""
        grouped = {int(m) for g in self.groups for m in g["ids"]}
        return (set(self.old) | set(self.new) | set(self.ranking) | set(self.seasonal)
                | set(self.ids) | set(self.meta) | grouped)  # fmt: skip

    def row(self, mal_id: int) -> dict[str, Any]:
        o, w, r, a = (self.old.get(mal_id, {}), self.new.get(mal_id, {}),
                      self.ranking.get(mal_id, {}), self.seasonal.get(mal_id, {}))  # fmt: skip
        b, ids = self.bangumi.get(mal_id, {}), self.ids.get(mal_id, {})
        m = {} if o or w or r or a or b else self.meta.get(mal_id, {})
        title = (r.get("title") or w.get("Name") or o.get("name") or a.get("title")
                 or m.get("title"))  # fmt: skip
        year, month = _start(b.get("begin") or a.get("start_date") or "")
        season = SEASONS[month - 1] if month else None
        if year is None:
            year, season = _int_or_none(m.get("year")), m.get("season") or None
        anilist = _int_or_none(ids.get("anilist_id")) or _int_or_none(
            b.get("_sites", {}).get("aniList")
        )
        en = (b.get("titleTranslate") or {}).get("en") or [
            a.get("english_title") or m.get("title_en") or None
        ]
        return {
            "mal_id": mal_id, "title": html.unescape(title or f"#{mal_id}"), "title_en": en[0],
            "type": o.get("type") or BANGUMI_TYPES.get(b.get("type", ""))
            or ANILIST_TYPES.get(a.get("type", "")) or META_TYPES.get(m.get("type", "")),
            "episodes": _int_or_none(o.get("episodes")) or _int_or_none(w.get("Episodes"))
            or _int_or_none((a.get("episodes") or "").removesuffix(".0"))
            or _int_or_none(m.get("episodes")),
            "year": year, "season": season,
            "genres": _genres(o.get("genre")) or _genres(w.get("Genres"))
            or _genres((a.get("genres") or "").replace(";", ","))
            or _genres((m.get("genres") or "").replace(";", ",")),
            "popularity": _int_or_none(r.get("num_list_users"))
            or _int_or_none(o.get("members")) or _int_or_none(a.get("members"))
            or _int_or_none(m.get("members")) or 0,
            "anilist_id": anilist or self.arm.get(mal_id),
            "kitsu_id": _int_or_none(ids.get("kitsu_id")),
        }  # fmt: skip

    def franchises(self, titles: dict[int, str]) -> dict[int, int]:
        """Franchise id per MyAnimeList id of `titles` (id → title): its group's smallest id;
        titles no group holds are grouped by title stem. Titles alone in theirs get none."""
        out = {}
        for group in self.groups:
            ids = [int(m) for m in group["ids"]]
            if len(ids) > 1:
                out.update(dict.fromkeys(ids, min(ids)))
        stems: dict[str, list[int]] = defaultdict(list)
        for mal_id, title in titles.items():
            stem = title_stem(title)
            if mal_id not in out and len(stem) >= MIN_STEM_LENGTH:
                stems[stem].append(mal_id)
        for ids in stems.values():
            if len(ids) > 1:
                out.update(dict.fromkeys(ids, min(ids)))
        return out


def _start(date: str) -> tuple[int | None, int | None]:
    """(year, month) of an ISO date or datetime; None where it does not say."""
    year, month = date[:4], date[5:7]
    return (int(year) if year.isdigit() else None, int(month) if month.isdigit() else None)


def build_catalogs(
    data_dir: Path, counts: dict[int, int], min_users: int, scored: Sequence[int] = ()
) -> tuple[Catalog, Catalog]:
    """(the model's catalog, the recognized rest). The model's: titles with at least
    `min_users` training users, most used first (index order), or the ids `scored` in their
    order (a model's own, when only the metadata is refreshed). The rest: every other known
    title, most popular first."""
    sources = Sources(data_dir)
    rows = {m: sources.row(m) for m in sources.mal_ids() | set(counts) | set(scored)}
    franchise = sources.franchises({m: row["title"] for m, row in rows.items()})
    if not scored:
        scored = sorted((m for m in rows if counts.get(m, 0) >= min_users),
                        key=lambda m: (-counts[m], m))  # fmt: skip
    chosen = set(scored)
    rest = sorted((m for m in rows if m not in chosen),
                  key=lambda m: (-rows[m]["popularity"], m))  # fmt: skip

    def catalog(ids: list[int]) -> Catalog:
        return Catalog(
            [Item(index=i, franchise=franchise.get(m), **rows[m]) for i, m in enumerate(ids)]
        )

    return catalog(list(scored)), catalog(rest)
