import gzip
import json

import pytest
from animerec.parsers import (
    MAX_UNPACKED_BYTES,
    ProfileParseError,
    parse_anilist_collection,
    parse_mal_xml,
    parse_profile_file,
    profile_from_rating_rows,
)
from animerec.profile import Entry, Profile, Status
from helpers import FIXTURES


def read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_mal_export_v110_header():
    profile = parse_profile_file(read("mal-export-v110-igorv.xml"), "igorv.xml")
    assert profile.username == "igorv"
    assert len(profile) == 176
    statuses = {e.status for e in profile.entries}
    assert statuses == {Status.WATCHING, Status.COMPLETED, Status.PLAN_TO_WATCH}
    assert sum(e.score is not None for e in profile.entries) == 71
    first = profile.entries[0]
    assert (first.mal_id, first.score, first.status, first.title) == (
        41457,
        8,
        Status.COMPLETED,
        "86",
    )


def test_mal_export_xinil_header_has_dropped_and_all_scored():
    profile = parse_profile_file(read("mal-export-xinil-evanalxen.xml"))
    assert profile.username == "evanalxen"
    assert len(profile) == 109
    assert {e.status for e in profile.entries} == {Status.COMPLETED, Status.DROPPED}
    assert all(1 <= e.score <= 10 for e in profile.entries)


def test_gzipped_export_parses_the_same():
    raw = read("mal-export-v110-igorv.xml")
    assert parse_profile_file(gzip.compress(raw)).entries == parse_profile_file(raw).entries


def test_malappinfo_json_4535_entries():
    profile = parse_profile_file(read("mal-malappinfo-2016-4535-entries.json"))
    assert profile.source == "mal-json"
    assert len(profile) == 4535
    counts = {s: sum(e.status is s for e in profile.entries) for s in Status}
    assert counts[Status.COMPLETED] == 3505
    assert counts[Status.PLAN_TO_WATCH] == 762
    bebop = profile.entries[0]
    assert (bebop.mal_id, bebop.score, bebop.updated_at) == (1, 9, 1353106674)


def test_anilist_minimal_fixture_has_no_mal_ids():
    obj = json.loads(read("anilist-medialistcollection-minimal.json"))
    with pytest.raises(ProfileParseError, match="MyAnimeList id"):
        parse_anilist_collection(obj)


def test_anilist_full_shape_maps_ids_scores_and_statuses():
    obj = {
        "data": {
            "MediaListCollection": {
                "lists": [
                    {
                        "status": "COMPLETED",
                        "entries": [
                            {"mediaId": 1, "status": "COMPLETED", "score": 9, "progress": 26,
                             "updatedAt": 5, "media": {"idMal": 1, "title": {"romaji": "A"}}},
                            {"mediaId": 20, "status": "PLANNING", "score": 0, "progress": 0,
                             "media": {"idMal": None, "title": {"romaji": "B"}}},
                            {"mediaId": 99, "status": "REPEATING", "score": 0,
                             "media": {"idMal": None}},
                        ],
                    }
                ]
            }
        }
    }  # fmt: skip
    profile = parse_anilist_collection(obj, id_map={20: 200}, username="x")
    assert [(e.mal_id, e.status, e.score) for e in profile.entries] == [
        (1, Status.COMPLETED, 9),
        (200, Status.PLAN_TO_WATCH, None),
    ]
    assert profile.unmapped == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (read("mal-export-v110-igorv.xml")[:5000], "broken or cut short"),
        (b"<?xml version='1.0'?><mangalist></mangalist>", "not a MyAnimeList export"),
        (
            b"<myanimelist><anime><series_animedb_id>abc</series_animedb_id>"
            b"<my_status>Completed</my_status></anime></myanimelist>",
            "whole number",
        ),
        (b"<myanimelist><myinfo><user_name>a</user_name></myinfo></myanimelist>", "empty"),
        (b"", "empty"),
        (b"\x1f\x8b\x08\x00garbage", "damaged .gz"),
        (gzip.compress(b"<myanimelist>", mtime=0)[:-12], "damaged .gz"),
        (gzip.compress(b" " * (MAX_UNPACKED_BYTES + 1), mtime=0), "unpacks to more than"),
        (b'{"myanimelist": {"anime": []}}', "empty"),
        (b'{"hello": 1}', "neither"),
        (b"{not json", "malformed"),
        (b"PK\x03\x04zip", "not a MyAnimeList export"),
    ],
    ids=lambda v: f"{len(v)}-bytes" if isinstance(v, bytes) else None,  # not the bytes themselves
)
def test_broken_inputs_raise_clear_errors(data, message):
    with pytest.raises(ProfileParseError, match=message):
        parse_profile_file(data)


def test_unknown_status_is_reported():
    xml = (
        b"<myanimelist><anime><series_animedb_id>1</series_animedb_id>"
        b"<my_status>Binged</my_status></anime></myanimelist>"
    )
    with pytest.raises(ProfileParseError, match="unknown status"):
        parse_mal_xml(xml)


def test_rating_rows_both_csv_formats():
    coop = profile_from_rating_rows(
        [{"anime_id": "5", "rating": "-1"}, {"anime_id": "6", "rating": "8"}]
    )
    assert [(e.mal_id, e.score, e.status) for e in coop.entries] == [
        (5, None, Status.COMPLETED),
        (6, 8, Status.COMPLETED),
    ]
    mal = profile_from_rating_rows(
        [{"anime_id": "7", "score": "0", "status": "dropped", "watched_episodes": "3"}]
    )
    assert (mal.entries[0].score, mal.entries[0].status, mal.entries[0].episodes_watched) == (
        None, Status.DROPPED, 3
    )  # fmt: skip


def test_duplicates_keep_latest_update():
    profile = Profile(
        [Entry(1, Status.WATCHING, updated_at=10), Entry(1, Status.COMPLETED, 9, updated_at=20)]
    )
    assert profile.entries == [Entry(1, Status.COMPLETED, 9, updated_at=20)]
