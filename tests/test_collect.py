"""The collector, exporter and catalog enricher over real HTTP against `FakeAniList` on
127.0.0.1: pacing, 429/5xx retries, resuming after `kill -9`, the training CSV round trip."""

from __future__ import annotations

import argparse
import asyncio
import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import groupby, pairwise
from pathlib import Path

import pytest
from anilist_responses import entry, media
from animerec.parsers import profile_from_rating_rows
from animerec.profile import Status
from fake_anilist import PRIVATE, FakeAniList
from helpers import ROOT

from converter import catalog_enrich, collect, collect_export
from converter import collector_db as db
from converter.rate_limit import MinInterval

# 12 public users (one with an empty list, one with an entry lacking a MAL id), one private.
USERS: dict = {
    f"user{i}": [
        entry(100 + i, 1000 + i, "COMPLETED", score=i % 11, progress=12),
        entry(200 + i, 2000 + i % 3, "CURRENT", progress=i),
        entry(300, 3000, "PLANNING", progress=0),
        entry(400 + i, None, "DROPPED"),
    ]
    for i in range(10)
}
USERS["EmptyList"] = []
USERS["Hidden"] = PRIVATE
NAMES = [*USERS, "nobody_here", "user3"]  # one unknown, one repeated


def cli(module, argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    return parser.parse_args(argv)


def run_collect(fake: FakeAniList, path: Path, *extra: str) -> int:
    names = path.with_suffix(".txt")
    names.write_text("# test users\n" + "\n".join(NAMES) + "\nnot a name!\n")
    argv = ["--db", str(path), "--anilist-users", str(names), "--api-url", fake.url, *extra]
    return collect.main(cli(collect, ["--rate", "6000", "--backoff", "0.05", *argv]))


def done_profiles(path: Path) -> int:
    """Profiles committed so far; 0 until the collector has created its schema."""
    try:
        return table(path, "SELECT count(*) FROM users WHERE status = 'done'")[0][0]
    except sqlite3.OperationalError:  # no file or no table yet
        return 0


def table(path: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def contents(path: Path) -> tuple[list, list]:
    users = table(path, "SELECT id, name, status, entries, unmapped, error FROM users ORDER BY id")
    return users, table(path, "SELECT * FROM entries ORDER BY user_id, mal_id")


def test_min_interval_math():
    now, slept = [0.0], []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    async def burst() -> list[float]:
        limiter, times = MinInterval(30, clock=lambda: now[0], sleep=sleep), []
        for i in range(40):
            now[0] += 0.5 if i == 5 else 0.0  # some work between two requests
            await limiter.wait()
            times.append(now[0])
        return times

    times = asyncio.run(burst())
    assert [round(b - a, 9) for a, b in pairwise(times)] == [2.0] * 39
    assert max(sum(1 for t in times if s <= t < s + 60) for s in times) == 30
    assert slept[:6] == [2.0] * 4 + [1.5, 2.0]  # the wait shrinks by the work done


class VirtualPace(MinInterval):
    """`MinInterval` on a clock that moves only when it sleeps (and sleeps no real time): the
    times its waits return are the pace it set, free of the machine's jitter."""

    def __init__(self, per_minute: float) -> None:
        self.now, self.times = 0.0, []

        async def sleep(seconds: float) -> None:
            self.now += seconds

        super().__init__(per_minute, clock=lambda: self.now, sleep=sleep)

    async def wait(self) -> None:
        await super().wait()
        self.times.append(self.now)


def test_collect_statuses_rate_and_export(tmp_path, monkeypatch):
    path = tmp_path / "lists.sqlite"
    made: list[VirtualPace] = []
    record = lambda rate: made.append(VirtualPace(rate)) or made[-1]  # noqa: E731
    monkeypatch.setattr(collect, "MinInterval", record)
    with FakeAniList(USERS) as fake:
        names = tmp_path / "n.txt"
        names.write_text("\n".join(NAMES))
        args = ["--db", str(path), "--anilist-users", str(names), "--api-url", fake.url]
        assert collect.main(cli(collect, [*args, "--rate", "600"])) == 0
    assert len(fake.hits) == len(USERS) + 1  # the repeated name is asked once
    [pace] = made
    assert len(pace.times) == len(fake.hits)  # every request waited for its turn
    gaps = [round(b - a, 9) for a, b in pairwise(pace.times)]
    assert gaps == [0.1] * (len(fake.hits) - 1)  # 600/min: one request per 0.1 s

    statuses = dict(table(path, "SELECT name, status FROM users"))
    assert statuses == {**{n: "done" for n in USERS}, "EmptyList": "failed",
                        "Hidden": "private", "nobody_here": "not_found"}  # fmt: skip
    assert table(path, "SELECT unmapped FROM users WHERE name = 'user0'") == [(1,)]
    assert "empty" in table(path, "SELECT error FROM users WHERE name = 'EmptyList'")[0][0]

    out = tmp_path / "ratings.csv"
    assert collect_export.main(cli(collect_export, ["--db", str(path), "--out", str(out)])) == 0
    with open(out, newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == ["user_id", "anime_id", "score", "status", "watched_episodes"]
        rows = list(reader)
    ids = dict(table(path, "SELECT id, name FROM users"))
    for user_id, group in groupby(rows, key=lambda r: r["user_id"]):
        name = ids[int(user_id)]
        got = {e.mal_id: e for e in profile_from_rating_rows(group).entries}
        served = [e for e in USERS[name] if e["media"]["idMal"] is not None]
        assert sorted(got) == sorted(e["media"]["idMal"] for e in served)
        i = int(name.removeprefix("user"))
        assert got[1000 + i].score == (i % 11 or None) and got[1000 + i].episodes_watched == 12
        assert got[3000].status is Status.PLAN_TO_WATCH
    assert len({r["user_id"] for r in rows}) == 10


def test_429_and_5xx_are_retried(tmp_path):
    path = tmp_path / "lists.sqlite"
    with FakeAniList(USERS) as fake:
        fake.rate_limit_next("1")
        fake.fail_next(502, {}, "<html>Bad Gateway</html>")
        fake.fail_next(500)
        assert run_collect(fake, path) == 0
    first = fake.hits[:4]
    assert [v["name"] for _, _, v in first] == [NAMES[0]] * 4  # 429, 502, 500, then the list
    assert first[1][0] - first[0][0] >= 1.0  # Retry-After honoured
    assert table(path, f"SELECT status FROM users WHERE name = '{NAMES[0]}'") == [("done",)]


def test_rate_limited_past_retries_stops_and_resumes(tmp_path):
    path = tmp_path / "lists.sqlite"
    with FakeAniList(USERS) as fake:
        for _ in range(2):
            fake.rate_limit_next("0")
        assert run_collect(fake, path, "--retries", "1") == 1
        assert table(path, "SELECT count(*) FROM users WHERE status != 'pending'") == [(0,)]
        assert run_collect(fake, path) == 0
    assert table(path, "SELECT count(*) FROM users WHERE status = 'pending'") == [(0,)]


def test_kill_9_then_resume_equals_uninterrupted_run(tmp_path):
    whole, killed = tmp_path / "whole.sqlite", tmp_path / "killed.sqlite"
    with FakeAniList(USERS) as fake:
        assert run_collect(fake, whole) == 0
    with FakeAniList(USERS, delay=0.15) as fake:
        names = killed.with_suffix(".txt")
        names.write_text("\n".join(NAMES))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "py"), str(ROOT)])}
        argv = ["--db", str(killed), "--anilist-users", str(names), "--api-url", fake.url]
        proc = subprocess.Popen(
            [sys.executable, "-m", "converter.collect", *argv, "--rate", "6000"],
            cwd=ROOT, env=env, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if done_profiles(killed) >= 3:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        partial = table(killed, "SELECT count(*) FROM users WHERE status != 'pending'")[0][0]
        assert 3 <= partial < len(USERS) + 1
        fake.delay = 0.0
        assert run_collect(fake, killed) == 0
    assert contents(killed) == contents(whole)


def test_discover(tmp_path):
    path = tmp_path / "lists.sqlite"
    found = ["user1", "Hidden", "user2", "user1", "user4", "user5", "user6"]
    with FakeAniList(USERS, discoverable=found) as fake:
        argv = ["--db", str(path), "--discover", "4", "--api-url", fake.url, "--rate", "6000"]
        assert collect.main(cli(collect, argv)) == 0
        assert collect.main(cli(collect, argv)) == 0  # nothing left: no requests
    assert fake.kinds() == ["users", *["MediaListCollection"] * 4]
    assert [n for _, n in table(path, "SELECT id, name FROM users ORDER BY id")] == [
        "user1", "Hidden", "user2", "user4"
    ]  # fmt: skip


def test_catalog_enrich_and_relations(tmp_path, capsys):
    path = tmp_path / "lists.sqlite"
    known = {1000 + i: media(100 + i, 1000 + i) for i in range(10)}
    known[3000] = media(300, 3000, (("SEQUEL", 301, 3001), ("ADAPTATION", 900, 9000)))
    known[3000]["relations"]["edges"][1]["node"]["type"] = "MANGA"
    known[1001] = media(101, 1001, (("PREQUEL", 300, 3000), ("SIDE_STORY", 302, None)))
    with FakeAniList(USERS, media=known) as fake:
        assert run_collect(fake, path) == 0
        argv = ["--db", str(path), "--enrich", "--api-url", fake.url, "--rate", "6000",
                "--catalog", str(tmp_path / "none.json")]  # fmt: skip
        assert catalog_enrich.main(cli(catalog_enrich, argv)) == 0
        assert catalog_enrich.main(cli(catalog_enrich, argv)) == 0  # all cached: no request
    assert fake.kinds().count("idMal_in") == 1
    assert "14/14 titles have metadata" in capsys.readouterr().err
    assert db.load_relations(path) == {1001: [("PREQUEL", 3000)], 3000: [("SEQUEL", 3001)]}
    row = table(path, "SELECT format, start_year, genres, cover_url FROM media WHERE mal_id=1003")
    assert row == [("TV", 2003, '["Action", "Drama"]', "https://img/103.jpg")]
    assert table(path, "SELECT anilist_id FROM media WHERE mal_id = 2000") == [(None,)]


def test_catalog_enrich_offline(tmp_path, capsys):
    path = tmp_path / "lists.sqlite"
    with FakeAniList(USERS) as fake:
        assert run_collect(fake, path) == 0
        dead = fake.url  # closed when the block ends
    argv = ["--db", str(path), "--enrich", "--api-url", dead, "--catalog", str(tmp_path / "x")]
    assert catalog_enrich.main(cli(catalog_enrich, argv)) == 1
    assert "could not be reached" in capsys.readouterr().err


@pytest.mark.parametrize("missing", ["export", "collect"])
def test_clear_failures_without_a_database(tmp_path, missing, capsys):
    if missing == "export":
        argv = ["--db", str(tmp_path / "no.sqlite"), "--out", str(tmp_path / "o.csv")]
        assert collect_export.main(cli(collect_export, argv)) == 2
        assert "run `build.py collect` first" in capsys.readouterr().err
    else:
        names = tmp_path / "n.txt"
        names.write_text("someone\n")
        argv = ["--db", str(tmp_path / "a.sqlite"), "--anilist-users", str(names),
                "--api-url", "http://127.0.0.1:9/"]  # fmt: skip
        assert collect.main(cli(collect, argv)) == 1
        assert "could not be reached" in capsys.readouterr().err
        assert table(tmp_path / "a.sqlite", "SELECT status FROM users") == [("pending",)]
