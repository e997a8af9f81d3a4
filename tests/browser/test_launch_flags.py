"""The tests' Chromium as tools/browser.py means it to run: Chromium keeps only the last
--disable-features switch, so the one in tools/browser.FLAGS must still hold every feature that
Playwright's own switch (given first) turns off, besides ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.browser import DISABLE, HEAP_PROFILER, UNUSED_UI

pytestmark = pytest.mark.browser


def test_the_last_disable_features_switch_keeps_playwrights_and_ours(browser) -> None:
    cdp = browser.new_browser_cdp_session()
    try:
        info = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    finally:
        cdp.detach()
    pid = next(p["id"] for p in info if p["type"] == "browser")
    args = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    switches = [set(a.removeprefix(DISABLE).split(",")) for a in args if a.startswith(DISABLE)]
    assert len(switches) >= 2, args  # Playwright's, then ours
    playwrights, effective = switches[0], switches[-1]
    assert playwrights and playwrights <= effective, playwrights - effective
    assert {HEAP_PROFILER, *UNUSED_UI} <= effective
