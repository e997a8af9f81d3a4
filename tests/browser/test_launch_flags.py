"""The tests' Chromium as tools/browser.py means it to run: Chromium keeps only the last
--disable-features switch (and the last --enable-features), so the ones in tools/browser's
flags must still hold every feature that Playwright's own switches (given first) name, besides
ours: in the tests' browser and in test_heap_profiler.py's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tools.browser import CHROMIUM, DISABLE, ENABLE, HEAP_PROFILER, HEAP_PROFILER_FLAGS, UNUSED_UI

pytestmark = pytest.mark.browser


def switches(browser, prefix: str) -> list[set[str]]:
    """The feature lists of each `prefix` switch on the running browser's command line, in
    order."""
    cdp = browser.new_browser_cdp_session()
    try:
        info = cdp.send("SystemInfo.getProcessInfo")["processInfo"]
    finally:
        cdp.detach()
    pid = next(p["id"] for p in info if p["type"] == "browser")
    args = Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    return [set(a.removeprefix(prefix).split(",")) for a in args if a.startswith(prefix)]


def assert_last_keeps_playwrights(found: list[set[str]]) -> set[str]:
    """Playwright's switch, then ours, which holds all of Playwright's; returns ours."""
    assert len(found) >= 2, found  # Playwright's, then ours
    playwrights, effective = found[0], found[-1]
    assert playwrights and playwrights <= effective, playwrights - effective
    return effective


def test_the_last_disable_features_switch_keeps_playwrights_and_ours(browser) -> None:
    effective = assert_last_keeps_playwrights(switches(browser, DISABLE))
    assert {HEAP_PROFILER, *UNUSED_UI} <= effective


def test_the_heap_profiler_browser_keeps_playwrights_features_on_and_off(browser) -> None:
    profiled = browser.browser_type.launch(executable_path=CHROMIUM, args=HEAP_PROFILER_FLAGS)
    try:
        enabled = assert_last_keeps_playwrights(switches(profiled, ENABLE))
        assert any(feature.startswith(f"{HEAP_PROFILER}:") for feature in enabled), enabled
        assert_last_keeps_playwrights(switches(profiled, DISABLE))
    finally:
        profiled.close()
