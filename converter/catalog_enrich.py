"""`build.py catalog`: AniList metadata (start date, format, genres, cover, relations) for the
catalog's titles, cached in the collector's SQLite file so the trainer can read real sequel
relations (`collector_db.load_relations`) without going online.

Only titles never looked up are asked for, 50 to a request, one transaction per batch: an
interrupted run loses nothing and a rerun carries on.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from contextlib import closing
from pathlib import Path

from animerec.anilist import ANILIST_URL, MEDIA_PAGE_SIZE, AniListError, fetch_media
from animerec.catalog import Catalog
from animerec.http_api import RetryPolicy

from . import collector_db as db
from .http_transport import UrllibTransport
from .progress import Progress
from .rate_limit import MinInterval, throttled

DEFAULT_CATALOG = Path("models/default/catalog.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, required=True, help="the collector's SQLite file")
    parser.add_argument(
        "--enrich", action="store_true", help="fetch missing metadata (else: report the cache)"
    )
    parser.add_argument(
        "--catalog",
        type=Path,
        default=DEFAULT_CATALOG,
        help="catalog.json whose titles to look up (if missing: every title in collected lists)",
    )
    parser.add_argument("--rate", type=float, default=30.0, help="most requests a minute")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--api-url", default=ANILIST_URL, help="GraphQL endpoint (default AniList)")


def main(args: argparse.Namespace) -> int:
    with closing(db.connect(args.db)) as conn:
        wanted = catalog_ids(args.catalog) if args.catalog.exists() else db.known_mal_ids(conn)
        missing = db.missing_media(conn, wanted)
        print(f"{len(wanted) - len(missing)}/{len(wanted)} titles have metadata", file=sys.stderr)
        if not args.enrich or not missing:
            return 0
        try:
            asyncio.run(enrich(conn, missing, args))
        except AniListError as err:
            print(f"\n{err} Metadata fetched so far is kept; rerun to go on.", file=sys.stderr)
            return 1
    return 0


def catalog_ids(path: Path) -> list[int]:
    with open(path, encoding="utf-8") as f:
        return [item.mal_id for item in Catalog.from_json(json.load(f))]


async def enrich(conn, mal_ids: list[int], args: argparse.Namespace) -> None:
    """Look up `mal_ids` in batches, committing each batch as it comes."""
    transport = throttled(UrllibTransport(args.timeout), MinInterval(args.rate))
    retry = RetryPolicy(max_retries=3, max_wait=3600.0, backoff=5.0)
    batches = [mal_ids[i : i + MEDIA_PAGE_SIZE] for i in range(0, len(mal_ids), MEDIA_PAGE_SIZE)]
    progress = Progress(len(batches), "metadata batches", every=5)
    try:
        for batch in batches:
            found = await fetch_media(batch, transport, api_url=args.api_url, retry=retry)
            db.store_media(conn, batch, found)
            progress.step()
    finally:
        progress.close()
