"""`build.py export-ratings`: collected lists → a training CSV in the format of
`shared/data/ratings/mal2023-576.csv` (`user_id,anime_id,score,status,watched_episodes`,
score 0 = not scored), which `animerec.parsers.profile_from_rating_rows` reads back."""

from __future__ import annotations

import argparse
import csv
import os
import sys
from contextlib import closing
from pathlib import Path

from . import collector_db as db

HEADER = ("user_id", "anime_id", "score", "status", "watched_episodes")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, required=True, help="the collector's SQLite file")
    parser.add_argument("--out", type=Path, required=True, help="CSV to write")


def main(args: argparse.Namespace) -> int:
    if not args.db.exists():
        print(f"{args.db} does not exist: run `build.py collect` first.", file=sys.stderr)
        return 2
    with closing(db.connect(args.db)) as conn:
        rows = export(conn, args.out)
    print(f"wrote {rows} rows to {args.out}", file=sys.stderr)
    return 0


def export(conn, out: Path) -> int:
    """Write every fetched list to `out` (atomically: a reader never sees half a file)."""
    tmp = out.with_name(out.name + ".tmp")
    count = 0
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(HEADER)
        for row in db.rating_rows(conn):
            writer.writerow(row)
            count += 1
    os.replace(tmp, out)
    return count
