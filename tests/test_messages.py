"""Messages are written for people: what the hostile corpus and the hostile API answers end in
says what is wrong in words, never with a Python value, a repr or a traceback."""

from __future__ import annotations

import asyncio
import math
import re

import pytest
from animerec import anilist, kitsu
from animerec.http_api import ApiError, Response
from animerec.parsers import ProfileParseError, parse_profile_file, profile_from_rating_rows
from animerec.values import shown
from hostile_corpus import API_CASES, CASES, PROFILE, Case
from kitsu_responses import users_answer
from scripted_transport import ScriptedTransport, ok

# What Python, not a person, would write: its constants, a repr's marks, a traceback.
PYTHON = re.compile(
    r"\b(None|True|False|nan|NaN|inf|dict|NoneType)\b|Traceback|<class |object at 0x|\\x[0-9a-f]{2}"
    r"|\bb'|'utf-8'|codec|Error\b"
)


def python_in(message: str) -> list[str]:
    return [m.group(0) for m in PYTHON.finditer(message)]


@pytest.mark.parametrize("case", [c for c in CASES if c.expect != PROFILE], ids=lambda c: c.name)
def test_a_file_that_is_refused_is_refused_in_words(case: Case) -> None:
    with pytest.raises(ProfileParseError) as refused:
        parse_profile_file(case.data, case.filename)
    assert python_in(str(refused.value)) == [], str(refused.value)


def fetch(site: str, body: bytes):
    answer = Response(200, body.decode("utf-8", "replace"), {})
    if site == "anilist":
        return anilist.fetch_profile("someone", ScriptedTransport(answer))
    return kitsu.fetch_profile("someone", ScriptedTransport(ok(users_answer("someone")), answer))


@pytest.mark.parametrize(("name", "site", "body", "expect"), API_CASES,
                         ids=[c[0] for c in API_CASES])  # fmt: skip
def test_a_hostile_api_answer_is_refused_in_words(name, site, body, expect) -> None:
    with pytest.raises((ProfileParseError, ApiError)) as refused:
        asyncio.run(fetch(site, body))
    message = str(refused.value)
    assert expect in message and python_in(message) == [], message


VALUES = [None, True, False, math.nan, math.inf, -math.inf, b"\xff", [None], {"a": None}, 10**5000]


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_values_are_shown_in_words(value) -> None:
    assert python_in(shown(value)) == [], shown(value)


def test_a_training_row_with_an_unknown_status_is_named_in_words() -> None:
    with pytest.raises(ProfileParseError) as refused:
        profile_from_rating_rows([{"anime_id": "5", "status": "binged", "score": "7"}])
    assert str(refused.value) == "The ratings row of title “5” has the unknown status “binged”."
