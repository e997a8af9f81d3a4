"""Stored state is input: with hostile values under every localStorage key the page reads
(written before its first script runs), it boots, answers a list, and keeps what it writes back
bounded. The readers' cases are in tests/test_stored.py."""

from __future__ import annotations

import json

import pytest
from animerec.stored import MAX_HIDDEN

from .conftest import card_ids, open_site
from .test_site import XML, upload

pytestmark = pytest.mark.browser

# Under each key the page reads, what no page of ours wrote (Chromium keeps 5 M characters).
SEEDS = {
    "overflowing-and-deep": {  # [1e400] once left the page at "waiting for the catalog"
        "animerec:hidden": "[1e400, Infinity, NaN, -1, 20]",
        "animerec:cover-cache": '{"1":' * 100_000 + "null" + "}" * 100_000,
        "animerec:theme": "{}",
        "animerec:covers": "[1]",
    },
    "huge-and-mistyped": {
        "animerec:hidden": json.dumps(list(range(1, 150_000))),  # about a megabyte
        "animerec:cover-cache": '"' + "x" * 2_500_000 + '"',
        "animerec:theme": "dark" * 100_000,
        "animerec:covers": "NaN",
    },
}
SEED = """(values) => {
  for (const [key, value] of Object.entries(values)) localStorage.setItem(key, value);
}"""


@pytest.mark.parametrize("name", SEEDS)
def test_the_page_boots_and_answers_whatever_is_stored(browser, site_url, name) -> None:
    seed = f"({SEED})({json.dumps(SEEDS[name])});"
    session = open_site(browser, site_url, init_script=seed)  # fails if the page does not boot
    page = session.page
    try:
        upload(page, XML)
        assert page.is_hidden("#error"), page.inner_text("#error")
        assert card_ids(page)
        page.click("#recommendations li.card >> nth=0 >> button.dismiss")
        page.wait_for_selector("#undo button")
        stored = json.loads(page.evaluate("() => localStorage.getItem('animerec:hidden')"))
        assert len(stored) <= MAX_HIDDEN and all(isinstance(i, int) and i > 0 for i in stored)
    finally:
        page.context.close()
