"""Rating CSVs → per-user Profiles → sparse rows, through the one encoder (encode_sparse)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np
from animerec.catalog import Catalog
from animerec.encoding import encode_sparse
from animerec.parsers import profile_from_rating_rows
from animerec.profile import Profile
from animerec.scales import normalize

RATING_FILES = ("cooperunion-5k.csv", "mal2023-576.csv", "anilist2025-600.csv")
DEFAULT_DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"


def read_profiles(path: Path) -> dict[str, Profile]:
    """One Profile per user of a rating CSV (any format of `shared/data/ratings`), keyed
    `<file stem>:<user_id>` so users of different files never collide. In the AniList format
    (`user_id,anime_id,anilist_id,rating`) each user's ratings are on their own scale and are
    mapped onto 1–10 by `animerec.scales.normalize`."""
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        own_scales = "anilist_id" in (reader.fieldnames or ())
        rows = sorted(reader, key=lambda r: int(r["user_id"]))
    profiles = {}
    for user, group in groupby(rows, key=lambda r: int(r["user_id"])):
        user_rows = list(group)
        if own_scales:
            user_rows = _on_ten_point_scale(user_rows)
        profiles[f"{path.stem}:{user}"] = profile_from_rating_rows(user_rows, user=str(user))
    return profiles


def _on_ten_point_scale(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """One user's AniList rows with `rating` mapped from their own scale onto 1–10."""
    tens = normalize([float(r["rating"]) for r in rows])
    return [{**r, "rating": str(ten)} for r, ten in zip(rows, tens, strict=True)]


def rating_paths(data_dir: Path, extra: Sequence[Path] = ()) -> list[Path]:
    """The rating files of `data_dir/ratings` (RATING_FILES) and then the `extra` ones."""
    paths = [Path(data_dir) / "ratings" / name for name in RATING_FILES] + list(extra)
    stems = [p.stem for p in paths]
    if len(set(stems)) != len(stems):
        raise SystemExit(f"rating files need distinct names (users are keyed by it): {stems}")
    return paths


def load_training_profiles(data_dir: Path, extra: Sequence[Path] = ()) -> dict[str, Profile]:
    """Every user of the three rating files of `data_dir/ratings` and of the `extra` files."""
    profiles: dict[str, Profile] = {}
    for path in rating_paths(data_dir, extra):
        profiles.update(read_profiles(path))
    return profiles


def profiles_by_file(profiles: dict[str, Profile]) -> dict[str, list[Profile]]:
    """The profiles of each rating file, by file stem (keys are `<file stem>:<user_id>`)."""
    out: dict[str, list[Profile]] = {}
    for key, profile in profiles.items():
        out.setdefault(key.split(":", 1)[0], []).append(profile)
    return out


@dataclass(frozen=True)
class SparseRows:
    """Encoded rows in CSR form: row r holds `indices[indptr[r]:indptr[r+1]]` with `values`.
    Keeps memory at O(ratings) where a dense users × items matrix would not fit the page budget."""

    indptr: np.ndarray  # int64, len = rows + 1
    indices: np.ndarray  # int32
    values: np.ndarray  # float32
    n_items: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[r], self.indptr[r + 1]
        return self.indices[lo:hi], self.values[lo:hi]

    def dense(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Rows `start:stop` as a dense float32 block (for one batch at a time)."""
        stop = len(self) if stop is None else min(stop, len(self))
        out = np.zeros((stop - start, self.n_items), np.float32)
        lo, hi = self.indptr[start], self.indptr[stop]
        rows = np.repeat(np.arange(stop - start), np.diff(self.indptr[start : stop + 1]))
        out[rows, self.indices[lo:hi]] = self.values[lo:hi]
        return out

    def item_counts(self) -> np.ndarray:
        """How many rows hold each item."""
        return np.bincount(self.indices, minlength=self.n_items)

    @classmethod
    def from_pairs(
        cls, pairs: Iterable[tuple[Sequence[int], Sequence[float]]], n_items: int
    ) -> SparseRows:
        indptr, indices, values = [0], [], []
        for idx, val in pairs:
            indices.extend(idx)
            values.extend(val)
            indptr.append(len(indices))
        return cls(
            np.asarray(indptr, np.int64),
            np.asarray(indices, np.int32),
            np.asarray(values, np.float32),
            n_items,
        )


def encode_profiles(profiles: Iterable[Profile], catalog: Catalog) -> SparseRows:
    """Encode each profile with `animerec.encoding.encode_sparse`."""
    return SparseRows.from_pairs((encode_sparse(p, catalog) for p in profiles), len(catalog))


def write_ratings_csv(profiles: Iterable[Profile], path: Path) -> None:
    """Profiles as a rating CSV in the `mal2023` format (users renumbered from 0), which holds
    both source formats without loss: an unscored entry is score 0, as `-1` was."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["user_id", "anime_id", "score", "status", "watched_episodes"])
        for user, profile in enumerate(profiles):
            for e in profile.entries:
                out.writerow([user, e.mal_id, e.score or 0, e.status.value, e.episodes_watched])


def list_fingerprint(profile: Profile) -> tuple[tuple[int, str, int], ...]:
    """What identifies a user's list across files: its (title, status, score) entries."""
    return tuple(sorted((e.mal_id, e.status.value, e.score or 0) for e in profile.entries))
