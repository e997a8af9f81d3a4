"""`build.py collect`: AniList anime lists → SQLite, for training on lists like the visitors'.

Lists are fetched and parsed by `animerec.anilist`, the code the page runs, over a urllib
transport paced to `--rate` requests a minute. Each profile is committed on its own, so the run
can be killed at any point and rerun with the same command to carry on where it stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path

from animerec.anilist import (
    ANILIST_URL,
    AniListError,
    PrivateList,
    fetch_profile,
    fetch_user_names,
    normalize_username,
)
from animerec.http_api import (
    InvalidUsername,
    Offline,
    RateLimited,
    RetryPolicy,
    Transport,
    UserNotFound,
)
from animerec.parsers import ProfileParseError

from . import collector_db as db
from .http_transport import UrllibTransport
from .progress import Progress
from .rate_limit import MinInterval, throttled


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, required=True, help="SQLite file (created if missing)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument(
        "--anilist-users",
        type=Path,
        metavar="FILE",
        help="usernames to fetch, one a line (# starts a comment)",
    )
    source.add_argument(
        "--discover",
        type=int,
        metavar="N",
        help="fetch N users found on AniList (most watch time first)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=30.0,
        help="most requests a minute, retries included (default 30)",
    )
    parser.add_argument(
        "--retries", type=int, default=3, help="retries per request after a 429 or 5xx (default 3)"
    )
    parser.add_argument(
        "--backoff",
        type=float,
        default=5.0,
        help="seconds before the first 5xx retry, doubling after (default 5)",
    )
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--retry-failed", action="store_true", help="fetch users an earlier run marked failed again"
    )
    parser.add_argument("--api-url", default=ANILIST_URL, help="GraphQL endpoint (default AniList)")


def main(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(collect(args))
    except KeyboardInterrupt:
        print("\nInterrupted; rerun the same command to resume.", file=sys.stderr)
        return 130


async def collect(args: argparse.Namespace) -> int:
    transport = throttled(UrllibTransport(args.timeout), MinInterval(args.rate))
    retry = RetryPolicy(
        max_retries=args.retries, max_wait=3600.0, backoff=args.backoff, on_wait=_show_wait
    )
    with closing(db.connect(args.db)) as conn:
        try:
            if args.anilist_users:
                db.add_users(conn, read_names(args.anilist_users.read_text().splitlines()))
            else:
                await discover(conn, args.discover, transport, retry, args.api_url)
            await fetch_pending(conn, transport, retry, args.api_url, args.retry_failed)
        except (Offline, RateLimited) as err:
            print(f"\n{err} Stopped; rerun the same command to resume.", file=sys.stderr)
            return 1
        counts = conn.execute("SELECT status, count(*) FROM users GROUP BY status").fetchall()
    print("users: " + ", ".join(f"{n} {s}" for s, n in sorted(counts)), file=sys.stderr)
    return 0


def read_names(lines: Iterable[str]) -> list[str]:
    """Valid usernames of a names file; invalid ones are reported and skipped."""
    names = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            names.append(normalize_username(text))
        except InvalidUsername as err:
            print(f"skipped: {err}", file=sys.stderr)
    return names


async def discover(conn, n: int, transport: Transport, retry: RetryPolicy, api_url: str) -> None:
    """Queue user names page by page until `n` are queued (a rerun asks only if still short)."""
    page = 1
    while (have := db.user_count(conn)) < n:
        names, more = await fetch_user_names(page, transport, api_url=api_url, retry=retry)
        db.add_users(conn, names, limit=n - have)
        if not more:
            print(f"AniList listed only {db.user_count(conn)} users.", file=sys.stderr)
            return
        page += 1


async def fetch_pending(
    conn, transport: Transport, retry: RetryPolicy, api_url: str, retry_failed: bool
) -> None:
    """Fetch every queued user, committing each profile (or its failure) on its own."""
    todo = db.pending_users(conn, retry_failed)
    progress = Progress(len(todo), "collect")
    try:
        for user_id, name in todo:
            note = ""
            try:
                profile = await fetch_profile(name, transport, api_url=api_url, retry=retry)
            except UserNotFound as err:
                db.mark_user(conn, user_id, "not_found", str(err))
                note = f"{name}: not found"
            except PrivateList as err:
                db.mark_user(conn, user_id, "private", str(err))
                note = f"{name}: private"
            except (Offline, RateLimited):
                raise  # transient and global: stop, leave the user pending
            except (AniListError, ProfileParseError) as err:
                db.mark_user(conn, user_id, "failed", str(err))
                note = f"{name}: {err}"
            else:
                db.store_profile(conn, user_id, profile)
            progress.step(note)
    finally:
        progress.close()


def _show_wait(seconds: float) -> None:
    print(f"\nwaiting {seconds:.0f} s before asking AniList again", file=sys.stderr)


if __name__ == "__main__":  # `python -m converter.collect`, without build.py's environment set-up
    cli = argparse.ArgumentParser(prog="collect", description=__doc__.split("\n\n")[0])
    add_arguments(cli)
    sys.exit(main(cli.parse_args()))
